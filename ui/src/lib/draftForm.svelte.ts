// A form's values with a draft behind them: restored when the form opens,
// written ~300 ms after typing pauses and when the form closes, cleared
// after a save. Construct it while a component initialises.
import { onDestroy } from 'svelte';
import { draftStore } from './app.svelte';
import { Draft } from './drafts';

/** Every open form's draft, so a lock can write them all first. */
const open = new Set<{ flush(): Promise<void> }>();

/**
 * Writes every open form's draft now: the app is about to lock, and the
 * forms' text must be in the store before the store closes.
 */
export function flushDrafts(): Promise<void> {
  return Promise.all([...open].map((f) => f.flush())).then(() => {});
}

export class DraftForm<T extends object> {
  value = $state() as T;
  /** True when the form opened with a saved draft. */
  restored = $state(false);
  #ready = false;
  readonly #draft: Draft<T>;
  readonly #initial: () => T;

  constructor(key: string, initial: () => T, isEmpty?: (value: T) => boolean) {
    this.#initial = initial;
    this.value = initial();
    this.#draft = new Draft<T>(draftStore, key, { isEmpty });
    void this.#draft.load().then((saved) => {
      if (saved) {
        this.value = { ...initial(), ...saved };
        this.restored = true;
      }
      this.#ready = true;
    });
    $effect(() => {
      const snapshot = $state.snapshot(this.value) as T;
      if (this.#ready) this.#draft.update(snapshot);
    });
    open.add(this);
    onDestroy(() => {
      open.delete(this);
      void this.#draft.flush();
    });
  }

  /** The id of the record a save of this form creates; send it with the save. */
  get id(): string {
    return this.#draft.id;
  }

  /**
   * Writes the draft, with its id, before the save is sent: if the app dies
   * mid-save, the reopened form sends the same id and finds the record.
   */
  flush(): Promise<void> {
    if (this.#ready) this.#draft.update($state.snapshot(this.value) as T);
    return this.#draft.flush();
  }

  /** Starts over from the initial values and forgets the draft. */
  discard(): void {
    this.value = this.#initial();
    this.restored = false;
    void this.#draft.clear();
  }

  /** After a successful save: the draft must not come back. */
  saved(): Promise<void> {
    this.restored = false;
    return this.#draft.clear();
  }
}
