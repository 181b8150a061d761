import { describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

const { bannerVisible, syncBroughtNews } = await import('../src/lib/app.svelte');
import type { SyncInfo } from '../src/lib/types';

const info = (patch: Partial<SyncInfo>): SyncInfo => ({
  enrolled: true, hub_url: 'http://hub', phase: 'idle', syncing: false, received: 0, total: null, seconds_left: null,
  unsent: 0, conflicted: 0, refused_copies: 0, last_sync_at: null, last_error: null, last_error_code: null, overruled: [],
  ...patch,
});

describe('offline banner', () => {
  it('shows only while offline or after a failed sync', () => {
    expect(bannerVisible(info({ phase: 'offline' }))).toBe(true);
    expect(bannerVisible(info({ phase: 'error' }))).toBe(true);
    for (const phase of ['syncing', 'up_to_date', 'idle']) expect(bannerVisible(info({ phase })), phase).toBe(false);
    expect(bannerVisible(null)).toBe(false);
  });
});

describe('syncBroughtNews', () => {
  it('reloads open screens when a sync finishes well', () => {
    expect(syncBroughtNews(info({ phase: 'syncing', syncing: true }), info({ phase: 'up_to_date' }))).toBe(true);
    expect(syncBroughtNews(info({ phase: 'idle' }), info({ phase: 'up_to_date' }))).toBe(true);
  });
  it('reloads when a sync broke off after receiving records', () => {
    expect(syncBroughtNews(info({ phase: 'syncing', syncing: true }), info({ phase: 'error', received: 40 }))).toBe(true);
  });
  it('does not reload on every failed retry while offline', () => {
    expect(syncBroughtNews(info({ phase: 'syncing', syncing: true }), info({ phase: 'offline' }))).toBe(false);
    expect(syncBroughtNews(info({ phase: 'up_to_date' }), info({ phase: 'up_to_date', unsent: 1 }))).toBe(false);
    expect(syncBroughtNews(null, info({ phase: 'up_to_date' }))).toBe(false);
  });
});
