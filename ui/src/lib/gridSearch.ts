// What the household list remembers while the app runs: the search, the
// chips and how far down the list was, so coming back from a household
// lands where the worker left (the screen is re-created on every route).

export interface GridSearch {
  text: string;
  tag: string | null;
  notVisited: boolean;
  /** window.scrollY when a household was opened. */
  scrollY: number;
}

export const gridSearch: GridSearch = { text: '', tag: null, notVisited: false, scrollY: 0 };

/**
 * The filters a Grid screen starts with: a route that names filters (Today's
 * 30 天未走访 card) starts from those alone; a bare #/grid (back, the tab)
 * resumes the last search.
 */
export function startingSearch(params: Record<string, string>, kept: GridSearch): GridSearch {
  const named = params.q !== undefined || params.tag !== undefined || params.not_visited !== undefined;
  if (!named) return { ...kept };
  return { text: params.q ?? '', tag: params.tag ?? null, notVisited: params.not_visited !== undefined, scrollY: 0 };
}
