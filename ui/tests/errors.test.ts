import { describe, expect, it } from 'vitest';
import { zhCN } from '../src/lib/i18n/zh-CN';
import { en } from '../src/lib/i18n/en';
import { describeError, ERROR_CODES, splitBilingual, toAppError } from '../src/lib/errors';

describe('splitBilingual', () => {
  it('splits "中文 (English)"', () => {
    expect(splitBilingual('心愿已发布 (already posted)')).toEqual({ zh: '心愿已发布', en: 'already posted' });
  });
  it('keeps brackets that belong to the English half', () => {
    expect(splitBilingual('记录被拒绝 (refused by the hub (read-only copy))')).toEqual({
      zh: '记录被拒绝',
      en: 'refused by the hub (read-only copy)',
    });
  });
  it('keeps Chinese brackets inside the Chinese half', () => {
    const s = '请填 1（低）到 3（高） (use 1 low to 3 high)';
    expect(splitBilingual(s)).toEqual({ zh: '请填 1（低）到 3（高）', en: 'use 1 low to 3 high' });
  });
  it('shows a one-language message unchanged in both', () => {
    expect(splitBilingual('connection refused')).toEqual({ zh: 'connection refused', en: 'connection refused' });
    expect(splitBilingual('无法连接')).toEqual({ zh: '无法连接', en: '无法连接' });
  });
});

describe('toAppError', () => {
  it('passes an AppError through', () => {
    expect(toAppError({ code: 'offline', message: '离线 (offline)' })).toEqual({ code: 'offline', message: '离线 (offline)' });
  });
  it('treats unknown codes, Errors and strings as internal', () => {
    expect(toAppError({ code: 'weird', message: 'x' }).code).toBe('internal');
    expect(toAppError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toAppError('plain')).toEqual({ code: 'internal', message: 'plain' });
    expect(toAppError(undefined)).toEqual({ code: 'internal', message: '' });
  });
  it('reads an AppError that arrived as a JSON string', () => {
    expect(toAppError('{"code":"conflict","message":"有冲突 (conflict)"}').code).toBe('conflict');
  });
});

describe('describeError', () => {
  it('shows the half in the user language with a hint for the code', () => {
    const err = { code: 'refused', message: '撤回心愿被拒绝：不在你的社区 (outside your community)' };
    const zh = describeError(err, 'zh-CN', zhCN);
    expect(zh.text).toBe('撤回心愿被拒绝：不在你的社区');
    expect(zh.hint).toBe(zhCN['hint.refused']);
    const e = describeError(err, 'en', en);
    expect(e.text).toBe('outside your community');
    expect(e.hint).toBe(en['hint.refused']);
  });
  it('never shows an empty message', () => {
    expect(describeError({ code: 'internal', message: '' }, 'en', en).text).toBe(en['error.unknown']);
  });
  it('has a hint in both languages for every code the backend sends', () => {
    for (const code of ERROR_CODES) {
      expect(zhCN[`hint.${code}` as keyof typeof zhCN], code).toBeTruthy();
      expect(en[`hint.${code}` as keyof typeof en], code).toBeTruthy();
    }
  });
});

describe('splitBilingual with several parts', () => {
  const msg = '离线 (offline): 无法连接街道枢纽 (cannot reach the hub); 请检查网络和枢纽地址，稍后再试';
  it('gives the Chinese parts with Chinese punctuation', () => {
    expect(splitBilingual(msg).zh).toBe('离线：无法连接街道枢纽；请检查网络和枢纽地址，稍后再试');
  });
  it('gives the English parts and leaves out a part that has no English', () => {
    expect(splitBilingual(msg).en).toBe('offline: cannot reach the hub');
  });
  it('does not cut a message whose English contains a colon', () => {
    expect(splitBilingual('同步失败 (sync failed: timeout)')).toEqual({ zh: '同步失败', en: 'sync failed: timeout' });
  });
  it('keeps a message with an unknown shape whole', () => {
    expect(splitBilingual('未知的操作 (unknown step) "x"')).toEqual({ zh: '未知的操作 (unknown step) "x"', en: '未知的操作 (unknown step) "x"' });
  });
});
