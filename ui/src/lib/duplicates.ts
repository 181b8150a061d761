// Which issues an issue may be merged into as a duplicate (合并 (重复)). The
// step wants an 事件编号 that no screen shows, so the form offers the likely
// ones instead: the same household or the same category, reported recently,
// not the issue itself and not finished with.
import type { IssueRow } from './types';

/** States an issue can no longer be a duplicate's target in: done with, or not an issue of its own. */
const FINISHED = new Set(['resolved', 'closed', 'evaluated', 'merged', 'rejected']);
/** How far back a report still counts as recent. */
export const RECENT_DAYS = 30;

export interface DuplicateCandidate {
  issue: IssueRow;
  sameHousehold: boolean;
  sameCategory: boolean;
}

export interface DuplicateOf {
  id: string;
  category: string;
  household_id: string | null;
  reported_at: string;
}

/**
 * The candidates for `of`, the same household first, then the same
 * category, newest first within each; `query` narrows them by title.
 */
export function duplicateCandidates(of: DuplicateOf, rows: IssueRow[], query = ''): DuplicateCandidate[] {
  const since = Date.parse(of.reported_at) - RECENT_DAYS * 86_400_000;
  const q = query.trim().toLowerCase();
  return rows
    .filter((r) => r.id !== of.id && r.state !== null && !FINISHED.has(r.state))
    .filter((r) => Date.parse(r.reported_at) >= since)
    .map((r) => ({
      issue: r,
      sameHousehold: of.household_id !== null && r.household_id === of.household_id,
      sameCategory: r.category === of.category,
    }))
    .filter((c) => c.sameHousehold || c.sameCategory)
    .filter((c) => q === '' || c.issue.summary.toLowerCase().includes(q))
    .sort((a, b) =>
      Number(b.sameHousehold) - Number(a.sameHousehold)
      || b.issue.reported_at.localeCompare(a.issue.reported_at));
}
