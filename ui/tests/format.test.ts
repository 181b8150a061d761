import { describe, expect, it } from 'vitest';
import { zhCN } from '../src/lib/i18n/zh-CN';
import { en } from '../src/lib/i18n/en';
import {
  daysSince, formatDate, formatDateTime, formatDeadline, formatEventDetail, formatMonthDay, formatRelative, formatScope, isMasked,
  maskIdNumber, parseInstant, secondsLeft,
} from '../src/lib/format';

// Local-time constructors keep these tests independent of the machine's zone.
const at = new Date(2026, 10, 28, 14, 5);

describe('formatDateTime', () => {
  it('writes the Chinese style in zh-CN', () => {
    expect(formatDateTime(at, zhCN)).toBe('2026年11月28日 14:05');
    expect(formatDate(at, zhCN)).toBe('2026年11月28日');
  });
  it('writes an ISO-like style in English', () => {
    expect(formatDateTime(at, en)).toBe('2026-11-28 14:05');
    expect(formatDate(new Date(2026, 0, 5), en)).toBe('2026-01-05');
  });
  it('pads minutes and hours but not the Chinese month and day', () => {
    expect(formatDateTime(new Date(2026, 0, 5, 9, 7), zhCN)).toBe('2026年1月5日 09:07');
  });
  it('renders nothing for a missing or unreadable instant', () => {
    expect(formatDateTime(null, zhCN)).toBe('');
    expect(formatDateTime('not a date', zhCN)).toBe('');
  });
  it('formats short axis labels', () => {
    expect(formatMonthDay('2026-11-28', zhCN)).toBe('11月28日');
    expect(formatMonthDay('2026-11-28', en)).toBe('11-28');
  });
});

describe('parseInstant', () => {
  it('reads RFC 3339 with a zone', () => {
    expect(parseInstant('2026-11-28T06:05:00Z')?.getTime()).toBe(Date.UTC(2026, 10, 28, 6, 5));
    expect(parseInstant('2026-11-28T14:05:00+08:00')?.getTime()).toBe(Date.UTC(2026, 10, 28, 6, 5));
  });
  it('reads local date-times and bare dates as local time', () => {
    expect(parseInstant('2026-11-28 14:05')?.getTime()).toBe(at.getTime());
    expect(parseInstant('2026-11-28')?.getTime()).toBe(new Date(2026, 10, 28).getTime());
  });
  it('reads epoch seconds and milliseconds', () => {
    expect(parseInstant('1795000000')?.getTime()).toBe(1795000000000);
    expect(parseInstant('1795000000123')?.getTime()).toBe(1795000000123);
  });
});

describe('formatRelative', () => {
  const now = at;
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const H = 3_600_000;
  it('says 刚刚 / just now under a minute', () => {
    expect(formatRelative(ago(20_000), now, zhCN)).toBe('刚刚');
    expect(formatRelative(ago(20_000), now, en)).toBe('just now');
  });
  it('counts minutes, hours and days in both languages', () => {
    expect(formatRelative(ago(5 * 60_000), now, zhCN)).toBe('5 分钟前');
    expect(formatRelative(ago(3 * H), now, zhCN)).toBe('3 小时前');
    expect(formatRelative(ago(3 * H), now, en)).toBe('3 hours ago');
    expect(formatRelative(ago(1 * H), now, en)).toBe('1 hour ago');
    expect(formatRelative(ago(3 * 24 * H), now, zhCN)).toBe('3 天前');
    expect(formatRelative(ago(3 * 24 * H), now, en)).toBe('3 days ago');
  });
  it('speaks of the future for deadlines', () => {
    expect(formatRelative(new Date(now.getTime() + 2 * H), now, zhCN)).toBe('2 小时后');
    expect(formatRelative(new Date(now.getTime() + 2 * 24 * H), now, en)).toBe('in 2 days');
  });
  it('falls back to the full date beyond the window', () => {
    expect(formatRelative(ago(10 * 24 * H), now, zhCN)).toBe('2026年11月18日 14:05');
    expect(formatRelative(ago(45 * 24 * H), now, zhCN, 3650)).toBe('45 天前');
  });
  it('counts whole days since a visit', () => {
    expect(daysSince(ago(30 * 24 * H + 5).toISOString(), now)).toBe(30);
    expect(daysSince(null, now)).toBeNull();
  });
});

describe('ID number masking', () => {
  it('keeps the first and last four characters, as the backend does', () => {
    expect(maskIdNumber('52270119800101123X')).toBe('5227**********123X');
  });
  it('masks short or odd values whole, leaking nothing', () => {
    expect(maskIdNumber('1234567')).toBe('*******');
    expect(maskIdNumber('')).toBe('');
  });
  it('tells a masked value from a revealed one', () => {
    expect(isMasked('5227**********123X')).toBe(true);
    expect(isMasked('52270119800101123X')).toBe(false);
  });
  it('counts down the reveal in whole seconds and stops at zero', () => {
    expect(secondsLeft(1000, 1000)).toBe(10);
    expect(secondsLeft(1000, 1000 + 9_001)).toBe(1);
    expect(secondsLeft(1000, 1000 + 10_000)).toBe(0);
    expect(secondsLeft(1000, 1000 + 60_000)).toBe(0);
  });
});

describe('formatScope', () => {
  it('puts the compact scope into words', () => {
    expect(formatScope('community:522701001001', zhCN)).toBe('社区 522701001001');
    expect(formatScope('grids:522701001001001,522701001001002', zhCN)).toBe('网格 522701001001001、522701001001002');
    expect(formatScope('grids:522701001001001', en)).toBe('grid 522701001001001');
    expect(formatScope('households:a,b,c', en)).toBe('3 linked households');
    expect(formatScope('department:城管', zhCN)).toBe('职能部门：城管');
    expect(formatScope('everything', en)).toBe('everything');
  });
  it('shows an unknown form as it came', () => {
    expect(formatScope('planet:earth', en)).toBe('planet:earth');
    const names: Record<string, string> = { '522701001001001': '第1网格', '522701001001': '平桥社区' };
    const name = (c: string) => names[c] ?? c;
    expect(formatScope('grids:522701001001001', zhCN, name)).toBe('第1网格');
    expect(formatScope('community:522701001001', en, name)).toBe('平桥社区');
    expect(formatScope('grids:522701001001001,522701001001002', zhCN, name), 'a code without a name keeps the word').toBe('网格 522701001001001、522701001001002');
  });
});

describe('formatEventDetail', () => {
  it('translates the grade at the end of a dispatch', () => {
    expect(formatEventDetail('dispatch', '市场监管、城管 · normal', zhCN)).toBe('市场监管、城管 · 一般');
    expect(formatEventDetail('dispatch', '城管 · urgent', en)).toBe('城管 · urgent');
  });
  it('translates the verdict at the start of an evaluation', () => {
    expect(formatEventDetail('evaluate', 'unsatisfied · 王阿姨 · 还是漏水', zhCN)).toBe('不满意 · 王阿姨 · 还是漏水');
    expect(formatEventDetail('evaluate', 'satisfied · 李四', en)).toBe('satisfied · 李四');
  });
  it('leaves notes of other steps alone, even with the same words', () => {
    expect(formatEventDetail('resolve', 'normal · satisfied', zhCN)).toBe('normal · satisfied');
    expect(formatEventDetail('report', '', zhCN)).toBe('');
  });
});

describe('formatDeadline', () => {
  const now = new Date(2026, 11, 1, 12, 0);
  const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
  it('says how many days a missed deadline is overdue, in red', () => {
    expect(formatDeadline(hours(-4 * 24 - 5), now, zhCN)).toEqual({ text: '已超期 4 天', overdue: true });
    expect(formatDeadline(hours(-4 * 24 - 5), now, en)).toEqual({ text: '4 days overdue', overdue: true });
    expect(formatDeadline(hours(-24), now, en)?.text).toBe('1 day overdue');
  });
  it('says how long is left before a coming deadline', () => {
    expect(formatDeadline(hours(5.5), now, zhCN)).toEqual({ text: '还剩 5 小时', overdue: false });
    expect(formatDeadline(hours(5.5), now, en)).toEqual({ text: '5 hours left', overdue: false });
    expect(formatDeadline(hours(49), now, zhCN)?.text).toBe('还剩 2 天');
  });
  it('counts minutes in the last hour and never says zero', () => {
    expect(formatDeadline(hours(0.5), now, zhCN)?.text).toBe('还剩 30 分钟');
    expect(formatDeadline(new Date(now.getTime() - 10_000), now, en)).toEqual({ text: '1 minute overdue', overdue: true });
  });
  it('reads the backend instants and gives nothing for none', () => {
    expect(formatDeadline('2026-11-26 07:19', now, zhCN)?.text).toBe('已超期 5 天');
    expect(formatDeadline(null, now, zhCN)).toBeNull();
  });
});
