import { describe, expect, it } from 'vitest';
import { zhCN } from '../src/lib/i18n/zh-CN';
import { en } from '../src/lib/i18n/en';
import { describeError, ERROR_CODES, pick, toAppError } from '../src/lib/errors';

describe('pick', () => {
  it('shows the half in the asked language, never a glued string', () => {
    const m = { zh: '心愿已发布', en: 'already posted' };
    expect(pick(m, 'zh-CN')).toBe('心愿已发布');
    expect(pick(m, 'en')).toBe('already posted');
    expect(pick(null, 'en')).toBe('');
  });
});

describe('toAppError', () => {
  it('passes an AppError through with its two languages', () => {
    expect(toAppError({ code: 'offline', message: '离线 (offline)', zh: '离线', en: 'offline' })).toEqual({
      code: 'offline',
      zh: '离线',
      en: 'offline',
    });
  });
  it('treats unknown codes, Errors and strings as internal', () => {
    expect(toAppError({ code: 'weird', zh: 'x', en: 'x' }).code).toBe('internal');
    expect(toAppError(new Error('boom'))).toEqual({ code: 'internal', zh: 'boom', en: 'boom' });
    expect(toAppError('plain')).toEqual({ code: 'internal', zh: 'plain', en: 'plain' });
    expect(toAppError(undefined)).toEqual({ code: 'internal', zh: '', en: '' });
  });
  it('reads an AppError that arrived as a JSON string', () => {
    expect(toAppError('{"code":"conflict","zh":"有冲突","en":"conflict"}')).toEqual({
      code: 'conflict',
      zh: '有冲突',
      en: 'conflict',
    });
  });
});

describe('describeError', () => {
  it('shows the half in the user language with a hint for the code', () => {
    const err = { code: 'refused', zh: '撤回心愿被拒绝：不在你的社区', en: 'withdrawing a wish refused: outside your community' };
    const zh = describeError(err, 'zh-CN', zhCN);
    expect(zh.text).toBe('撤回心愿被拒绝：不在你的社区');
    expect(zh.hint).toBe(zhCN['hint.refused']);
    const e = describeError(err, 'en', en);
    expect(e.text).toBe('withdrawing a wish refused: outside your community');
    expect(e.hint).toBe(en['hint.refused']);
  });
  it('never shows an empty message', () => {
    expect(describeError({ code: 'internal', zh: '', en: '' }, 'en', en).text).toBe(en['error.unknown']);
  });
  it('has a hint in both languages for every code the backend sends', () => {
    for (const code of ERROR_CODES) {
      expect(zhCN[`hint.${code}` as keyof typeof zhCN], code).toBeTruthy();
      expect(en[`hint.${code}` as keyof typeof en], code).toBeTruthy();
    }
  });
});
