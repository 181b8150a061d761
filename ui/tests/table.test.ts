import { describe, expect, it } from 'vitest';
import { moveSelection, nextSort, sortRows, toggle, toggleAll, typing } from '../src/lib/table';

describe('sortRows', () => {
  const rows = [
    { name: '王', n: 3, at: '2026-11-02' },
    { name: '李', n: 1, at: null },
    { name: '张', n: 2, at: '2026-11-20' },
  ];
  it('sorts numbers both ways', () => {
    expect(sortRows(rows, (r) => r.n, 'asc').map((r) => r.n)).toEqual([1, 2, 3]);
    expect(sortRows(rows, (r) => r.n, 'desc').map((r) => r.n)).toEqual([3, 2, 1]);
  });
  it('keeps empty values last in either direction', () => {
    expect(sortRows(rows, (r) => r.at, 'asc').map((r) => r.at)).toEqual(['2026-11-02', '2026-11-20', null]);
    expect(sortRows(rows, (r) => r.at, 'desc').map((r) => r.at)).toEqual(['2026-11-20', '2026-11-02', null]);
  });
  it('is stable for equal values', () => {
    const same = [{ k: 'a', v: 1 }, { k: 'b', v: 1 }, { k: 'c', v: 0 }];
    expect(sortRows(same, (r) => r.v, 'desc').map((r) => r.k)).toEqual(['a', 'b', 'c']);
  });
});

describe('nextSort', () => {
  it('flips the same column and starts another ascending', () => {
    expect(nextSort(null, 'a')).toEqual({ key: 'a', dir: 'asc' });
    expect(nextSort({ key: 'a', dir: 'asc' }, 'a')).toEqual({ key: 'a', dir: 'desc' });
    expect(nextSort({ key: 'a', dir: 'desc' }, 'b')).toEqual({ key: 'b', dir: 'asc' });
  });
});

describe('moveSelection', () => {
  it('moves within the rows and stops at the ends', () => {
    expect(moveSelection(null, 'ArrowDown', 3)).toBe(0);
    expect(moveSelection(null, 'ArrowUp', 3)).toBe(2);
    expect(moveSelection(0, 'ArrowDown', 3)).toBe(1);
    expect(moveSelection(2, 'ArrowDown', 3)).toBe(2);
    expect(moveSelection(0, 'ArrowUp', 3)).toBe(0);
    expect(moveSelection(1, 'End', 3)).toBe(2);
  });
  it('leaves other keys and empty tables alone', () => {
    expect(moveSelection(1, 'a', 3)).toBeNull();
    expect(moveSelection(null, 'ArrowDown', 0)).toBeNull();
  });
});

describe('ticks', () => {
  it('toggles one row', () => {
    expect(toggle(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
  });
  it('ticks all, or clears when all are ticked', () => {
    expect(toggleAll(['a'], ['a', 'b'])).toEqual(['a', 'b']);
    expect(toggleAll(['a', 'b'], ['a', 'b'])).toEqual([]);
  });
  it('knows a text field keeps its own keys', () => {
    expect(typing({ tagName: 'INPUT' } as unknown as EventTarget)).toBe(true);
    expect(typing({ tagName: 'TR' } as unknown as EventTarget)).toBe(false);
    expect(typing(null)).toBe(false);
  });
});
