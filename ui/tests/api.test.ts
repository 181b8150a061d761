import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

const { api } = await import('../src/lib/api');

describe('api', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockResolvedValue(null);
  });

  it('passes argument keys exactly as the commands declare them', async () => {
    await api.enroll('http://hub', 'CODE');
    expect(invoke).toHaveBeenLastCalledWith('enroll', { hub: 'http://hub', code: 'CODE', pin: null });
    await api.enroll('http://hub', 'CODE', '246810');
    expect(invoke).toHaveBeenLastCalledWith('enroll', { hub: 'http://hub', code: 'CODE', pin: '246810' });
    await api.unlock('246810');
    expect(invoke).toHaveBeenLastCalledWith('unlock', { pin: '246810' });
    await api.setIdleLock(15);
    expect(invoke).toHaveBeenLastCalledWith('set_idle_lock', { minutes: 15 });
    await api.households({ query: 'zs', tag: null, not_visited_days: 30, limit: 10 });
    expect(invoke).toHaveBeenLastCalledWith('households', { query: { query: 'zs', tag: null, not_visited_days: 30, limit: 10 } });
    await api.revealIdNumber('h1', 'r1');
    expect(invoke).toHaveBeenLastCalledWith('reveal_id_number', { household: 'h1', resident: 'r1', reason: null });
    await api.revealIdNumber('h1', 'r1', '核对低保材料');
    expect(invoke).toHaveBeenLastCalledWith('reveal_id_number', { household: 'h1', resident: 'r1', reason: '核对低保材料' });
    await api.resolveConflict('h1', 'phone', '1');
    expect(invoke).toHaveBeenLastCalledWith('resolve_conflict', { id: 'h1', path: 'phone', value: '1' });
    await api.visits(null);
    expect(invoke).toHaveBeenLastCalledWith('visits', { household: null });
    await api.wishes(null);
    expect(invoke).toHaveBeenLastCalledWith('wishes', { state: null });
    await api.draftPut('k', 'v');
    expect(invoke).toHaveBeenLastCalledWith('draft_put', { key: 'k', value: 'v' });
    await api.setLanguage('en');
    expect(invoke).toHaveBeenLastCalledWith('set_language', { lang: 'en' });
    await api.exportRefused('x');
    expect(invoke).toHaveBeenLastCalledWith('export_refused', { id: 'x' });
  });

  it('calls argument-less commands with no arguments', async () => {
    await api.deviceInfo();
    expect(invoke).toHaveBeenLastCalledWith('device_info');
    await api.syncNow();
    expect(invoke).toHaveBeenLastCalledWith('sync_now');
    await api.dashboard();
    expect(invoke).toHaveBeenLastCalledWith('dashboard');
  });

  it('lets an AppError rejection reach the caller unchanged', async () => {
    invoke.mockRejectedValueOnce({ code: 'offline', message: '离线 (offline)' });
    await expect(api.syncNow()).rejects.toEqual({ code: 'offline', message: '离线 (offline)' });
  });
});
