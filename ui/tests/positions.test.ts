import { describe, expect, it } from 'vitest';
import { accuracyMetres, coords, extentMetres, layout } from '../src/lib/positions';

describe('positions', () => {
  it('says a position with six decimals and a whole-metre accuracy', () => {
    expect(coords({ lat: 26.2597, lon: 107.5182 })).toBe('26.259700, 107.518200');
    expect(accuracyMetres({ accuracy_m: 8.6 })).toBe(9);
    expect(accuracyMetres({ accuracy_m: null })).toBeNull();
  });

  it('lays points out north up, within the box, with one scale both ways', () => {
    const pts = [
      { id: 'sw', lat: 26.25, lon: 107.51 },
      { id: 'ne', lat: 26.27, lon: 107.53 },
      { id: 'mid', lat: 26.26, lon: 107.52 },
    ];
    const placed = layout(pts, 300, 200, 10);
    const at = (id: string) => placed.find((p) => p.item.id === id)!;
    for (const p of placed) {
      expect(p.x).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(p.x).toBeLessThanOrEqual(290 + 1e-9);
      expect(p.y).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(p.y).toBeLessThanOrEqual(190 + 1e-9);
    }
    expect(at('ne').y).toBeLessThan(at('sw').y); // north is up
    expect(at('ne').x).toBeGreaterThan(at('sw').x); // east is right
    // The middle point is in the middle.
    expect(at('mid').x).toBeCloseTo((at('sw').x + at('ne').x) / 2, 6);
    expect(at('mid').y).toBeCloseTo((at('sw').y + at('ne').y) / 2, 6);
    // Same scale: 0.02° of latitude is taller than 0.02° of longitude is wide at 26° N.
    const w = at('ne').x - at('sw').x;
    const h = at('sw').y - at('ne').y;
    expect(w / h).toBeCloseTo(Math.cos((26.26 * Math.PI) / 180), 3);
  });

  it('puts a single point, or many in one place, in the middle', () => {
    const one = layout([{ lat: 26.26, lon: 107.52 }], 300, 200, 10);
    expect(one[0].x).toBeCloseTo(150, 6);
    expect(one[0].y).toBeCloseTo(100, 6);
    expect(layout([], 300, 200)).toEqual([]);
    const same = layout([{ lat: 1, lon: 2 }, { lat: 1, lon: 2 }], 100, 100, 0);
    expect(same.every((p) => p.x === 50 && p.y === 50)).toBe(true);
  });

  it('measures the extent in metres', () => {
    const e = extentMetres([
      { lat: 26.25, lon: 107.51 },
      { lat: 26.26, lon: 107.52 },
    ]);
    expect(e.height).toBeCloseTo(1113.2, 0);
    expect(e.width).toBeGreaterThan(990);
    expect(e.width).toBeLessThan(1000);
  });
});
