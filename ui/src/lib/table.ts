// The desk tables' logic, kept apart from the component so it is tested
// without a DOM: sorting by a column, moving the selection with the keys,
// and ticking rows for a step that applies to many.

export type SortDir = 'asc' | 'desc';
export type SortValue = string | number | null;

/** One column of a desk table. */
export interface Column<R> {
  key: string;
  label: string;
  text: (row: R) => string;
  /** The value the column sorts by; without it the column does not sort. */
  sort?: (row: R) => SortValue;
  /** A class for the cell, such as the red (alert) of an overdue deadline. */
  tone?: (row: R) => string | undefined;
  width?: string;
  /** Short words (a state, a date) that read badly broken over lines. */
  nowrap?: boolean;
}

export interface Sort {
  key: string;
  dir: SortDir;
}

/**
 * Rows sorted by `value`, stable, with empty values last in either
 * direction (a household never visited is not "the oldest visit").
 */
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((a, b) => {
      if (a.v === null || a.v === '') return b.v === null || b.v === '' ? a.i - b.i : 1;
      if (b.v === null || b.v === '') return -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number'
        ? a.v - b.v
        : String(a.v).localeCompare(String(b.v), 'zh-CN');
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.row);
}

/** A click on a header: the same column flips, another starts ascending. */
export function nextSort(current: Sort | null, key: string): Sort {
  if (current?.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: 'asc' };
}

/**
 * The row a key moves the selection to, or null when the key does not move
 * it. With nothing selected, ↓ starts at the top and ↑ at the bottom.
 */
export function moveSelection(index: number | null, key: string, length: number): number | null {
  if (length === 0) return null;
  switch (key) {
    case 'ArrowDown':
      return index === null ? 0 : Math.min(index + 1, length - 1);
    case 'ArrowUp':
      return index === null ? length - 1 : Math.max(index - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return length - 1;
    default:
      return null;
  }
}

/** Ticks or unticks one row. */
export function toggle(ticked: readonly string[], id: string): string[] {
  return ticked.includes(id) ? ticked.filter((x) => x !== id) : [...ticked, id];
}

/** The header box: ticks all the tickable rows, or clears them when all are ticked. */
export function toggleAll(ticked: readonly string[], tickable: readonly string[]): string[] {
  return tickable.length > 0 && tickable.every((id) => ticked.includes(id)) ? [] : [...tickable];
}

/** Whether a key press belongs to a text field, so '/' and arrows are its own. */
export function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable === true;
}
