// Pure translation helpers; the reactive `t` lives in ../app.svelte.ts.
import { zhCN, type Key } from './zh-CN';
import { en } from './en';

export type { Key };
export type Lang = 'zh-CN' | 'en';
export type Dict = Record<Key, string>;
export type Params = Record<string, string | number>;

export const dictionaries: Record<Lang, Dict> = { 'zh-CN': zhCN, en };

export function isLang(s: unknown): s is Lang {
  return s === 'zh-CN' || s === 'en';
}

/**
 * Fills `{name}` from params, and `{n:one|other}` with the singular form when
 * n is 1, so English can say "1 change" and "3 changes" from one entry.
 */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)(?::([^|}]*)\|([^}]*))?\}/g, (whole, name: string, one?: string, other?: string) => {
    if (!(name in params)) return whole;
    const value = params[name];
    if (one !== undefined && other !== undefined) return Number(value) === 1 ? one : other;
    return String(value);
  });
}

export function translate(dict: Dict, key: Key, params?: Params): string {
  return interpolate(dict[key] ?? key, params);
}

/** Kinds of backend words that the dictionaries translate, by key prefix. */
export type TermKind =
  | 'cat' | 'wishCat' | 'tag' | 'issueState' | 'wishState' | 'step' | 'role'
  | 'syncState' | 'relation' | 'gender' | 'visitKind' | 'refusedKind' | 'grade' | 'urgency'
  // Mediation cases (矛盾纠纷调解), by the model's keys.
  | 'caseType' | 'caseState' | 'caseStep' | 'scale' | 'source' | 'mediationKind' | 'agreementForm'
  | 'referral' | 'performance' | 'satisfaction' | 'confirmation' | 'ruling' | 'warning'
  // Deliberation topics (居民议事), by the model's keys.
  | 'topicState' | 'topicStep' | 'proposer' | 'memberType' | 'meetingType';

/** A backend word in the user's language; an unknown word is shown as it came. */
export function lookupTerm(dict: Dict, kind: TermKind, raw: string | null | undefined): string {
  if (raw === null || raw === undefined || raw === '') return '';
  // Backend words arrive as the model spells them (`withdraw-claim`, `grid-worker`).
  const key = `${kind}.${raw.trim()}`;
  return (dict as Record<string, string>)[key] ?? raw;
}

/** "handle / feed back" → "Handle / feed back", for buttons and titles; Chinese is unchanged. */
export function capitalise(s: string): string {
  return s.replace(/^[a-z]/, (c) => c.toUpperCase());
}
