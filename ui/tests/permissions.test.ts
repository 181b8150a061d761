import { describe, expect, it } from 'vitest';
import { mayLogVisit, mayPostWish, mayReportIssue } from '../src/lib/permissions';

// DESIGN.md §3: who may create which record.
describe('entry points per role', () => {
  it('offers visits to grid workers and joint-household leaders only', () => {
    expect(['grid-worker', 'joint-leader'].every(mayLogVisit)).toBe(true);
    expect(['community-staff', 'street-staff', 'department', 'admin', undefined].some(mayLogVisit)).toBe(false);
  });
  it('offers reporting to everyone but departments and admins', () => {
    expect(['grid-worker', 'joint-leader', 'community-staff', 'street-staff'].every(mayReportIssue)).toBe(true);
    expect(['department', 'department-liaison', 'admin'].some(mayReportIssue)).toBe(false);
  });
  it('offers posting wishes to grid workers, leaders and community staff', () => {
    expect(['grid-worker', 'joint-leader', 'community-staff'].every(mayPostWish)).toBe(true);
    expect(['street-staff', 'department'].some(mayPostWish)).toBe(false);
  });
});
