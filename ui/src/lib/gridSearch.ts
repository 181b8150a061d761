// What the household list remembers while the app runs: the search, the
// chips and how far down the list was, so coming back from a household
// lands where the worker left (the screen is re-created on every route).
// Only coming back does: the list opened from elsewhere starts afresh.

export interface GridSearch {
  text: string;
  tag: string | null;
  notVisited: boolean;
  /** window.scrollY when a household was opened. */
  scrollY: number;
  /** A household was opened from the list and the list has not shown since. */
  opened: boolean;
}

export const gridSearch: GridSearch = { text: '', tag: null, notVisited: false, scrollY: 0, opened: false };

/**
 * The filters a Grid screen starts with: a route that names filters (Today's
 * 30 天未走访 card) starts from those alone; a bare #/grid after a household
 * was opened from the list (back) resumes that search and scroll; otherwise
 * the list starts empty.
 */
export function startingSearch(params: Record<string, string>, kept: GridSearch): GridSearch {
  const named = params.q !== undefined || params.tag !== undefined || params.not_visited !== undefined;
  if (named) {
    return { text: params.q ?? '', tag: params.tag ?? null, notVisited: params.not_visited !== undefined, scrollY: 0, opened: false };
  }
  if (kept.opened) return { ...kept, opened: false };
  return { text: '', tag: null, notVisited: false, scrollY: 0, opened: false };
}
