import { describe, expect, it } from 'vitest';
import { IdleClock, LockHolds, typedIn, validateNewPin } from '../src/lib/lock';

const MIN = 60_000;

describe('IdleClock', () => {
  it('is due once the minutes pass without a touch, not before', () => {
    const c = new IdleClock(15, 0);
    expect(c.due(15 * MIN - 1), 'a second short of 15 minutes').toBe(false);
    expect(c.due(15 * MIN), 'at 15 minutes').toBe(true);
  });
  it('counts from the last touch', () => {
    const c = new IdleClock(5, 0);
    c.touch(4 * MIN);
    expect(c.due(8 * MIN), 'four minutes after the touch').toBe(false);
    expect(c.due(9 * MIN), 'five minutes after the touch').toBe(true);
  });
  it('never locks when off', () => {
    const c = new IdleClock(0, 0);
    expect(c.due(1_000 * MIN)).toBe(false);
  });
  it('counts a new setting from when it was chosen, so choosing 5 minutes does not lock at once', () => {
    const c = new IdleClock(0, 0);
    c.set(5, 60 * MIN);
    expect(c.due(60 * MIN + 1)).toBe(false);
    expect(c.due(65 * MIN)).toBe(true);
    expect(c.minutes).toBe(5);
  });
  it('goes by the wall clock: a phone that slept past the minutes is due when it wakes', () => {
    const c = new IdleClock(15, 0);
    // No ticks in between (timers stop while asleep): only the next look.
    expect(c.due(3 * 60 * MIN)).toBe(true);
  });
});

describe('validateNewPin', () => {
  it('accepts a PIN of the least length typed the same twice', () => {
    expect(validateNewPin({ pin: '246810', again: '246810' }, 6)).toEqual({});
  });
  it('asks for both fields', () => {
    const e = validateNewPin({ pin: '', again: '' }, 6);
    expect(e.pin?.key).toBe('validation.required');
    expect(e.again?.key).toBe('validation.required');
  });
  it('refuses a short PIN with the least length the device sent', () => {
    const e = validateNewPin({ pin: '12345', again: '12345' }, 6);
    expect(e.pin).toEqual({ key: 'pin.tooShort', field: 'pin.new', min: 6 });
    expect(e.again, 'the second field is not blamed for the first').toBeUndefined();
    expect(validateNewPin({ pin: '1234567', again: '1234567' }, 8).pin?.min).toBe(8);
  });
  it('counts characters as the device does (code points)', () => {
    expect(validateNewPin({ pin: '网格通网格通', again: '网格通网格通' }, 6)).toEqual({});
    expect(validateNewPin({ pin: '😀😀😀', again: '😀😀😀' }, 6).pin?.key, 'three characters, six UTF-16 units').toBe('pin.tooShort');
  });
  it('refuses spaces at either end, which the device refuses too', () => {
    expect(validateNewPin({ pin: ' 246810', again: ' 246810' }, 6).pin?.key).toBe('pin.spaces');
  });
  it('says when the two differ', () => {
    expect(validateNewPin({ pin: '246810', again: '246811' }, 6).again?.key).toBe('pin.mismatch');
  });
});

describe('LockHolds', () => {
  it('holds while any registered form has typed text, and lets go when released', () => {
    const holds = new LockHolds();
    let text = '';
    const release = holds.hold(() => text !== '');
    expect(holds.held, 'an empty form does not hold the lock').toBe(false);
    text = '已上门查看';
    expect(holds.held, 'typed text holds it').toBe(true);
    release();
    expect(holds.held, 'a closed form holds nothing').toBe(false);
  });
  it('typedIn looks at text fields only, ignoring blanks', () => {
    expect(typedIn({ note: '  ', count: 3 })).toBe(false);
    expect(typedIn({ note: '', reason: '重复' })).toBe(true);
  });
});
