// Residents' deliberation topics (居民议事): what each step's form asks for,
// how it is checked before it is sent, and how the command's argument is
// built. The rules the fold keeps (notice two days before, a two-thirds
// quorum, a tally no larger than the attendance) are shown as the user
// types; the device enforces them regardless.
import { lookupTerm, translate, type Dict, type Key } from './i18n';
import { chars, tooLong, type Errors, type FieldError } from './forms';
import { formatDate, formatDateTime } from './format';
import { localDate, localDateTime, parseLocal } from './mediation';
import type { NewTopic, TopicAction, Vocabulary } from './types';

export type TopicRules = Pick<Vocabulary, 'limits' | 'deliberation_steps' | 'deliberation'>;

/** One member type's line of the meeting form, counts as typed. */
export interface AttendanceLine {
  member: string;
  expected: string;
  present: string;
}

export interface TopicActionForm {
  reason: string;
  held_on: string;
  place: string;
  notice_posted: string;
  meeting_type: string;
  attendance: AttendanceLine[];
  text: string;
  votes_for: string;
  against: string;
  abstain: string;
  posted_on: string;
  owner: string;
  due: string;
  what: string;
  task: string;
  note: string;
}

export type TopicField = Exclude<keyof TopicActionForm, 'attendance'> | 'attendance';

export const MEMBER_TYPES = [
  'party-organisation', 'residents-committee', 'resident-representatives', 'owners-committee', 'property-company',
] as const;

/** A meeting is recorded after it: it starts at now, its notice three days before. */
export function emptyTopicActionForm(now: Date = new Date(), members: readonly string[] = MEMBER_TYPES): TopicActionForm {
  const notice = new Date(now.getTime() - 3 * 24 * 3600 * 1000);
  return {
    reason: '', held_on: localDateTime(now), place: '', notice_posted: localDateTime(notice), meeting_type: 'ordinary',
    attendance: members.map((member) => ({ member, expected: '', present: '' })),
    text: '', votes_for: '', against: '', abstain: '', posted_on: localDate(now), owner: '', due: '', what: '', task: '', note: '',
  };
}

export function topicActionFormEmpty(f: TopicActionForm): boolean {
  return [f.reason, f.place, f.text, f.votes_for, f.against, f.abstain, f.owner, f.due, f.what, f.note].every((v) => str(v) === '')
    && f.attendance.every((a) => str(a.expected) === '' && str(a.present) === '');
}

const WHOLE = /^\d+$/;
// A number input bound with bind:value hands back a number, a text one a string.
const str = (v: string | number | null | undefined) => String(v ?? '').trim();
const count = (s: string | number | null | undefined): number | null => (WHOLE.test(str(s)) ? Number(str(s)) : null);

/** Two thirds of those expected, rounded up, as the fold counts it. */
export function quorumOf(expected: number): number {
  return Math.ceil((2 * expected) / 3);
}

/** The meeting's totals as typed, with its quorum and whether it is met. */
export function attendanceTotals(lines: AttendanceLine[]): { expected: number; present: number; quorum: number; quorate: boolean } {
  let expected = 0;
  let present = 0;
  for (const l of lines) {
    expected += count(l.expected) ?? 0;
    present += count(l.present) ?? 0;
  }
  const quorum = quorumOf(expected);
  return { expected, present, quorum, quorate: expected > 0 && 3 * present >= 2 * expected };
}

/** The fields a step's form shows, from the model's table, with their labels. */
export function topicStepFields(rules: TopicRules | null, step: string): { field: TopicField; required: boolean; label: Key }[] | null {
  const s = rules?.deliberation_steps.find((x) => x.step === step);
  if (!s) return null;
  // A feedback's note is what residents were told; a task's, what was done.
  const label = (name: string): Key => (step === 'feedback' && name === 'note' ? 'topicField.feedback' : `topicField.${name}` as Key);
  return s.fields.map((f) => ({ field: f.name as TopicField, required: f.required, label: label(f.name) }));
}

/** Whether the form's open step needs the notice two days before the meeting. */
export function noticeHours(form: TopicActionForm): number | null {
  const held = parseLocal(form.held_on);
  const notice = parseLocal(form.notice_posted);
  if (!held || !notice) return null;
  return Math.floor((held.getTime() - notice.getTime()) / 3600000);
}

export function validateTopicAction(rules: TopicRules | null, step: string, form: TopicActionForm): Errors<TopicField> {
  const errors: Errors<TopicField> = {};
  const limits = rules?.limits;
  for (const f of topicStepFields(rules, step) ?? []) {
    const required: FieldError = { key: 'validation.required', field: f.label };
    switch (f.field) {
      case 'held_on':
      case 'notice_posted':
        if (parseLocal(form[f.field]) === null) errors[f.field] = required;
        break;
      case 'posted_on':
        if (form.posted_on.trim() !== '' && parseLocal(form.posted_on) === null) errors[f.field] = required;
        break;
      case 'due':
        if (parseLocal(form.due, true) === null) errors[f.field] = required;
        break;
      case 'meeting_type':
        if (form.meeting_type === '') errors[f.field] = { key: 'validation.choose', field: f.label };
        break;
      case 'votes_for':
      case 'against':
      case 'abstain':
        if (count(form[f.field]) === null) errors[f.field] = { key: 'validation.number', field: f.label };
        break;
      case 'attendance': {
        const bad = form.attendance.some((a) => (str(a.expected) !== '' && count(a.expected) === null)
          || (str(a.present) !== '' && count(a.present) === null)
          || (count(a.present) ?? 0) > (count(a.expected) ?? 0));
        if (bad) errors.attendance = { key: 'validation.attendance', field: f.label };
        else if (attendanceTotals(form.attendance).expected === 0) errors.attendance = required;
        break;
      }
      case 'task':
        if (form.task === '') errors.task = { key: 'validation.choose', field: f.label };
        break;
      default: {
        const value = form[f.field];
        const long = tooLong(value, limits, f.label);
        if (long) errors[f.field] = long;
        else if (f.required && value.trim() === '') errors[f.field] = required;
      }
    }
  }
  return errors;
}

const iso = (local: string, endOfDay = false) => parseLocal(local, endOfDay)?.toISOString() ?? null;
const given = (s: string) => (s.trim() === '' ? null : s.trim());

/** The command's argument: only the fields the step carries. */
export function buildTopicAction(rules: TopicRules | null, step: string, form: TopicActionForm): TopicAction {
  const a: TopicAction = {
    step, reason: null, held_on: null, place: null, notice_posted: null, meeting_type: null, attendance: [],
    text: null, votes_for: null, against: null, abstain: null, posted_on: null, owner: null, due: null, what: null,
    task: null, note: null,
  };
  for (const f of topicStepFields(rules, step) ?? []) {
    switch (f.field) {
      case 'held_on': a.held_on = iso(form.held_on); break;
      case 'notice_posted': a.notice_posted = iso(form.notice_posted); break;
      case 'posted_on': a.posted_on = iso(form.posted_on, true); break;
      case 'due': a.due = iso(form.due, true); break;
      case 'votes_for': a.votes_for = count(form.votes_for); break;
      case 'against': a.against = count(form.against); break;
      case 'abstain': a.abstain = count(form.abstain); break;
      case 'attendance':
        a.attendance = form.attendance
          .filter((l) => (count(l.expected) ?? 0) > 0)
          .map((l) => ({ member: l.member, expected: count(l.expected) ?? 0, present: count(l.present) ?? 0 }));
        break;
      default: a[f.field] = given(form[f.field]);
    }
  }
  return a;
}

export interface NewTopicForm {
  title: string;
  description: string;
  proposer: string;
  proposer_name: string;
  grid: string;
  household: string;
}

export const emptyNewTopic = (grid = '', household = ''): NewTopicForm => ({
  title: '', description: '', proposer: 'resident', proposer_name: '', grid, household,
});

export function newTopicEmpty(f: NewTopicForm): boolean {
  return [f.title, f.description, f.proposer_name].every((v) => v.trim() === '');
}

export function validateNewTopic(rules: TopicRules | null, f: NewTopicForm, needsGrid: boolean): Errors<keyof NewTopicForm> {
  const errors: Errors<keyof NewTopicForm> = {};
  const max = rules?.deliberation.title_max ?? 60;
  const title = chars(f.title.trim());
  if (title === 0) errors.title = { key: 'validation.required', field: 'topicNew.titleField' };
  else if (title > max) errors.title = { key: 'validation.tooLong', field: 'topicNew.titleField', n: max };
  const long = tooLong(f.description, rules?.limits, 'topicNew.description');
  if (long) errors.description = long;
  else if (f.description.trim() === '') errors.description = { key: 'validation.required', field: 'topicNew.description' };
  if (f.proposer_name.trim() === '') errors.proposer_name = { key: 'validation.required', field: 'topicNew.proposerName' };
  if (needsGrid && f.grid.trim() === '' && f.household.trim() === '') errors.grid = { key: 'validation.choose', field: 'topicNew.grid' };
  return errors;
}

export function buildNewTopic(f: NewTopicForm, id: string): NewTopic {
  return {
    id, title: f.title.trim(), description: f.description.trim(), proposer: f.proposer,
    proposer_name: f.proposer_name.trim(), grid: given(f.grid), household: given(f.household),
  };
}

/**
 * A topic event's detail as the shell sends it (src-tauri/src/convert.rs,
 * `topic_event_detail`): keys, counts and times first, free text last.
 */
export function formatTopicEventDetail(step: string, detail: string, dict: Dict): string {
  if (detail === '') return '';
  const parts = detail.split(' · ');
  const rest = (from: number) => parts.slice(from).join(' · ');
  const join = (xs: string[]) => xs.filter((x) => x !== '').join(' · ');
  switch (step) {
    case 'meeting': {
      const [present, expected] = (parts[2] ?? '').split('/');
      return join([
        lookupTerm(dict, 'meetingType', parts[0]),
        formatDateTime(parts[1] ?? '', dict) || (parts[1] ?? ''),
        translate(dict, 'topic.attendanceOf', { present: present ?? '', expected: expected ?? '' }),
        rest(3),
      ]);
    }
    case 'resolve': {
      const [f, a, ab] = (parts[0] ?? '').split('/');
      return join([translate(dict, 'topic.votes', { for: f ?? '', against: a ?? '', abstain: ab ?? '' }), rest(1)]);
    }
    case 'task':
      return join([
        translate(dict, 'common.labelled', { label: translate(dict, 'topicField.due'), value: formatDate(parts[0] ?? '', dict) || (parts[0] ?? '') }),
        rest(1),
      ]);
    default:
      return detail;
  }
}
