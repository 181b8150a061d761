import { describe, expect, it } from 'vitest';
import { mayLogVisit, mayPostWish, mayReportIssue } from '../src/lib/permissions';

// The buttons follow what the shell says the role may start (DeviceInfo.may).
describe('entry points follow DeviceInfo.may', () => {
  it('offers each entry point only when listed', () => {
    const d = { may: ['log_visit', 'post_wish'] };
    expect(mayLogVisit(d)).toBe(true);
    expect(mayPostWish(d)).toBe(true);
    expect(mayReportIssue(d)).toBe(false);
  });
  it('offers nothing before the device is known or enrolled', () => {
    for (const d of [undefined, null, { may: [] }]) {
      expect(mayLogVisit(d)).toBe(false);
      expect(mayReportIssue(d)).toBe(false);
      expect(mayPostWish(d)).toBe(false);
    }
  });
});
