// Dates, relative times, ID masking: pure functions over a dictionary so both
// languages share one code path and tests need no clock.
import { lookupTerm, translate, type Dict, type Key } from './i18n';

/**
 * Reads the instants the backend sends: RFC 3339 (with Z or an offset), a
 * plain "YYYY-MM-DD HH:MM[:SS]" (local), a bare date (local midnight), or
 * epoch milliseconds.
 */
export function parseInstant(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const s = value.trim();
  if (s === '') return null;
  if (/^\d{10,13}$/.test(s)) {
    const n = Number(s);
    return new Date(s.length === 10 ? n * 1000 : n);
  }
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (dateOnly) return new Date(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3]));
  const local = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (local) {
    return new Date(
      Number(local[1]), Number(local[2]) - 1, Number(local[3]),
      Number(local[4]), Number(local[5]), Number(local[6] ?? 0),
    );
  }
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number) => String(n).padStart(2, '0');

function parts(d: Date) {
  return {
    y: d.getFullYear(),
    m: d.getMonth() + 1,
    d: d.getDate(),
    m2: pad(d.getMonth() + 1),
    d2: pad(d.getDate()),
    hh: pad(d.getHours()),
    mm: pad(d.getMinutes()),
  };
}

/** 2026年11月28日 14:05 in Chinese, 2026-11-28 14:05 in English. */
export function formatDateTime(value: string | Date | null | undefined, dict: Dict): string {
  const d = value instanceof Date ? value : parseInstant(value);
  return d ? translate(dict, 'time.dateTime', parts(d)) : '';
}

/** 2026年11月28日 in Chinese, 2026-11-28 in English. */
export function formatDate(value: string | Date | null | undefined, dict: Dict): string {
  const d = value instanceof Date ? value : parseInstant(value);
  return d ? translate(dict, 'time.date', parts(d)) : '';
}

/** 11月28日 / 11-28, for chart axes. */
export function formatMonthDay(value: string | Date | null | undefined, dict: Dict): string {
  const d = value instanceof Date ? value : parseInstant(value);
  return d ? translate(dict, 'time.monthDay', parts(d)) : '';
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "3 小时前" / "3 hours ago" for recent instants, "2 天后" for near deadlines;
 * beyond `maxDays` it falls back to the full date and time.
 */
export function formatRelative(
  value: string | Date | null | undefined,
  now: Date,
  dict: Dict,
  maxDays = 7,
): string {
  const d = value instanceof Date ? value : parseInstant(value);
  if (!d) return '';
  const diff = now.getTime() - d.getTime();
  const abs = Math.abs(diff);
  if (abs < MINUTE) return translate(dict, 'time.justNow');
  if (abs >= maxDays * DAY) return formatDateTime(d, dict);
  const past = diff > 0;
  if (abs < HOUR) {
    const n = Math.floor(abs / MINUTE);
    return translate(dict, past ? 'time.minutesAgo' : 'time.inMinutes', { n });
  }
  if (abs < DAY) {
    const n = Math.floor(abs / HOUR);
    return translate(dict, past ? 'time.hoursAgo' : 'time.inHours', { n });
  }
  const n = Math.floor(abs / DAY);
  return translate(dict, past ? 'time.daysAgo' : 'time.inDays', { n });
}

/** Whole days between an instant and now; null when there is no instant. */
export function daysSince(value: string | null | undefined, now: Date): number | null {
  const d = parseInstant(value);
  if (!d) return null;
  return Math.floor((now.getTime() - d.getTime()) / DAY);
}

/**
 * Masks a national ID number the way the backend does (5227**********123X):
 * the first four and last four characters stay, the rest become stars.
 * Short values are masked whole, so nothing leaks from a malformed number.
 */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 8) return '*'.repeat(s.length);
  return s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

/** True when a value is masked (contains a star), as the backend sends it. */
export function isMasked(id: string): boolean {
  return id.includes('*');
}

/** How long a revealed ID number stays on screen. */
export const REVEAL_MS = 10_000;

/** Seconds left, rounded up, for the "hides in N s" countdown. */
export function secondsLeft(revealedAt: number, now: number, ms = REVEAL_MS): number {
  return Math.max(0, Math.ceil((revealedAt + ms - now) / 1000));
}

/**
 * The compact scope the backend keeps (grids:G1,G2 · households:… ·
 * community:CODE · street:CODE · department:NAME · everything) in words.
 */
export function formatScope(scope: string, dict: Dict, name: (code: string) => string = (c) => c): string {
  const s = scope.trim();
  const colon = s.indexOf(':');
  const kind = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? '' : s.slice(colon + 1).trim();
  const items = rest.split(',').map((x) => x.trim()).filter((x) => x !== '');
  // Names (placeName) say what they are (第1网格, 平桥社区); bare codes need the word.
  const named = items.length > 0 && items.every((c) => name(c) !== c);
  switch (kind) {
    case 'grids':
    case 'grid':
      if (named) return items.map((c) => name(c)).join(translate(dict, 'common.listSep'));
      return translate(dict, 'scope.grids', { n: items.length, list: items.join(translate(dict, 'common.listSep')) });
    case 'households':
      return translate(dict, 'scope.households', { n: items.length });
    case 'community':
      if (name(rest) !== rest) return name(rest);
      return translate(dict, 'scope.community', { code: rest });
    case 'street':
      return translate(dict, 'scope.street', { code: rest });
    case 'department':
      return translate(dict, 'scope.department', { name: rest });
    case 'everything':
      return translate(dict, 'scope.everything');
    default:
      return scope;
  }
}

/**
 * A timeline event's detail with the words the backend leaves as keys put
 * into the user's language: dispatch ends in the grade ("城管 · urgent"),
 * evaluate starts with the verdict ("unsatisfied · 王阿姨 · 还是漏水").
 */
export function formatEventDetail(step: string, detail: string, dict: Dict): string {
  if (detail === '') return '';
  const parts = detail.split(' · ');
  if (step === 'dispatch' && parts.length >= 2) {
    parts[parts.length - 1] = lookupTerm(dict, 'grade', parts[parts.length - 1]);
  } else if (step === 'evaluate') {
    if (parts[0] === 'satisfied') parts[0] = translate(dict, 'satisfied.yes');
    else if (parts[0] === 'unsatisfied') parts[0] = translate(dict, 'satisfied.no');
  }
  return parts.join(' · ');
}

/** A deadline in words: how long ago it passed, or how long is left. */
export interface DeadlineWords {
  text: string;
  /** The deadline has passed (red). */
  overdue: boolean;
}

/**
 * "已超期 4 天" / "4 days overdue" for a missed deadline, "还剩 5 小时" /
 * "5 hours left" for a coming one: whole days from a day on, whole hours from
 * an hour on, else minutes (at least 1, so a deadline never reads "0").
 * A settled record's deadline is history: callers show its date instead.
 */
export function formatDeadline(
  value: string | Date | null | undefined,
  now: Date,
  dict: Dict,
): DeadlineWords | null {
  const d = value instanceof Date ? value : parseInstant(value);
  if (!d) return null;
  const diff = now.getTime() - d.getTime();
  const abs = Math.abs(diff);
  const [unit, n] =
    abs >= DAY ? ['Days', Math.floor(abs / DAY)]
    : abs >= HOUR ? ['Hours', Math.floor(abs / HOUR)]
    : ['Minutes', Math.max(1, Math.floor(abs / MINUTE))];
  const overdue = diff > 0;
  const key = `time.${overdue ? 'overdue' : 'left'}${unit}` as Key;
  return { text: translate(dict, key, { n }), overdue };
}
