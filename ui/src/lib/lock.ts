// The app's lock (DESIGN §7), as plain logic: the idle clock that decides
// when an unlocked, PIN-keyed app locks itself, what a new PIN must be, and
// which open forms hold a lock off. Screens wire these to the DOM and the
// commands; the tests run them with a fake clock.
import { chars, type FieldError } from './forms';

/** How often the idle clock is looked at; a lock fires at most this late. */
export const IDLE_CHECK_MS = 15_000;

/**
 * Time since the user last touched the app. `due` once `minutes` have passed
 * without a touch (0: never). It counts wall-clock time, not timer ticks: a
 * phone that slept with the app open is due as soon as it wakes.
 */
export class IdleClock {
  #last: number;
  #minutes: number;

  constructor(minutes: number, now: number) {
    this.#minutes = minutes;
    this.#last = now;
  }

  get minutes(): number {
    return this.#minutes;
  }

  /** A touch, a key, a scroll: the user is here. */
  touch(now: number): void {
    this.#last = now;
  }

  /** A new setting counts from now, so choosing 5 minutes never locks at once. */
  set(minutes: number, now: number): void {
    this.#minutes = minutes;
    this.#last = now;
  }

  due(now: number): boolean {
    return this.#minutes > 0 && now - this.#last >= this.#minutes * 60_000;
  }
}

/** The set-PIN form: the PIN typed twice. */
export interface NewPinForm {
  pin: string;
  again: string;
}

export type NewPinErrors = Partial<Record<keyof NewPinForm, FieldError>>;

/**
 * What the set-PIN step checks before anything is sent: at least `min`
 * characters (the device's `PIN_MIN`, sent in LockState), no spaces at
 * either end, and typed the same twice. The device checks the PIN again.
 */
export function validateNewPin(form: NewPinForm, min: number): NewPinErrors {
  const errors: NewPinErrors = {};
  if (form.pin === '') errors.pin = { key: 'validation.required', field: 'pin.new' };
  else if (chars(form.pin) < min) errors.pin = { key: 'pin.tooShort', field: 'pin.new', min };
  else if (form.pin.trim() !== form.pin) errors.pin = { key: 'pin.spaces', field: 'pin.new' };
  if (form.again === '') errors.again = { key: 'validation.required', field: 'pin.again' };
  else if (!errors.pin && form.again !== form.pin) errors.again = { key: 'pin.mismatch', field: 'pin.again' };
  return errors;
}

/**
 * Forms that keep no draft (a step on an issue, a wish or a case) hold the
 * idle lock off while they hold typed text: a lock would lose it. Forms
 * with a draft (new records, visits, household edits) never hold it: their
 * draft is written before the lock and is there after it.
 */
export class LockHolds {
  #holds = new Set<() => boolean>();

  /** Registers `typed` (true while the form has unsaved text); returns the release. */
  hold(typed: () => boolean): () => void {
    this.#holds.add(typed);
    return () => {
      this.#holds.delete(typed);
    };
  }

  get held(): boolean {
    for (const typed of this.#holds) if (typed()) return true;
    return false;
  }
}

export const lockHolds = new LockHolds();

/** Whether any of a form's text fields has something typed in it. */
export function typedIn(form: object): boolean {
  return Object.values(form).some((v) => typeof v === 'string' && v.trim() !== '');
}
