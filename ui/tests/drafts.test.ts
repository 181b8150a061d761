import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Draft, type DraftStore } from '../src/lib/drafts';
import { isRecordId, newRecordId } from '../src/lib/recordId';

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
    expect(JSON.parse(store.data.get('visit:h1')!)).toEqual({ draft_id: d.id, value: { notes: 'abc' } });
  });

  it('restores what was typed when the form reopens', async () => {
    const first = new Draft<Form>(store, 'issue-new:-');
    first.update({ notes: 'pipe burst' });
    await vi.advanceTimersByTimeAsync(300);
    const reopened = new Draft<Form>(store, 'issue-new:-');
    expect(await reopened.load()).toEqual({ notes: 'pipe burst' });
  });

  it('keeps the id of the record it will create across a reload of drafts', async () => {
    const first = new Draft<Form>(store, 'issue-new:h1');
    expect(isRecordId(first.id), 'a draft mints a UUID v7 when it starts').toBe(true);
    first.update({ notes: 'pipe burst' });
    await vi.advanceTimersByTimeAsync(300);
    // The app restarts: a new Draft on the same store reads the draft back.
    const reopened = new Draft<Form>(store, 'issue-new:h1');
    expect(reopened.id, 'before loading it has an id of its own').not.toBe(first.id);
    expect(await reopened.load()).toEqual({ notes: 'pipe burst' });
    expect(reopened.id, 'the reloaded draft saves under the id the first one had').toBe(first.id);
    reopened.update({ notes: 'pipe burst, 3rd floor' });
    await reopened.flush();
    expect(await new Draft<Form>(store, 'issue-new:h1').load()).toEqual({ notes: 'pipe burst, 3rd floor' });
    expect(JSON.parse(store.data.get('issue-new:h1')!).draft_id, 'later writes keep the id').toBe(first.id);
  });

  it('after a save (clear) the next record gets a new id', async () => {
    const d = new Draft<Form>(store, 'k');
    const before = d.id;
    d.update({ notes: 'x' });
    await d.flush();
    await d.clear();
    expect(d.id).not.toBe(before);
    expect(isRecordId(d.id)).toBe(true);
  });

  it('reads a draft kept before drafts had ids, under a fresh id', async () => {
    store.data.set('k', '{"notes":"old"}');
    const d = new Draft<Form>(store, 'k', { newId: () => '0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b' });
    expect(await d.load()).toEqual({ notes: 'old' });
    expect(d.id).toBe('0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b');
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
    expect(JSON.parse(store.data.get('k')!).value).toEqual({ notes: 'x' });
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

describe('newRecordId', () => {
  it('is a UUID v7 whose first 48 bits are the milliseconds, as the device mints them', () => {
    const zeros = (b: Uint8Array) => b.fill(0);
    expect(newRecordId(0x0193a1b27c3d, zeros)).toBe('0193a1b2-7c3d-7000-8000-000000000000');
    const ones = (b: Uint8Array) => b.fill(0xff);
    expect(newRecordId(0, ones)).toBe('00000000-0000-7fff-bfff-ffffffffffff');
    const id = newRecordId();
    expect(isRecordId(id)).toBe(true);
    expect(newRecordId(), 'two ids differ').not.toBe(id);
  });
});
