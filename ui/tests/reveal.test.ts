import { describe, expect, it } from 'vitest';
import { revealReason, revealReasonError, revealRows } from '../src/lib/reveal';
import vocabulary from './fixtures/vocabulary.json';
import type { Limits, RevealCount } from '../src/lib/types';

const limits = vocabulary.limits as Limits;

describe('the reason for showing ID numbers', () => {
  it('is optional and trimmed', () => {
    expect(revealReason('   ')).toBeNull();
    expect(revealReason(' 核对低保材料 ')).toBe('核对低保材料');
  });

  it('takes the model\'s bound, counted in code points', () => {
    const max = limits.reveal_reason_max;
    expect(max).toBeGreaterThan(0);
    expect(revealReasonError('理'.repeat(max), limits)).toBeUndefined();
    expect(revealReasonError('𠀀'.repeat(max), limits)).toBeUndefined();
    expect(revealReasonError('理'.repeat(max + 1), limits)).toMatchObject({ key: 'validation.tooLong', n: max });
  });
});

describe('the dashboard\'s reveal counts', () => {
  it('go by community, name and month, never by count', () => {
    const row = (user_name: string, month: string, n: number, community = '522701001001'): RevealCount => ({
      community, user_id: user_name, user_name, month, n,
    });
    const rows = revealRows([row('赵强', '2026-11', 9), row('安然', '2026-11', 1), row('安然', '2026-10', 4), row('李娜', '2026-11', 2, '522701001002')]);
    expect(rows.map((r) => `${r.user_name} ${r.month}`)).toEqual(['安然 2026-10', '安然 2026-11', '赵强 2026-11', '李娜 2026-11']);
  });
});
