import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Draft, type DraftStore } from '../src/lib/drafts';

class MemoryStore implements DraftStore {
  data = new Map<string, string>();
  puts = 0;
  clears = 0;
  failPut = false;
  async get(key: string) {
    return this.data.get(key) ?? null;
  }
  async put(key: string, value: string) {
    this.puts++;
    if (this.failPut) throw { code: 'internal', message: 'disk full' };
    this.data.set(key, value);
  }
  async clear(key: string) {
    this.clears++;
    this.data.delete(key);
  }
}

interface Form { notes: string }

describe('Draft', () => {
  let store: MemoryStore;
  beforeEach(() => {
    vi.useFakeTimers();
    store = new MemoryStore();
  });
  afterEach(() => vi.useRealTimers());

  it('writes once after typing pauses for the delay, with the latest value', async () => {
    const d = new Draft<Form>(store, 'visit:h1');
    d.update({ notes: 'a' });
    d.update({ notes: 'ab' });
    await vi.advanceTimersByTimeAsync(299);
    expect(store.puts, 'no write while still typing').toBe(0);
    d.update({ notes: 'abc' });
    await vi.advanceTimersByTimeAsync(300);
    expect(store.puts, 'one write per pause').toBe(1);
    expect(JSON.parse(store.data.get('visit:h1')!)).toEqual({ notes: 'abc' });
  });

  it('restores what was typed when the form reopens', async () => {
    const first = new Draft<Form>(store, 'issue-new:-');
    first.update({ notes: 'pipe burst' });
    await vi.advanceTimersByTimeAsync(300);
    const reopened = new Draft<Form>(store, 'issue-new:-');
    expect(await reopened.load()).toEqual({ notes: 'pipe burst' });
  });

  it('returns null for no draft or an unreadable one', async () => {
    const d = new Draft<Form>(store, 'k');
    expect(await d.load()).toBeNull();
    store.data.set('k', '{not json');
    expect(await d.load()).toBeNull();
  });

  it('flush writes a pending value at once (leaving the form)', async () => {
    const d = new Draft<Form>(store, 'k');
    d.update({ notes: 'x' });
    expect(d.scheduled).toBe(true);
    await d.flush();
    expect(d.scheduled).toBe(false);
    expect(store.data.get('k')).toBe('{"notes":"x"}');
  });

  it('clear after a save drops a pending write and removes the stored draft', async () => {
    const d = new Draft<Form>(store, 'k');
    d.update({ notes: 'old' });
    await vi.advanceTimersByTimeAsync(300);
    d.update({ notes: 'typed just before saving' });
    await d.clear();
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.data.has('k'), 'a saved form must not come back as a draft').toBe(false);
  });

  it('an empty form clears the draft instead of storing it', async () => {
    const d = new Draft<Form>(store, 'k', { isEmpty: (f) => f.notes.trim() === '' });
    d.update({ notes: 'x' });
    await vi.advanceTimersByTimeAsync(300);
    d.update({ notes: '  ' });
    await vi.advanceTimersByTimeAsync(300);
    expect(store.data.has('k')).toBe(false);
  });

  it('a failing store never throws into the form', async () => {
    store.failPut = true;
    const d = new Draft<Form>(store, 'k');
    d.update({ notes: 'x' });
    await vi.advanceTimersByTimeAsync(300);
    await expect(d.flush()).resolves.toBeUndefined();
  });

  it('honours a custom delay', async () => {
    const d = new Draft<Form>(store, 'k', { delayMs: 50 });
    d.update({ notes: 'x' });
    await vi.advanceTimersByTimeAsync(50);
    expect(store.puts).toBe(1);
  });
});
