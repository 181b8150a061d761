// Scaling for the dashboard's hand-drawn SVG charts (the CSP allows no chart
// library from a CDN, and we want none). Pure math so it can be tested.

export interface Count { key: string; n: number }

/** The smallest 1, 2 or 5 × 10^k at or above max; 1 for an empty chart. */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const exp = Math.floor(Math.log10(max));
  const base = 10 ** exp;
  for (const m of [1, 2, 5, 10]) {
    if (m * base >= max - 1e-9) return m * base;
  }
  return 10 * base;
}

export interface Bar { key: string; n: number; length: number; share: number }

/**
 * Bar lengths in px for a horizontal bar chart, scaled to the largest count
 * so the longest bar fills `width`; a non-zero count is never drawn thinner
 * than `minLength`, so it stays visible beside a large one.
 */
export function barLayout(counts: Count[], width: number, minLength = 2): Bar[] {
  const max = Math.max(0, ...counts.map((c) => c.n));
  const total = counts.reduce((s, c) => s + Math.max(0, c.n), 0);
  return counts.map((c) => {
    const n = Math.max(0, c.n);
    const raw = max > 0 ? (n / max) * width : 0;
    return {
      key: c.key,
      n: c.n,
      length: n > 0 ? Math.max(minLength, Math.round(raw * 10) / 10) : 0,
      share: total > 0 ? n / total : 0,
    };
  });
}

export interface LinePoint { key: string; n: number; x: number; y: number }

/**
 * Points of a line chart inside a width × height box with `pad` px margin,
 * y growing downwards as in SVG; the top of the scale is niceMax(max).
 */
export function linePoints(counts: Count[], width: number, height: number, pad = 8): {
  points: LinePoint[];
  path: string;
  top: number;
} {
  const top = niceMax(Math.max(0, ...counts.map((c) => c.n)));
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  const step = counts.length > 1 ? innerW / (counts.length - 1) : 0;
  const points = counts.map((c, i) => {
    const x = counts.length > 1 ? pad + i * step : width / 2;
    const y = pad + innerH - (Math.max(0, c.n) / top) * innerH;
    return { key: c.key, n: c.n, x: round1(x), y: round1(y) };
  });
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
  return { points, path, top };
}

export interface RingSegment { key: string; n: number; share: number; dash: number; gap: number; offset: number }

/**
 * Segments of a ring drawn as one SVG circle per count with
 * stroke-dasharray "dash gap" and stroke-dashoffset `offset`.
 */
export function ringSegments(counts: Count[], radius: number): RingSegment[] {
  const circumference = 2 * Math.PI * radius;
  const total = counts.reduce((s, c) => s + Math.max(0, c.n), 0);
  if (total === 0) return [];
  let done = 0;
  const out: RingSegment[] = [];
  for (const c of counts) {
    const n = Math.max(0, c.n);
    if (n === 0) continue;
    const share = n / total;
    const dash = round1(share * circumference);
    out.push({ key: c.key, n: c.n, share, dash, gap: round1(circumference - dash), offset: round1(-done) });
    done += share * circumference;
  }
  return out;
}

/** A whole-number percentage; 0 when the whole is 0. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round((part / whole) * 100);
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Counts in a fixed order (workflow order for states); keys the order does
 * not know follow, largest first, so nothing the backend sends is dropped.
 */
export function inOrder(counts: Count[], order: readonly string[]): Count[] {
  const known = order.flatMap((k) => counts.filter((c) => c.key === k));
  const rest = byCountDesc(counts.filter((c) => !order.includes(c.key)));
  return [...known, ...rest];
}

/** Largest first; equal counts keep their order. */
export function byCountDesc(counts: Count[]): Count[] {
  return [...counts].sort((a, b) => b.n - a.n);
}
