// Showing ID numbers in full (DESIGN §7): the optional reason a user gives,
// checked against the model's bound from the vocabulary (code points, as the
// device counts), and the dashboard's reveal counts, kept in the order of
// community, name and month: a count, never a ranking.
import { chars, type FieldError } from './forms';
import type { Limits, RevealCount } from './types';

/** The reason as the device will take it: trimmed; empty is no reason. */
export function revealReason(typed: string): string | null {
  const r = typed.trim();
  return r === '' ? null : r;
}

/** A reason over the model's bound, as a field error. */
export function revealReasonError(typed: string, limits: Limits | null | undefined): FieldError | undefined {
  if (limits && chars(typed.trim()) > limits.reveal_reason_max) {
    return { key: 'validation.tooLong', field: 'household.revealReason', n: limits.reveal_reason_max };
  }
  return undefined;
}

/** The counts by community, then name, then month, whatever order they came in. */
export function revealRows(counts: RevealCount[]): RevealCount[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...counts].sort(
    (a, b) =>
      cmp(a.community, b.community) || cmp(a.user_name, b.user_name) || cmp(a.user_id, b.user_id) || cmp(a.month, b.month),
  );
}
