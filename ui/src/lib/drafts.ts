// Forms keep a draft as the user types: writes are debounced (~300 ms), the
// draft is read back when the form reopens, and cleared once the record is
// saved. The store is injected so tests can use an in-memory one.

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
}

export class Draft<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: T | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly delayMs: number;
  private readonly isEmpty: (value: T) => boolean;

  constructor(
    private readonly store: DraftStore,
    readonly key: string,
    options: DraftOptions<T> = {},
  ) {
    this.delayMs = options.delayMs ?? DRAFT_DELAY_MS;
    this.isEmpty = options.isEmpty ?? (() => false);
  }

  /** The saved draft, or null when there is none or it cannot be read. */
  async load(): Promise<T | null> {
    try {
      const raw = await this.store.get(this.key);
      if (raw === null || raw === '') return null;
      return JSON.parse(raw) as T;
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
    this.pending = null;
    this.writing = this.writing
      .then(() =>
        this.isEmpty(value)
          ? this.store.clear(this.key)
          : this.store.put(this.key, JSON.stringify(value)),
      )
      .catch(() => {
        // A draft is a convenience: a failed write must never block the form.
      });
    return this.writing;
  }

  /** Forgets any scheduled write and removes the stored draft (after a save). */
  clear(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pending = null;
    this.writing = this.writing.then(() => this.store.clear(this.key)).catch(() => {});
    return this.writing;
  }

  /** True while a write is scheduled but not yet started. */
  get scheduled(): boolean {
    return this.timer !== null;
  }
}
