// What each form and workflow step asks for, how it is checked, and how the
// command argument is built from it. Components only bind inputs to these
// plain objects, so the rules are tested without a DOM.
import type { Key } from './i18n';
import type {
  HouseholdEdit, IssueAction, NewIssue, NewVisit, NewWish, WishAction,
} from './types';

/** A message to show beside a field: `key` with the field's label filled in. */
export interface FieldError { key: Key; field: Key; n?: number }
export type Errors<F extends string> = Partial<Record<F, FieldError>>;

export function hasErrors(errors: Record<string, unknown>): boolean {
  return Object.keys(errors).length > 0;
}

const blank = (s: string | null | undefined) => (s ?? '').trim() === '';
const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** "城管，环保、住建" → ["城管", "环保", "住建"]: commas of either width, 、 or newlines. */
export function splitList(s: string): string[] {
  return s.split(/[,，、;；\n]+/).map((x) => x.trim()).filter((x) => x !== '');
}

// ---- issue workflow steps -------------------------------------------------

export type IssueField =
  | 'reason' | 'into' | 'note' | 'departments' | 'grade' | 'feedback'
  | 'satisfied' | 'resident' | 'comment';

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
}

export function emptyIssueActionForm(): IssueActionForm {
  return {
    reason: '', into: '', note: '', departments: '', grade: '', feedback: '',
    satisfied: '', resident: '', comment: '',
  };
}

export interface StepField<F extends string> {
  field: F;
  label: Key;
  required: boolean;
  input: 'text' | 'textarea' | 'grade' | 'satisfied';
}

const issueField = (
  field: IssueField, label: Key, required: boolean,
  input: StepField<IssueField>['input'] = 'text',
): StepField<IssueField> => ({ field, label, required, input });

/** The fields each issue step needs (DESIGN §2; model/issue.rs). */
export const ISSUE_STEP_FIELDS: Record<string, StepField<IssueField>[]> = {
  accept: [],
  reject: [issueField('reason', 'field.reason', true, 'textarea')],
  merge: [issueField('into', 'field.into', true)],
  resolve: [issueField('note', 'field.note', true, 'textarea')],
  escalate: [issueField('note', 'field.note', true, 'textarea')],
  dispatch: [
    issueField('departments', 'field.departments', true),
    issueField('grade', 'field.grade', true, 'grade'),
  ],
  handle: [issueField('feedback', 'field.feedback', true, 'textarea')],
  close: [issueField('note', 'field.note', true, 'textarea')],
  evaluate: [
    issueField('satisfied', 'field.satisfied', true, 'satisfied'),
    issueField('resident', 'field.resident', true),
    issueField('comment', 'field.comment', false, 'textarea'),
  ],
};

export const GRADES = ['urgent', 'normal', 'minor'] as const;

export function issueStepFields(step: string): StepField<IssueField>[] {
  return ISSUE_STEP_FIELDS[step] ?? [];
}

export function validateIssueAction(step: string, form: IssueActionForm): Errors<IssueField> {
  const errors: Errors<IssueField> = {};
  for (const f of issueStepFields(step)) {
    if (!f.required) continue;
    if (f.field === 'departments') {
      if (splitList(form.departments).length === 0) errors.departments = { key: 'validation.required', field: f.label };
    } else if (f.field === 'grade') {
      if (!(GRADES as readonly string[]).includes(form.grade)) errors.grade = { key: 'validation.choose', field: f.label };
    } else if (f.field === 'satisfied') {
      if (form.satisfied === '') errors.satisfied = { key: 'validation.choose', field: f.label };
    } else if (blank(form[f.field])) {
      errors[f.field] = { key: 'validation.required', field: f.label };
    }
  }
  return errors;
}

/** The IssueAction for a step, carrying only the fields that step uses. */
export function buildIssueAction(step: string, form: IssueActionForm): IssueAction {
  const action: IssueAction = {
    step, reason: null, into: null, note: null, departments: [], grade: null,
    feedback: null, satisfied: null, resident: null, comment: null,
  };
  for (const f of issueStepFields(step)) {
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

const wishField = (
  field: WishField, label: Key, required: boolean,
  input: StepField<WishField>['input'] = 'text',
): StepField<WishField> => ({ field, label, required, input });

export const WISH_STEP_FIELDS: Record<string, StepField<WishField>[]> = {
  claim: [],
  withdraw_claim: [],
  'withdraw-claim': [],
  fulfil: [wishField('note', 'field.fulfilNote', true, 'textarea')],
  confirm: [wishField('resident', 'field.resident', true)],
  withdraw: [wishField('reason', 'field.withdrawReason', false, 'textarea')],
};

export function wishStepFields(step: string): StepField<WishField>[] {
  return WISH_STEP_FIELDS[step] ?? [];
}

export function validateWishAction(step: string, form: WishActionForm): Errors<WishField> {
  const errors: Errors<WishField> = {};
  for (const f of wishStepFields(step)) {
    if (f.required && blank(form[f.field])) errors[f.field] = { key: 'validation.required', field: f.label };
  }
  return errors;
}

export function buildWishAction(step: string, form: WishActionForm): WishAction {
  const action: WishAction = { step, note: null, resident: null, reason: null };
  for (const f of wishStepFields(step)) action[f.field] = orNull(form[f.field]);
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

export function validateIssueForm(form: IssueForm, householdId: string | null): Errors<IssueFormField> {
  const errors: Errors<IssueFormField> = {};
  if (blank(form.category)) errors.category = { key: 'validation.choose', field: 'issueNew.category' };
  if (blank(form.description)) errors.description = { key: 'validation.required', field: 'issueNew.description' };
  else if (form.description.trim().length > 2000) {
    errors.description = { key: 'validation.tooLong', field: 'issueNew.description', n: 2000 };
  }
  if (householdId === null && blank(form.grid)) errors.grid = { key: 'validation.choose', field: 'issueNew.grid' };
  return errors;
}

export function buildNewIssue(form: IssueForm, householdId: string | null): NewIssue {
  const urgency = Number(form.urgency);
  return {
    category: form.category.trim(),
    description: form.description.trim(),
    location: form.location.trim(),
    urgency: urgency >= 1 && urgency <= 3 ? urgency : 2,
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
export const WISH_TITLE_MAX = 40;
export const WISH_VALUE_MAX = 5000;

export function validateWishForm(form: WishForm, householdId: string | null): Errors<WishFormField> {
  const errors: Errors<WishFormField> = {};
  const title = form.title.trim();
  if (title === '') errors.title = { key: 'validation.required', field: 'wishNew.what' };
  else if ([...title].length > WISH_TITLE_MAX) {
    errors.title = { key: 'validation.tooLong', field: 'wishNew.what', n: WISH_TITLE_MAX };
  }
  if (blank(form.category)) errors.category = { key: 'validation.choose', field: 'wishNew.category' };
  const v = form.value.trim();
  if (!/^\d+$/.test(v) || Number(v) > WISH_VALUE_MAX) errors.value = { key: 'validation.value', field: 'wishNew.value' };
  if (householdId === null && blank(form.grid)) errors.grid = { key: 'validation.choose', field: 'wishNew.grid' };
  return errors;
}

export function buildNewWish(form: WishForm, householdId: string | null): NewWish {
  return {
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
export const VISIT_NOTES_MAX = 5000;

export function emptyVisitForm(): VisitForm {
  return { kind: 'routine', notes: '' };
}

export function validateVisitForm(form: VisitForm): Errors<'notes'> {
  if ([...form.notes.trim()].length > VISIT_NOTES_MAX) {
    return { notes: { key: 'validation.tooLong', field: 'visit.notes', n: VISIT_NOTES_MAX } };
  }
  return {};
}

export function buildNewVisit(householdId: string, form: VisitForm): NewVisit {
  return { household_id: householdId, kind: form.kind || null, notes: form.notes.trim() };
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
