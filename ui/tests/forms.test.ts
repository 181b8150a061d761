import { describe, expect, it } from 'vitest';
import {
  buildHouseholdEdit, buildIssueAction, buildNewIssue, buildNewVisit, buildNewWish, buildWishAction,
  emptyIssueActionForm, emptyIssueForm, emptyWishActionForm, emptyWishForm, hasErrors, isEmptyEdit,
  issueStepFields, splitList, validateIssueAction, validateIssueForm, validateVisitForm, validateWishAction,
  validateWishForm, type IssueActionForm,
} from '../src/lib/forms';

const form = (patch: Partial<IssueActionForm>): IssueActionForm => ({ ...emptyIssueActionForm(), ...patch });

describe('issue steps', () => {
  it('asks each step only for the fields it needs', () => {
    const fields = (s: string) => issueStepFields(s).map((f) => f.field);
    expect(fields('accept')).toEqual([]);
    expect(fields('reject')).toEqual(['reason']);
    expect(fields('merge')).toEqual(['into']);
    expect(fields('resolve')).toEqual(['note']);
    expect(fields('escalate')).toEqual(['note']);
    expect(fields('close')).toEqual(['note']);
    expect(fields('dispatch')).toEqual(['departments', 'grade']);
    expect(fields('handle')).toEqual(['feedback']);
    expect(fields('evaluate')).toEqual(['satisfied', 'resident', 'comment']);
  });

  it('accept needs nothing and builds a bare action', () => {
    expect(validateIssueAction('accept', form({}))).toEqual({});
    expect(buildIssueAction('accept', form({ note: 'ignored' }))).toEqual({
      step: 'accept', reason: null, into: null, note: null, departments: [], grade: null,
      feedback: null, satisfied: null, resident: null, comment: null,
    });
  });

  it('reject needs a reason', () => {
    expect(validateIssueAction('reject', form({ reason: '  ' })).reason?.key).toBe('validation.required');
    expect(buildIssueAction('reject', form({ reason: ' 不属于社区事务 ' })).reason).toBe('不属于社区事务');
  });

  it('merge needs the id of the duplicate', () => {
    expect(validateIssueAction('merge', form({})).into).toBeTruthy();
    expect(buildIssueAction('merge', form({ into: 'i-42' })).into).toBe('i-42');
  });

  it('resolve, escalate and close need a note', () => {
    for (const s of ['resolve', 'escalate', 'close']) {
      expect(hasErrors(validateIssueAction(s, form({}))), s).toBe(true);
      expect(buildIssueAction(s, form({ note: '已处理' })).note, s).toBe('已处理');
    }
  });

  it('dispatch needs departments and a known grade', () => {
    const errs = validateIssueAction('dispatch', form({ departments: ' , ', grade: 'soon' }));
    expect(errs.departments?.key).toBe('validation.required');
    expect(errs.grade?.key).toBe('validation.choose');
    const ok = form({ departments: '城管，环保、 住建', grade: 'urgent' });
    expect(validateIssueAction('dispatch', ok)).toEqual({});
    const action = buildIssueAction('dispatch', ok);
    expect(action.departments).toEqual(['城管', '环保', '住建']);
    expect(action.grade).toBe('urgent');
  });

  it('handle needs feedback', () => {
    expect(validateIssueAction('handle', form({})).feedback).toBeTruthy();
    expect(buildIssueAction('handle', form({ feedback: '已清运' })).feedback).toBe('已清运');
  });

  it('evaluate needs the verdict and the resident; the comment is optional', () => {
    const errs = validateIssueAction('evaluate', form({}));
    expect(Object.keys(errs).sort()).toEqual(['resident', 'satisfied']);
    const unhappy = buildIssueAction('evaluate', form({ satisfied: 'no', resident: '王阿姨', comment: '' }));
    expect(unhappy).toMatchObject({ satisfied: false, resident: '王阿姨', comment: null });
    expect(buildIssueAction('evaluate', form({ satisfied: 'yes', resident: '李四' })).satisfied).toBe(true);
  });

  it('an unknown step asks for nothing and passes through', () => {
    expect(validateIssueAction('mystery', form({}))).toEqual({});
    expect(buildIssueAction('mystery', form({})).step).toBe('mystery');
  });
});

describe('wish steps', () => {
  it('claim needs nothing; fulfil needs a note; confirm needs the resident', () => {
    expect(validateWishAction('claim', emptyWishActionForm())).toEqual({});
    expect(validateWishAction('fulfil', emptyWishActionForm()).note).toBeTruthy();
    expect(validateWishAction('confirm', emptyWishActionForm()).resident).toBeTruthy();
    expect(validateWishAction('withdraw', emptyWishActionForm())).toEqual({});
  });
  it('carries only the fields of the step', () => {
    const f = { note: '送到了', resident: '张三', reason: '不需要了' };
    expect(buildWishAction('claim', f)).toEqual({ step: 'claim', note: null, resident: null, reason: null });
    expect(buildWishAction('fulfil', f)).toEqual({ step: 'fulfil', note: '送到了', resident: null, reason: null });
    expect(buildWishAction('confirm', f)).toEqual({ step: 'confirm', note: null, resident: '张三', reason: null });
    expect(buildWishAction('withdraw', f)).toEqual({ step: 'withdraw', note: null, resident: null, reason: '不需要了' });
  });
});

describe('new issue', () => {
  it('needs a category and a description, and a grid when no household is given', () => {
    const errs = validateIssueForm(emptyIssueForm(''), null);
    expect(Object.keys(errs).sort()).toEqual(['category', 'description', 'grid']);
    expect(validateIssueForm(emptyIssueForm(''), 'h1').grid).toBeUndefined();
  });
  it('sends the household or the grid, never both', () => {
    const f = { ...emptyIssueForm('g1'), category: '停车', description: ' 占道 ', location: ' 3 栋 ' };
    expect(buildNewIssue(f, null)).toEqual({
      category: '停车', description: '占道', location: '3 栋', urgency: 2, household_id: null, grid: 'g1',
    });
    expect(buildNewIssue(f, 'h1')).toMatchObject({ household_id: 'h1', grid: null });
  });
  it('keeps urgency within 1 to 3', () => {
    expect(buildNewIssue({ ...emptyIssueForm('g'), urgency: '3' }, null).urgency).toBe(3);
    expect(buildNewIssue({ ...emptyIssueForm('g'), urgency: '9' }, null).urgency).toBe(2);
  });
});

describe('new wish', () => {
  it('checks the title length, category and value', () => {
    const errs = validateWishForm({ ...emptyWishForm('g'), title: '长'.repeat(41), value: '-1' }, null);
    expect(errs.title?.key).toBe('validation.tooLong');
    expect(errs.category?.key).toBe('validation.choose');
    expect(errs.value?.key).toBe('validation.value');
    expect(validateWishForm({ ...emptyWishForm('g'), title: '助听器', category: '医疗健康', value: '5001' }, null).value).toBeTruthy();
    expect(validateWishForm({ ...emptyWishForm('g'), title: '助听器', category: '医疗健康', value: '300' }, null)).toEqual({});
  });
  it('builds the value as a number of yuan', () => {
    const w = buildNewWish({ ...emptyWishForm('g'), title: ' 书包 ', category: '学习用品', value: '80' }, null);
    expect(w).toEqual({ title: '书包', category: '学习用品', value_yuan: 80, description: '', household_id: null, grid: 'g' });
  });
});

describe('visit', () => {
  it('accepts notes up to the limit and trims them', () => {
    expect(validateVisitForm({ kind: 'routine', notes: 'x'.repeat(5001) }).notes).toBeTruthy();
    expect(buildNewVisit('h1', { kind: 'follow-up', notes: ' 身体好 ' })).toEqual({ household_id: 'h1', kind: 'follow-up', notes: '身体好' });
  });
});

describe('household edit', () => {
  const current = { phone: '13800000000', notes: '独居', tags: ['独居老人', '党员'] };
  it('sends only what changed', () => {
    const edit = buildHouseholdEdit(current, { phone: '13800000000', notes: '独居，腿脚不便', tags: ['独居老人', '重点关注'] });
    expect(edit).toEqual({ phone: null, notes: '独居，腿脚不便', add_tags: ['重点关注'], remove_tags: ['党员'] });
  });
  it('an emptied phone is sent as "" to clear it', () => {
    expect(buildHouseholdEdit(current, { ...current, phone: '' }).phone).toBe('');
  });
  it('knows when nothing changed', () => {
    expect(isEmptyEdit(buildHouseholdEdit(current, { ...current, tags: [...current.tags] }))).toBe(true);
  });
});

describe('splitList', () => {
  it('splits on commas of either width, 、 and new lines', () => {
    expect(splitList('a, b，c、d\ne;;')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitList('  ')).toEqual([]);
  });
});
