// The months the export panel offers: the last `n` whole months before
// `now`, newest first, as YYYY-MM (the report is of a finished month).
export function lastMonths(now: Date, n: number): string[] {
  const out: string[] = [];
  let y = now.getFullYear();
  let m = now.getMonth(); // 0-based: this is last month, 1-based
  for (let i = 0; i < n; i++) {
    if (m === 0) {
      y -= 1;
      m = 12;
    }
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
  }
  return out;
}
