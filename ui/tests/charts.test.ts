import { describe, expect, it } from 'vitest';
import { barLayout, byCountDesc, inOrder, linePoints, niceMax, percent, ringSegments } from '../src/lib/charts';
import { ISSUE_STATES, WISH_STATES } from '../src/lib/states';

describe('niceMax', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12)).toBe(20);
    expect(niceMax(20)).toBe(20);
    expect(niceMax(480)).toBe(500);
  });
  it('never returns zero, so scaling never divides by it', () => {
    expect(niceMax(-3)).toBe(1);
    expect(niceMax(Number.NaN)).toBe(1);
  });
});

describe('barLayout', () => {
  it('gives the largest count the full width and the others in proportion', () => {
    const bars = barLayout([{ key: 'a', n: 10 }, { key: 'b', n: 5 }, { key: 'c', n: 0 }], 200);
    expect(bars.map((b) => b.length)).toEqual([200, 100, 0]);
    expect(bars.map((b) => b.share)).toEqual([10 / 15, 5 / 15, 0]);
  });
  it('keeps a small non-zero count visible', () => {
    const bars = barLayout([{ key: 'a', n: 1000 }, { key: 'b', n: 1 }], 100);
    expect(bars[1].length).toBe(2);
  });
  it('draws nothing for all-zero counts', () => {
    expect(barLayout([{ key: 'a', n: 0 }], 100)[0].length).toBe(0);
    expect(barLayout([], 100)).toEqual([]);
  });
});

describe('linePoints', () => {
  it('spreads points evenly and scales y to the nice maximum, downwards in SVG', () => {
    const { points, path, top } = linePoints(
      [{ key: 'd1', n: 0 }, { key: 'd2', n: 5 }, { key: 'd3', n: 10 }],
      220, 120, 10,
    );
    expect(top).toBe(10);
    expect(points.map((p) => p.x)).toEqual([10, 110, 210]);
    expect(points.map((p) => p.y)).toEqual([110, 60, 10]);
    expect(path).toBe('M10 110 L110 60 L210 10');
  });
  it('centres a single point', () => {
    expect(linePoints([{ key: 'd', n: 2 }], 100, 50, 5).points[0].x).toBe(50);
  });
});

describe('ringSegments', () => {
  it('splits the circumference by share and offsets each segment after the previous', () => {
    const r = 50 / Math.PI; // circumference 100
    const segs = ringSegments([{ key: 'a', n: 3 }, { key: 'b', n: 0 }, { key: 'c', n: 1 }], r);
    expect(segs.map((s) => s.key)).toEqual(['a', 'c']);
    expect(segs[0]).toMatchObject({ dash: 75, gap: 25, offset: -0 });
    expect(segs[1]).toMatchObject({ dash: 25, gap: 75, offset: -75 });
  });
  it('has no segments when there is nothing to show', () => {
    expect(ringSegments([{ key: 'a', n: 0 }], 40)).toEqual([]);
  });
});

describe('percent', () => {
  it('rounds to whole percent and is 0 for an empty whole', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(2, 3)).toBe(67);
    expect(percent(5, 0)).toBe(0);
  });
});

describe('ordering counts', () => {
  it('puts states in workflow order and keeps unknown keys after them', () => {
    const counts = [{ key: 'closed', n: 4 }, { key: 'mystery', n: 1 }, { key: 'reported', n: 8 }, { key: 'odd', n: 9 }];
    expect(inOrder(counts, ISSUE_STATES).map((c) => c.key)).toEqual(['reported', 'closed', 'odd', 'mystery']);
    expect(inOrder([{ key: 'withdrawn', n: 1 }, { key: 'posted', n: 2 }], WISH_STATES).map((c) => c.key)).toEqual(['posted', 'withdrawn']);
  });
  it('sorts categories largest first, stable for ties', () => {
    const counts = [{ key: 'a', n: 1 }, { key: 'b', n: 5 }, { key: 'c', n: 1 }];
    expect(byCountDesc(counts).map((c) => c.key)).toEqual(['b', 'a', 'c']);
    expect(counts[0].key, 'the input is not reordered').toBe('a');
  });
});
