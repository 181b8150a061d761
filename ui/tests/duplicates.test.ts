import { describe, expect, it } from 'vitest';
import { duplicateCandidates } from '../src/lib/duplicates';
import type { IssueRow } from '../src/lib/types';

function row(id: string, over: Partial<IssueRow> = {}): IssueRow {
  return {
    id, grid: 'g1', category: 'environment', state: 'reported', urgency: 1, household_id: null,
    reporter: 'w', reported_at: '2026-11-28T08:00:00Z', deadline: null, departments: [], refused_events: 0,
    summary: `issue ${id}`, sync_state: 'synced', overdue: false, address: null, head_name: null, ...over,
  };
}

const of = { id: 'self', category: 'environment', household_id: 'h1', reported_at: '2026-11-30T08:00:00Z' };

describe('duplicateCandidates', () => {
  it('leaves out the issue itself, finished ones, old ones and unrelated ones', () => {
    const rows = [
      row('self'),
      row('closed', { state: 'closed' }),
      row('merged', { state: 'merged' }),
      row('evaluated', { state: 'evaluated' }),
      row('old', { reported_at: '2026-09-01T08:00:00Z' }),
      row('other', { category: 'safety' }),
      row('ok'),
    ];
    expect(duplicateCandidates(of, rows).map((c) => c.issue.id)).toEqual(['ok']);
  });
  it('puts the same household first, then the newest', () => {
    const rows = [
      row('cat-new', { reported_at: '2026-11-29T08:00:00Z' }),
      row('cat-old', { reported_at: '2026-11-20T08:00:00Z' }),
      row('house', { category: 'safety', household_id: 'h1', reported_at: '2026-11-10T08:00:00Z' }),
    ];
    const got = duplicateCandidates(of, rows);
    expect(got.map((c) => c.issue.id)).toEqual(['house', 'cat-new', 'cat-old']);
    expect(got[0].sameHousehold).toBe(true);
  });
  it('narrows by title', () => {
    const rows = [row('a', { summary: '楼道堆放杂物' }), row('b', { summary: '路灯不亮' })];
    expect(duplicateCandidates(of, rows, '杂物').map((c) => c.issue.id)).toEqual(['a']);
  });
});
