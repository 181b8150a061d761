// Turns whatever a command rejected with into words for the user. The code is
// what we branch on; the message is bilingual "中文 (English)" and we show the
// half in the user's language, plus a hint for what to do next.
import { translate, type Dict, type Key, type Lang } from './i18n';

export const ERROR_CODES = [
  'invalid', 'refused', 'not_found', 'not_initialised', 'already_initialised',
  'conflict', 'not_enrolled', 'offline', 'hub_refused', 'internal',
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

const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;

/**
 * Splits "中文说明 (English words)" into its halves. The English half is the
 * first bracketed tail with no Chinese in it, so brackets inside the English
 * ("(read-only copy)") and full-width brackets in the Chinese stay intact.
 * A message of several such parts ("离线 (offline): 无法连接 (cannot reach
 * the hub); 请稍后再试") is split part by part.
 */
export function splitBilingual(message: string): { zh: string; en: string } {
  const s = message.trim();
  const whole = splitOne(s);
  if (whole) return whole;
  // Parts end at a colon right after a bracket, or at a semicolon.
  const pieces = s.split(/((?<=\)):\s*|\s*[;；]\s*)/);
  if (pieces.length < 3) return { zh: s, en: s };
  const zh: string[] = [];
  const en: string[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    const part = splitOne(pieces[i].trim());
    const sep = i > 0 ? pieces[i - 1].trim() : '';
    const zhSep = sep === ':' ? '：' : sep === '' ? '' : '；';
    const enSep = sep === ':' ? ': ' : sep === '' ? '' : '; ';
    zh.push(zhSep, part ? part.zh : pieces[i].trim());
    // A part with no English is left out of the English text.
    if (part) en.push(en.length > 0 ? enSep : '', part.en);
  }
  const enText = en.join('');
  return { zh: zh.join(''), en: enText === '' ? s : enText };
}

function splitOne(s: string): { zh: string; en: string } | null {
  if (!s.endsWith(')')) return null;
  for (let i = s.indexOf('('); i > 0; i = s.indexOf('(', i + 1)) {
    const head = s.slice(0, i).trim();
    const tail = s.slice(i + 1, -1).trim();
    if (CJK.test(head) && !CJK.test(tail) && tail !== '' && balanced(tail)) return { zh: head, en: tail };
  }
  return null;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Normalises anything thrown or rejected into `{code, message}`. */
export function toAppError(err: unknown): { code: ErrorCode; message: string } {
  if (err && typeof err === 'object' && 'code' in err) {
    const e = err as { code: unknown; message?: unknown };
    return {
      code: isErrorCode(e.code) ? e.code : 'internal',
      message: typeof e.message === 'string' ? e.message : '',
    };
  }
  if (err instanceof Error) return { code: 'internal', message: err.message };
  if (typeof err === 'string') {
    // A string may itself be a JSON AppError from an older shell.
    try {
      const parsed: unknown = JSON.parse(err);
      if (parsed && typeof parsed === 'object' && 'code' in parsed) return toAppError(parsed);
    } catch {
      /* a plain string */
    }
    return { code: 'internal', message: err };
  }
  return { code: 'internal', message: '' };
}

export function describeError(err: unknown, lang: Lang, dict: Dict): ShownError {
  const { code, message } = toAppError(err);
  const halves = splitBilingual(message);
  const text = (lang === 'en' ? halves.en : halves.zh) || translate(dict, 'error.unknown');
  return { code, text, hint: translate(dict, `hint.${code}` as Key) };
}
