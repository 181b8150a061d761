// Turns whatever a command rejected with into words for the user. The code is
// what we branch on; the core sends the message in each language apart (`zh`,
// `en`) and we show the user's, plus a hint for what to do next.
import { translate, type Dict, type Key, type Lang } from './i18n';

export const ERROR_CODES = [
  'invalid', 'refused', 'not_found', 'not_initialised', 'already_initialised',
  'conflict', 'not_enrolled', 'offline', 'hub_refused', 'internal',
  // The lock (DESIGN §7): the store's key, a PIN to set or type.
  'locked', 'not_locked', 'cannot_lock', 'pin_new', 'pin_needed', 'wrong_pin', 'key',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ShownError {
  code: ErrorCode;
  /** The message in the user's language. */
  text: string;
  /** What to do about it. */
  hint: string;
}

function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && (ERROR_CODES as readonly string[]).includes(s);
}

/** A message from the core: both languages apart. */
export interface Msg {
  zh: string;
  en: string;
}

/** The half of a core message in the user's language. */
export function pick(m: Msg | null | undefined, lang: Lang): string {
  if (!m) return '';
  return lang === 'en' ? m.en : m.zh;
}

/** Normalises anything thrown or rejected into `{code, zh, en}`. */
export function toAppError(err: unknown): { code: ErrorCode } & Msg {
  if (err && typeof err === 'object' && 'code' in err) {
    const e = err as { code: unknown; zh?: unknown; en?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : '';
    return {
      code: isErrorCode(e.code) ? e.code : 'internal',
      zh: typeof e.zh === 'string' ? e.zh : message,
      en: typeof e.en === 'string' ? e.en : message,
    };
  }
  if (err instanceof Error) return { code: 'internal', zh: err.message, en: err.message };
  if (typeof err === 'string') {
    // A string may itself be a JSON AppError.
    try {
      const parsed: unknown = JSON.parse(err);
      if (parsed && typeof parsed === 'object' && 'code' in parsed) return toAppError(parsed);
    } catch {
      /* a plain string */
    }
    return { code: 'internal', zh: err, en: err };
  }
  return { code: 'internal', zh: '', en: '' };
}

export function describeError(err: unknown, lang: Lang, dict: Dict): ShownError {
  const e = toAppError(err);
  const text = pick(e, lang) || translate(dict, 'error.unknown');
  return { code: e.code, text, hint: translate(dict, `hint.${e.code}` as Key) };
}
