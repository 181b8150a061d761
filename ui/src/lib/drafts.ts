// Forms keep a draft as the user types: writes are debounced (~300 ms), the
// draft is read back when the form reopens, and cleared once the record is
// saved. The store is injected so tests can use an in-memory one.
//
// A draft also carries the id of the record it will create, minted when the
// draft starts and stored with it: the save sends that id, so saving the same
// draft twice (a double tap, a retry after a crash) is one record.
import { isRecordId, newRecordId } from './recordId';

export interface DraftStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  clear(key: string): Promise<void>;
}

export const DRAFT_DELAY_MS = 300;

export interface DraftOptions<T> {
  delayMs?: number;
  /** A value that is "empty" clears the draft instead of storing it. */
  isEmpty?: (value: T) => boolean;
  /** Mints the id of the next record (tests pass a fixed one). */
  newId?: () => string;
}

/** What the store holds: the form's values and the draft's record id. */
interface Stored<T> { draft_id: string; value: T }

function isStored<T>(x: unknown): x is Stored<T> {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return isRecordId(o.draft_id) && typeof o.value === 'object' && o.value !== null;
}

export class Draft<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: T | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly delayMs: number;
  private readonly isEmpty: (value: T) => boolean;
  private readonly newId: () => string;
  /**
   * The id of the record this draft will create: minted when the draft
   * starts, replaced by the stored one when a saved draft is loaded, and
   * minted afresh once the draft is cleared (the next record is another).
   */
  id: string;

  constructor(
    private readonly store: DraftStore,
    readonly key: string,
    options: DraftOptions<T> = {},
  ) {
    this.delayMs = options.delayMs ?? DRAFT_DELAY_MS;
    this.isEmpty = options.isEmpty ?? (() => false);
    this.newId = options.newId ?? (() => newRecordId());
    this.id = this.newId();
  }

  /** The saved draft, or null when there is none or it cannot be read. */
  async load(): Promise<T | null> {
    try {
      const raw = await this.store.get(this.key);
      if (raw === null || raw === '') return null;
      const parsed: unknown = JSON.parse(raw);
      if (isStored<T>(parsed)) {
        this.id = parsed.draft_id;
        return parsed.value;
      }
      // A draft kept before drafts had ids: its values, under the fresh id.
      return parsed as T;
    } catch {
      return null;
    }
  }

  /** Schedules a write; a newer value within the delay replaces it. */
  update(value: T): void {
    this.pending = value;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes a scheduled value now (on leaving the form, for instance). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending === null) return this.writing;
    const value = this.pending;
    const stored: Stored<T> = { draft_id: this.id, value };
    this.pending = null;
    this.writing = this.writing
      .then(() =>
        this.isEmpty(value)
          ? this.store.clear(this.key)
          : this.store.put(this.key, JSON.stringify(stored)),
      )
      .catch(() => {
        // A draft is a convenience: a failed write must never block the form.
      });
    return this.writing;
  }

  /**
   * Forgets any scheduled write and removes the stored draft (after a save,
   * or when the user discards it); the next record gets a new id.
   */
  clear(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pending = null;
    this.id = this.newId();
    this.writing = this.writing.then(() => this.store.clear(this.key)).catch(() => {});
    return this.writing;
  }

  /** True while a write is scheduled but not yet started. */
  get scheduled(): boolean {
    return this.timer !== null;
  }
}
