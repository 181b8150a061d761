// What each form and workflow step asks for, how it is checked, and how the
// command argument is built from it. Components only bind inputs to these
// plain objects, so the rules are tested without a DOM.
//
// The bounds and which step fields are required are the model's, sent with
// the vocabulary (`Rules`); this module only says how each field looks.
// Lengths count characters as the model does (Unicode scalar values).
import type { Key } from './i18n';
import type {
  Created, HouseholdEdit, IssueAction, Limits, NewIssue, NewVisit, NewWish, StepFields, Vocabulary, WishAction,
} from './types';

/** What the device checks, as the vocabulary sends it. */
export type Rules = Pick<Vocabulary, 'limits' | 'issue_steps' | 'wish_steps' | 'mediation_steps' | 'mediation'>;

/** Length as the model counts it: code points, not UTF-16 units. */
export const chars = (s: string) => [...s].length;

/** A message to show beside a field: `key` with the field's label filled in. */
export interface FieldError { key: Key; field: Key; n?: number; min?: number; max?: number }
export type Errors<F extends string> = Partial<Record<F, FieldError>>;

/** What a create's answer tells the user: saved, or saved already (the same draft sent again). */
export function savedWord(created: Created): Key {
  return created.already_saved ? 'toast.alreadySaved' : 'toast.saved';
}

export function hasErrors(errors: Record<string, unknown>): boolean {
  return Object.keys(errors).length > 0;
}

export const blank = (s: string | null | undefined) => (s ?? '').trim() === '';
export const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** "城管，环保、住建" → ["城管", "环保", "住建"]: commas of either width, 、 or newlines. */
export function splitList(s: string): string[] {
  return s.split(/[,，、;；\n]+/).map((x) => x.trim()).filter((x) => x !== '');
}

// ---- issue workflow steps -------------------------------------------------

export type IssueField =
  | 'reason' | 'into' | 'note' | 'departments' | 'grade' | 'feedback'
  | 'satisfied' | 'resident' | 'comment' | 'amount' | 'approve';

export interface IssueActionForm {
  reason: string;
  into: string;
  note: string;
  /** Comma-separated department names. */
  departments: string;
  /** urgent, normal, minor or ''. */
  grade: string;
  feedback: string;
  satisfied: '' | 'yes' | 'no';
  resident: string;
  comment: string;
  /** 申请延期: how much more, in the unit of the issue's limit (digits). */
  amount: string;
  /** 延期审批: approved, refused, or not chosen yet. */
  approve: '' | 'yes' | 'no';
}

export function emptyIssueActionForm(): IssueActionForm {
  return {
    reason: '', into: '', note: '', departments: '', grade: '', feedback: '',
    satisfied: '', resident: '', comment: '', amount: '', approve: '',
  };
}

export interface StepField<F extends string> {
  field: F;
  label: Key;
  required: boolean;
  input: 'text' | 'textarea' | 'grade' | 'satisfied' | 'amount' | 'approve';
}

type FieldLook = Pick<StepField<string>, 'label' | 'input'>;

/** How each issue step field is shown; which steps carry it is the model's. */
const ISSUE_FIELD_LOOK: Record<IssueField, FieldLook> = {
  reason: { label: 'field.reason', input: 'textarea' },
  into: { label: 'field.into', input: 'text' },
  note: { label: 'field.note', input: 'textarea' },
  departments: { label: 'field.departments', input: 'text' },
  grade: { label: 'field.grade', input: 'grade' },
  feedback: { label: 'field.feedback', input: 'textarea' },
  satisfied: { label: 'field.satisfied', input: 'satisfied' },
  resident: { label: 'field.resident', input: 'text' },
  comment: { label: 'field.comment', input: 'textarea' },
  amount: { label: 'field.extensionAmount', input: 'amount' },
  approve: { label: 'field.approve', input: 'approve' },
};

/**
 * The fields of `step` in the model's order, looked up in the sent rules;
 * null when the rules are not known (the vocabulary did not load).
 */
function stepFields<F extends string>(
  steps: StepFields[] | undefined, look: Record<F, FieldLook>, step: string,
): StepField<F>[] | null {
  if (!steps) return null;
  const found = steps.find((s) => s.step === step);
  return (found?.fields ?? [])
    .filter((f) => f.name in look)
    .map((f) => ({ field: f.name as F, required: f.required, ...look[f.name as F] }));
}

export const GRADES = ['urgent', 'normal', 'minor'] as const;

export function issueStepFields(rules: Rules | null, step: string): StepField<IssueField>[] | null {
  return stepFields(rules?.issue_steps, ISSUE_FIELD_LOOK, step);
}

/** A text over the model's limit, as a field error. */
export function tooLong(s: string, limits: Limits | null | undefined, field: Key): FieldError | undefined {
  if (limits && chars(s.trim()) > limits.text_max) return { key: 'validation.tooLong', field, n: limits.text_max };
  return undefined;
}

/**
 * The largest extension an issue's limit allows (its unit's, sent with the
 * issue); without one, the largest of any unit, and the device says the rest.
 */
export const EXTENSION_MAX_ANY = 720;

export function validateIssueAction(
  rules: Rules | null, step: string, form: IssueActionForm, extensionMax: number | null = null,
): Errors<IssueField> {
  const errors: Errors<IssueField> = {};
  for (const f of issueStepFields(rules, step) ?? []) {
    if (f.input === 'text' || f.input === 'textarea') {
      const long = tooLong(form[f.field] as string, rules?.limits, f.label);
      if (long) {
        errors[f.field] = long;
        continue;
      }
    }
    if (!f.required) continue;
    if (f.field === 'departments') {
      if (splitList(form.departments).length === 0) errors.departments = { key: 'validation.required', field: f.label };
    } else if (f.field === 'grade') {
      if (!(GRADES as readonly string[]).includes(form.grade)) errors.grade = { key: 'validation.choose', field: f.label };
    } else if (f.field === 'satisfied') {
      if (form.satisfied === '') errors.satisfied = { key: 'validation.choose', field: f.label };
    } else if (f.field === 'approve') {
      if (form.approve === '') errors.approve = { key: 'validation.choose', field: f.label };
    } else if (f.field === 'amount') {
      const max = extensionMax ?? EXTENSION_MAX_ANY;
      const text = form.amount.trim();
      if (text === '') errors.amount = { key: 'validation.required', field: f.label };
      else if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
        errors.amount = { key: 'validation.value', field: f.label, min: 1, max };
      }
    } else if (blank(form[f.field])) {
      errors[f.field] = { key: 'validation.required', field: f.label };
    }
  }
  return errors;
}

/** The IssueAction for a step, carrying only the fields that step uses. */
export function buildIssueAction(rules: Rules | null, step: string, form: IssueActionForm): IssueAction {
  const action: IssueAction = {
    step, reason: null, into: null, note: null, departments: [], grade: null,
    feedback: null, satisfied: null, resident: null, comment: null,
  };
  for (const f of issueStepFields(rules, step) ?? []) {
    switch (f.field) {
      case 'departments':
        action.departments = splitList(form.departments);
        break;
      case 'grade':
        action.grade = form.grade === '' ? null : form.grade;
        break;
      case 'satisfied':
        action.satisfied = form.satisfied === '' ? null : form.satisfied === 'yes';
        break;
      case 'amount':
        if (/^\d+$/.test(form.amount.trim())) action.amount = Number(form.amount.trim());
        break;
      case 'approve':
        if (form.approve !== '') action.approve = form.approve === 'yes';
        break;
      default:
        action[f.field] = orNull(form[f.field]);
    }
  }
  return action;
}

// ---- wish workflow steps --------------------------------------------------

export type WishField = 'note' | 'resident' | 'reason';
export interface WishActionForm { note: string; resident: string; reason: string }

export function emptyWishActionForm(): WishActionForm {
  return { note: '', resident: '', reason: '' };
}

/** How each wish step field is shown; which steps carry it is the model's. */
const WISH_FIELD_LOOK: Record<WishField, FieldLook> = {
  note: { label: 'field.fulfilNote', input: 'textarea' },
  resident: { label: 'field.resident', input: 'text' },
  reason: { label: 'field.withdrawReason', input: 'textarea' },
};

export function wishStepFields(rules: Rules | null, step: string): StepField<WishField>[] | null {
  return stepFields(rules?.wish_steps, WISH_FIELD_LOOK, step);
}

export function validateWishAction(rules: Rules | null, step: string, form: WishActionForm): Errors<WishField> {
  const errors: Errors<WishField> = {};
  for (const f of wishStepFields(rules, step) ?? []) {
    const long = tooLong(form[f.field], rules?.limits, f.label);
    if (long) errors[f.field] = long;
    else if (f.required && blank(form[f.field])) errors[f.field] = { key: 'validation.required', field: f.label };
  }
  return errors;
}

export function buildWishAction(rules: Rules | null, step: string, form: WishActionForm): WishAction {
  const action: WishAction = { step, note: null, resident: null, reason: null };
  for (const f of wishStepFields(rules, step) ?? []) action[f.field] = orNull(form[f.field]);
  return action;
}

// ---- new issue ------------------------------------------------------------

export interface IssueForm {
  category: string;
  description: string;
  location: string;
  /** '1', '2' or '3'. */
  urgency: string;
  grid: string;
}

export function emptyIssueForm(grid = ''): IssueForm {
  return { category: '', description: '', location: '', urgency: '2', grid };
}

export type IssueFormField = keyof IssueForm;

export function validateIssueForm(
  limits: Limits | null, form: IssueForm, householdId: string | null,
): Errors<IssueFormField> {
  const errors: Errors<IssueFormField> = {};
  if (blank(form.category)) errors.category = { key: 'validation.choose', field: 'issueNew.category' };
  if (blank(form.description)) errors.description = { key: 'validation.required', field: 'issueNew.description' };
  else {
    const long = tooLong(form.description, limits, 'issueNew.description');
    if (long) errors.description = long;
  }
  const longLocation = tooLong(form.location, limits, 'issueNew.location');
  if (longLocation) errors.location = longLocation;
  if (householdId === null && blank(form.grid)) errors.grid = { key: 'validation.choose', field: 'issueNew.grid' };
  return errors;
}

/** `id` is the draft's: saving the same draft again names the same issue. */
export function buildNewIssue(
  limits: Limits | null, form: IssueForm, householdId: string | null, id: string | null,
): NewIssue {
  const urgency = Number(form.urgency);
  const inRange = limits === null || (urgency >= limits.urgency_min && urgency <= limits.urgency_max);
  return {
    id,
    category: form.category.trim(),
    description: form.description.trim(),
    location: form.location.trim(),
    // Out of range (or unknown rules): the device's default.
    urgency: Number.isInteger(urgency) && inRange && form.urgency !== '' ? urgency : null,
    household_id: householdId,
    grid: householdId === null ? orNull(form.grid) : null,
  };
}

// ---- new wish -------------------------------------------------------------

export interface WishForm {
  title: string;
  category: string;
  /** As typed; a whole number of yuan. */
  value: string;
  description: string;
  grid: string;
}

export function emptyWishForm(grid = ''): WishForm {
  return { title: '', category: '', value: '', description: '', grid };
}

export type WishFormField = keyof WishForm;

export function validateWishForm(
  limits: Limits | null, form: WishForm, householdId: string | null,
): Errors<WishFormField> {
  const errors: Errors<WishFormField> = {};
  const title = form.title.trim();
  if (title === '') errors.title = { key: 'validation.required', field: 'wishNew.what' };
  else if (limits && chars(title) > limits.wish_title_max) {
    errors.title = { key: 'validation.tooLong', field: 'wishNew.what', n: limits.wish_title_max };
  }
  if (blank(form.category)) errors.category = { key: 'validation.choose', field: 'wishNew.category' };
  const v = form.value.trim();
  if (limits === null) {
    if (!/^\d+$/.test(v)) errors.value = { key: 'validation.number', field: 'wishNew.value' };
  } else if (!/^\d+$/.test(v) || Number(v) < limits.wish_value_min || Number(v) > limits.wish_value_max) {
    errors.value = { key: 'validation.value', field: 'wishNew.value', min: limits.wish_value_min, max: limits.wish_value_max };
  }
  const long = tooLong(form.description, limits, 'wishNew.description');
  if (long) errors.description = long;
  if (householdId === null && blank(form.grid)) errors.grid = { key: 'validation.choose', field: 'wishNew.grid' };
  return errors;
}

/** `id` is the draft's: saving the same draft again names the same wish. */
export function buildNewWish(form: WishForm, householdId: string | null, id: string | null): NewWish {
  return {
    id,
    title: form.title.trim(),
    category: form.category.trim(),
    value_yuan: Number(form.value.trim()),
    description: form.description.trim(),
    household_id: householdId,
    grid: householdId === null ? orNull(form.grid) : null,
  };
}

// ---- visit ----------------------------------------------------------------

export const VISIT_KINDS = ['routine', 'home-service-day', 'follow-up'] as const;
export interface VisitForm { kind: string; notes: string }

// No kind is chosen for the worker: a visit saved as 日常走访 by default
// says nothing about what the visit was.
export function emptyVisitForm(): VisitForm {
  return { kind: '', notes: '' };
}

export function validateVisitForm(limits: Limits | null, form: VisitForm): Errors<'notes' | 'kind'> {
  const errors: Errors<'notes' | 'kind'> = {};
  if (blank(form.kind)) errors.kind = { key: 'validation.choose', field: 'visit.kind' };
  const long = tooLong(form.notes, limits, 'visit.notes');
  if (long) errors.notes = long;
  return errors;
}

/** `id` is the draft's: saving the same draft again names the same visit. */
export function buildNewVisit(householdId: string, form: VisitForm, id: string | null): NewVisit {
  return { id, household_id: householdId, kind: form.kind || null, notes: form.notes.trim() };
}

// ---- household edit -------------------------------------------------------

export interface HouseholdForm { phone: string; notes: string; tags: string[] }

/**
 * Only what changed goes to the backend: an unchanged phone or note is sent
 * as absent (null) so a concurrent edit elsewhere is not overwritten.
 */
export function buildHouseholdEdit(current: HouseholdForm, form: HouseholdForm): HouseholdEdit {
  const phone = form.phone.trim();
  const notes = form.notes.trim();
  return {
    phone: phone === current.phone.trim() ? null : phone,
    notes: notes === current.notes.trim() ? null : notes,
    add_tags: form.tags.filter((t) => !current.tags.includes(t)),
    remove_tags: current.tags.filter((t) => !form.tags.includes(t)),
  };
}

export function isEmptyEdit(edit: HouseholdEdit): boolean {
  return edit.phone === null && edit.notes === null && edit.add_tags.length === 0 && edit.remove_tags.length === 0;
}
