// Mediation cases (矛盾纠纷调解): what each case step's form asks for, how a
// new case and a step are checked and built, and how a case's timeline
// details and figures read. Pure functions over the vocabulary the shell
// sends, so the rules are tested without a DOM.
//
// Which fields a step carries and which are required are the model's
// (`mediation_steps`); the words to choose from are the model's too
// (`mediation`). Only how a field looks is decided here, and which steps
// also write the private part in the same save (the device's
// `act_on_case`: a session's participants and notes, an agreement's terms).
import { lookupTerm, translate, type Dict, type Key, type TermKind } from './i18n';
import { blank, orNull, tooLong, type Errors, type FieldError, type Rules } from './forms';
import { formatDateTime } from './format';
import type { Count } from './charts';
import type { CaseAction, Limits, NewCase, NewParty, Rate } from './types';

// ---- case steps -----------------------------------------------------------

export type CaseField =
  | 'mediator' | 'reason' | 'held_on' | 'form' | 'perform_by' | 'referral' | 'note' | 'to' | 'days'
  | 'consent' | 'performance' | 'satisfaction' | 'risk' | 'court' | 'case_number' | 'confirmed'
  | 'participants' | 'notes' | 'terms';

export interface CaseActionForm {
  mediator: string;
  reason: string;
  /** As a datetime-local input holds it: YYYY-MM-DDTHH:MM, the device's local time. */
  held_on: string;
  form: string;
  /** As a date input holds it: YYYY-MM-DD. */
  perform_by: string;
  referral: string;
  note: string;
  to: string;
  /** As typed; a whole number of days. */
  days: string;
  /** 'yes' once the parties agreed to an extension, '' before. */
  consent: string;
  performance: string;
  satisfaction: string;
  risk: string;
  court: string;
  case_number: string;
  /** '', 'confirmed' or 'refused'. */
  confirmed: string;
  participants: string;
  notes: string;
  terms: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A Date as a datetime-local input's value, in local time. */
export function localDateTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A Date as a date input's value, in local time. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A session is usually recorded as it ends: the form starts at now. */
export function emptyCaseActionForm(now: Date = new Date()): CaseActionForm {
  return {
    mediator: '', reason: '', held_on: localDateTime(now), form: '', perform_by: '', referral: '', note: '',
    to: '', days: '', consent: '', performance: '', satisfaction: '', risk: '', court: '', case_number: '',
    confirmed: '', participants: '', notes: '', terms: '',
  };
}

export type CaseInput = 'text' | 'textarea' | 'datetime' | 'date' | 'days' | 'choice' | 'consent';

export interface CaseStepField {
  field: CaseField;
  label: Key;
  required: boolean;
  input: CaseInput;
  /** For a choice: the keys to choose from, and how to name them. */
  options?: string[];
  term?: TermKind;
  placeholder?: Key;
  /** Goes into the private part (parties' words, terms). */
  private?: boolean;
}

interface Look {
  label: Key;
  input: CaseInput;
  placeholder?: Key;
}

/** How each field looks; a step may name the same field differently (`step.field`). */
const LOOK: Partial<Record<CaseField | `${string}.${CaseField}`, Look>> = {
  mediator: { label: 'field.mediator', input: 'text' },
  'decline.reason': { label: 'field.declineReason', input: 'textarea' },
  'transfer.reason': { label: 'field.transferReason', input: 'textarea' },
  'extend.reason': { label: 'field.extendReason', input: 'textarea' },
  reason: { label: 'field.reason', input: 'textarea' },
  held_on: { label: 'field.heldOn', input: 'datetime' },
  form: { label: 'field.form', input: 'choice' },
  perform_by: { label: 'field.performBy', input: 'date' },
  referral: { label: 'field.referral', input: 'choice' },
  'perform.note': { label: 'field.performNote', input: 'textarea' },
  'close.note': { label: 'field.closeNote', input: 'textarea' },
  note: { label: 'field.note', input: 'textarea' },
  to: { label: 'field.to', input: 'choice' },
  days: { label: 'field.days', input: 'days' },
  consent: { label: 'field.consent', input: 'consent' },
  performance: { label: 'field.performance', input: 'choice' },
  satisfaction: { label: 'field.satisfaction', input: 'choice' },
  risk: { label: 'field.risk', input: 'textarea' },
  court: { label: 'field.court', input: 'text' },
  case_number: { label: 'field.caseNumber', input: 'text', placeholder: 'field.caseNumberPlaceholder' },
  confirmed: { label: 'field.confirmed', input: 'choice' },
  participants: { label: 'field.participants', input: 'text' },
  notes: { label: 'field.sessionNotes', input: 'textarea' },
  terms: { label: 'field.terms', input: 'textarea' },
};

/** What a step writes into the private part in the same save, as act_on_case does. */
export const CASE_PRIVATE_FIELDS: Record<string, CaseField[]> = {
  session: ['participants', 'notes'],
  agree: ['terms'],
};

export interface CaseStepOptions {
  /** The user writes the private part (community and street staff). */
  mayPrivate: boolean;
  /** The mediation the case is under now: a transfer offers the others. */
  kind?: string | null;
}

function choices(rules: Rules | null, field: CaseField, kind: string | null | undefined): { options: string[]; term: TermKind } | null {
  const w = rules?.mediation;
  switch (field) {
    case 'form': return { options: w?.agreement_forms ?? [], term: 'agreementForm' };
    case 'referral': return { options: w?.referrals ?? [], term: 'referral' };
    case 'to': return { options: (w?.kinds ?? []).filter((k) => k !== kind), term: 'mediationKind' };
    case 'performance': return { options: w?.performances ?? [], term: 'performance' };
    case 'satisfaction': return { options: w?.satisfactions ?? [], term: 'satisfaction' };
    case 'confirmed': return { options: ['confirmed', 'refused'], term: 'ruling' };
    default: return null;
  }
}

/**
 * The fields of `step` in the model's order, then its private ones for a
 * user who writes them; null when the rules are not known (no vocabulary).
 */
export function caseStepFields(rules: Rules | null, step: string, opts: CaseStepOptions): CaseStepField[] | null {
  if (!rules?.mediation_steps) return null;
  const sent = rules.mediation_steps.find((s) => s.step === step)?.fields ?? [];
  const out: CaseStepField[] = [];
  for (const f of sent) {
    const field = f.name as CaseField;
    const look = LOOK[`${step}.${field}`] ?? LOOK[field];
    if (!look) continue;
    const c = choices(rules, field, opts.kind);
    out.push({ field, required: f.required, ...look, ...(c ? { options: c.options, term: c.term } : {}) });
  }
  if (opts.mayPrivate) {
    for (const field of CASE_PRIVATE_FIELDS[step] ?? []) {
      const look = LOOK[field]!;
      out.push({ field, required: false, private: true, ...look });
    }
  }
  return out;
}

/** A datetime-local or date value as a local Date; null when it is not one. */
export function parseLocal(value: string, endOfDay = false): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const date = m[4] !== undefined
    ? new Date(y, mo, d, Number(m[4]), Number(m[5]))
    : endOfDay ? new Date(y, mo, d, 23, 59) : new Date(y, mo, d);
  // 2026-02-30 rolls over to March: not a date anyone meant.
  return date.getFullYear() === y && date.getMonth() === mo && date.getDate() === d ? date : null;
}

const WHOLE = /^\d+$/;

export function validateCaseAction(
  rules: Rules | null, step: string, form: CaseActionForm, opts: CaseStepOptions, now: Date = new Date(),
): Errors<CaseField> {
  const errors: Errors<CaseField> = {};
  const limits = rules?.limits;
  for (const f of caseStepFields(rules, step, opts) ?? []) {
    const required: FieldError = { key: f.input === 'choice' ? 'validation.choose' : 'validation.required', field: f.label };
    switch (f.input) {
      case 'text':
      case 'textarea': {
        const value = form[f.field];
        const long = tooLong(value, limits, f.label);
        if (long) errors[f.field] = long;
        else if (f.required && blank(value)) errors[f.field] = required;
        break;
      }
      case 'datetime':
        if (f.required && parseLocal(form.held_on) === null) errors[f.field] = required;
        break;
      case 'date': {
        const d = parseLocal(form.perform_by, true);
        if (d === null) {
          if (f.required || !blank(form.perform_by)) errors[f.field] = required;
        } else if (d.getTime() < now.getTime()) {
          errors[f.field] = { key: 'validation.notPast', field: f.label };
        }
        break;
      }
      case 'days': {
        const max = limits?.extension_days_max ?? Number.MAX_SAFE_INTEGER;
        const v = form.days.trim();
        if (!WHOLE.test(v) || Number(v) < 1 || Number(v) > max) {
          errors[f.field] = limits
            ? { key: 'validation.value', field: f.label, min: 1, max }
            : { key: 'validation.number', field: f.label };
        }
        break;
      }
      case 'consent':
        if (f.required && form.consent !== 'yes') errors[f.field] = { key: 'validation.consent', field: f.label };
        break;
      case 'choice':
        if (f.required && !(f.options ?? []).includes(form[f.field])) errors[f.field] = required;
        break;
    }
  }
  return errors;
}

/** The CaseAction for a step, carrying only the fields that step uses. */
export function buildCaseAction(rules: Rules | null, step: string, form: CaseActionForm, opts: CaseStepOptions): CaseAction {
  const action: CaseAction = {
    step, mediator: null, reason: null, held_on: null, form: null, perform_by: null, referral: null, note: null,
    to: null, days: null, consent: null, performance: null, satisfaction: null, risk: null, court: null,
    case_number: null, confirmed: null, participants: null, notes: null, terms: null,
  };
  for (const f of caseStepFields(rules, step, opts) ?? []) {
    switch (f.field) {
      case 'held_on':
        action.held_on = parseLocal(form.held_on)?.toISOString() ?? null;
        break;
      case 'perform_by':
        // A deadline date means the whole of that day, on this device's clock.
        action.perform_by = parseLocal(form.perform_by, true)?.toISOString() ?? null;
        break;
      case 'days':
        action.days = WHOLE.test(form.days.trim()) ? Number(form.days.trim()) : null;
        break;
      case 'consent':
        action.consent = form.consent === 'yes';
        break;
      case 'confirmed':
        action.confirmed = form.confirmed === '' ? null : form.confirmed === 'confirmed';
        break;
      default:
        action[f.field] = orNull(form[f.field]);
    }
  }
  return action;
}

// ---- a new case -----------------------------------------------------------

export interface PartyForm { name: string; id_number: string; phone: string; address: string }
export const emptyParty = (): PartyForm => ({ name: '', id_number: '', phone: '', address: '' });

export interface CaseHouseholdChoice { id: string; label: string }

export interface CaseForm {
  case_type: string;
  /** '1' to '3'. */
  warning: string;
  /** As typed. */
  people: string;
  summary: string;
  households: CaseHouseholdChoice[];
  grid: string;
  /** '' is the device's default. */
  scale: string;
  source: string;
  kind: string;
  parties: PartyForm[];
  facts: string;
}

export function emptyCaseForm(grid = '', households: CaseHouseholdChoice[] = []): CaseForm {
  return {
    case_type: 'neighbour', warning: '3', people: '2', summary: '', households, grid,
    scale: '', source: '', kind: '', parties: [], facts: '',
  };
}

/** Where a new case comes from: a visit or an issue fills in what it says. */
export interface CaseOrigin { visit?: string | null; issue?: string | null }

export type PartyField = keyof PartyForm;
export type CaseFormField =
  | 'case_type' | 'warning' | 'people' | 'summary' | 'grid' | 'facts' | `party.${number}.${PartyField}`;

const ID_NUMBER = /^\d{17}[\dXx]$/;
const MOBILE = /^1\d{10}$/;

const partyEmpty = (p: PartyForm) => blank(p.name) && blank(p.id_number) && blank(p.phone) && blank(p.address);

export function validateCaseForm(limits: Limits | null, form: CaseForm, origin: CaseOrigin = {}): Errors<CaseFormField> {
  const errors: Errors<CaseFormField> = {};
  if (blank(form.case_type)) errors.case_type = { key: 'validation.choose', field: 'caseNew.type' };
  const fromRecord = !!origin.visit || !!origin.issue;
  const long = tooLong(form.summary, limits, 'caseNew.summary');
  if (long) errors.summary = long;
  else if (!fromRecord && blank(form.summary)) errors.summary = { key: 'validation.required', field: 'caseNew.summary' };
  const people = form.people.trim();
  const max = limits?.people_max ?? Number.MAX_SAFE_INTEGER;
  if (!WHOLE.test(people) || Number(people) < 1 || Number(people) > max) {
    errors.people = limits ? { key: 'validation.value', field: 'caseNew.people', min: 1, max } : { key: 'validation.number', field: 'caseNew.people' };
  }
  const w = Number(form.warning);
  if (!WHOLE.test(form.warning) || (limits && (w < limits.warning_min || w > limits.warning_max))) {
    errors.warning = { key: 'validation.choose', field: 'caseNew.warning' };
  }
  if (!fromRecord && form.households.length === 0 && blank(form.grid)) {
    errors.grid = { key: 'validation.required', field: 'caseNew.grid' };
  }
  Object.assign(errors, validatePrivate(limits, form.parties, form.facts));
  return errors;
}

/** The private part of a form: each party that is not left empty needs a name. */
export function validatePrivate(limits: Limits | null, parties: PartyForm[], facts: string): Errors<CaseFormField> {
  const errors: Errors<CaseFormField> = {};
  const longFacts = tooLong(facts, limits, 'caseNew.facts');
  if (longFacts) errors.facts = longFacts;
  parties.forEach((p, i) => {
    if (partyEmpty(p)) return;
    if (blank(p.name)) errors[`party.${i}.name`] = { key: 'validation.partyName', field: 'caseNew.partyName' };
    else if (limits && [...p.name.trim()].length > limits.name_max) {
      errors[`party.${i}.name`] = { key: 'validation.tooLong', field: 'caseNew.partyName', n: limits.name_max };
    }
    if (!blank(p.id_number) && !ID_NUMBER.test(p.id_number.trim())) {
      errors[`party.${i}.id_number`] = { key: 'validation.idNumber', field: 'caseNew.partyIdNumber' };
    }
    if (!blank(p.phone) && !MOBILE.test(p.phone.replace(/[\s-]/g, ''))) {
      errors[`party.${i}.phone`] = { key: 'validation.mobile', field: 'caseNew.partyPhone' };
    }
    const longAddress = tooLong(p.address, limits, 'caseNew.partyAddress');
    if (longAddress) errors[`party.${i}.address`] = longAddress;
  });
  return errors;
}

/** The parties worth sending: rows left entirely empty are dropped. */
export function buildParties(parties: PartyForm[]): NewParty[] {
  return parties.filter((p) => !partyEmpty(p)).map((p) => ({
    name: p.name.trim(),
    id_number: orNull(p.id_number.toUpperCase()),
    phone: orNull(p.phone.replace(/[\s-]/g, '')),
    address: p.address.trim(),
  }));
}

/**
 * `id` is the draft's: saving the same draft again names the same case.
 * Parties and facts go only from a user who writes the private part.
 */
export function buildNewCase(form: CaseForm, origin: CaseOrigin, id: string | null, mayPrivate: boolean): NewCase {
  const households = form.households.map((h) => h.id);
  const fromRecord = !!origin.visit || !!origin.issue;
  const people = Number(form.people.trim());
  return {
    id,
    from_visit: origin.visit ?? null,
    households: origin.visit ? [] : households,
    grid: fromRecord || households.length > 0 ? null : orNull(form.grid),
    case_type: orNull(form.case_type),
    scale: orNull(form.scale),
    people: Number.isInteger(people) && people > 0 ? people : null,
    warning: WHOLE.test(form.warning) ? Number(form.warning) : null,
    source: orNull(form.source),
    kind: orNull(form.kind),
    summary: form.summary.trim(),
    parties: mayPrivate ? buildParties(form.parties) : [],
    facts: mayPrivate ? form.facts.trim() : '',
  };
}

/** The issue categories whose issues may become a case (转为调解), and the type they become. */
export const CASE_TYPE_OF_CATEGORY: Record<string, string> = { 邻里纠纷: 'neighbour', 物业: 'property' };

// ---- reading a case -------------------------------------------------------

/**
 * A case event's detail in the user's language. The shell sends its parts
 * joined by " · ": the model's keys and times first, free text last (which
 * may itself hold " · ", so it is rejoined).
 */
export function formatCaseEventDetail(step: string, detail: string, dict: Dict): string {
  if (detail === '') return '';
  const parts = detail.split(' · ');
  const rest = (from: number) => parts.slice(from).join(' · ');
  const join = (xs: string[]) => xs.filter((x) => x !== '').join(' · ');
  const term = (kind: TermKind, key: string | undefined) => lookupTerm(dict, kind, key ?? '');
  switch (step) {
    case 'session':
      return translate(dict, 'common.labelled', { label: translate(dict, 'field.heldOn'), value: formatDateTime(detail, dict) || detail });
    case 'agree':
      return join([term('agreementForm', parts[0]), translate(dict, 'common.labelled', {
        label: translate(dict, 'case.performBy'), value: formatDateTime(rest(1), dict) || rest(1),
      })]);
    case 'fail':
      return join([term('referral', parts[0]), rest(1)]);
    case 'transfer':
      return join([term('mediationKind', parts[0]), rest(1)]);
    case 'extend':
      return join([translate(dict, 'caseEvent.extendDays', { n: parts[0] }), rest(1)]);
    case 'follow-up':
      return join([term('performance', parts[0]), term('satisfaction', parts[1]), rest(2)]);
    case 'court-rule':
      return term('ruling', detail);
    case 'accept':
      return translate(dict, 'common.labelled', { label: translate(dict, 'case.mediator'), value: detail });
    default:
      return detail;
  }
}

/** A rate as a whole percentage ("91%"), or a dash when nothing was counted yet. */
export function formatRate(r: Rate): string {
  if (r.rate === null || r.of === 0) return '—';
  return `${Math.round(r.rate * 1000) / 10}%`;
}

/** The share of a rate's bar to fill, 0 to 100. */
export function rateFill(r: Rate): number {
  if (r.rate === null || r.of === 0) return 0;
  return Math.max(0, Math.min(100, r.rate * 100));
}

/** A step form holds nothing the user typed or chose (the session time is prefilled). */
export function caseActionFormEmpty(form: CaseActionForm): boolean {
  return (Object.keys(form) as CaseField[]).every((k) => k === 'held_on' || form[k].trim() === '');
}

/** Counts for every key of `keys`, in that order, a missing one as 0; keys it does not know follow. */
export function withZeros(counts: Count[], keys: readonly string[]): Count[] {
  const known = keys.map((key) => ({ key, n: counts.find((c) => c.key === key)?.n ?? 0 }));
  return [...known, ...counts.filter((c) => !keys.includes(c.key))];
}
