import { describe, expect, it } from 'vitest';
import { lastMonths } from '../src/lib/exports';

describe('lastMonths', () => {
  it('starts at last month and crosses the year', () => {
    expect(lastMonths(new Date(2026, 1, 15), 3)).toEqual(['2026-01', '2025-12', '2025-11']);
  });
  it('in January offers December first', () => {
    expect(lastMonths(new Date(2027, 0, 1), 1)).toEqual(['2026-12']);
  });
});
