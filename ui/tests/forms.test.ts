import { describe, expect, it } from 'vitest';
import {
  buildHouseholdEdit, buildIssueAction, buildNewIssue, buildNewVisit, buildNewWish, buildWishAction, chars,
  emptyIssueActionForm, emptyIssueForm, emptyWishActionForm, emptyWishForm, isEmptyEdit,
  issueStepFields, savedWord, splitList, validateIssueAction, validateIssueForm, validateVisitForm,
  validateWishAction, validateWishForm, wishStepFields, type IssueActionForm, type Rules,
} from '../src/lib/forms';
import type { Limits } from '../src/lib/types';
// The vocabulary exactly as the shell sends it: a Rust test keeps this file
// equal to what `vocabulary` answers, so these tests check the model's rules.
import sent from './fixtures/vocabulary.json';

const rules: Rules = sent;
const limits: Limits = sent.limits;
const form = (patch: Partial<IssueActionForm>): IssueActionForm => ({ ...emptyIssueActionForm(), ...patch });
const validateIssue = (step: string, f: IssueActionForm) => validateIssueAction(rules, step, f);
const buildIssue = (step: string, f: IssueActionForm) => buildIssueAction(rules, step, f);

describe('issue steps', () => {
  it('asks each step only for the fields it needs', () => {
    const fields = (s: string) => issueStepFields(rules, s)?.map((f) => f.field);
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
    expect(validateIssue('accept', form({}))).toEqual({});
    expect(buildIssue('accept', form({ note: 'ignored' }))).toEqual({
      step: 'accept', reason: null, into: null, note: null, departments: [], grade: null,
      feedback: null, satisfied: null, resident: null, comment: null,
    });
  });

  it('reject needs a reason', () => {
    expect(validateIssue('reject', form({ reason: '  ' })).reason?.key).toBe('validation.required');
    expect(buildIssue('reject', form({ reason: ' 不属于社区事务 ' })).reason).toBe('不属于社区事务');
  });

  it('merge needs the id of the duplicate', () => {
    expect(validateIssue('merge', form({})).into).toBeTruthy();
    expect(buildIssue('merge', form({ into: 'i-42' })).into).toBe('i-42');
  });

  it('resolve, escalate and close take an optional note, as the device does', () => {
    for (const s of ['resolve', 'escalate', 'close']) {
      expect(validateIssue(s, form({})), s).toEqual({});
      expect(issueStepFields(rules, s)?.map((f) => f.required), s).toEqual([false]);
      expect(buildIssue(s, form({ note: '已处理' })).note, s).toBe('已处理');
    }
  });

  it('an extension request needs a whole amount within its unit\'s maximum, sent as a number', () => {
    const field = (f: IssueActionForm, max: number | null) => validateIssueAction(rules, 'request-extension', f, max).amount;
    expect(field(form({ amount: '', reason: '施工' }), 30)?.key).toBe('validation.required');
    for (const bad of ['0', '31', '2.5', '-1', '三']) {
      expect(field(form({ amount: bad, reason: '施工' }), 30), bad).toEqual({
        key: 'validation.value', field: 'field.extensionAmount', min: 1, max: 30,
      });
    }
    expect(field(form({ amount: ' 30 ', reason: '施工' }), 30)).toBeUndefined();
    // No unit sent (not dispatched): the largest of any, and the device says the rest.
    expect(field(form({ amount: '160', reason: '施工' }), null)).toBeUndefined();
    const built = buildIssue('request-extension', form({ amount: ' 3 ', reason: ' 等材料 ' }));
    expect(built.amount).toBe(3);
    expect(built.reason).toBe('等材料');
    expect(built.approve).toBeUndefined();
  });

  it('an extension decision must be chosen, and carries it as a boolean', () => {
    expect(validateIssue('decide-extension', form({})).approve?.key).toBe('validation.choose');
    expect(buildIssue('decide-extension', form({ approve: 'yes' })).approve).toBe(true);
    expect(buildIssue('decide-extension', form({ approve: 'no', note: '材料已到' }))).toMatchObject({ approve: false, note: '材料已到' });
    expect(buildIssue('decide-extension', form({ approve: 'no' })).amount).toBeUndefined();
  });

  it('requires exactly the fields the sent rules require', () => {
    for (const { step, fields } of rules.issue_steps) {
      const errs = validateIssue(step, form({}));
      const wanted = fields.filter((f) => f.required).map((f) => f.name).sort();
      expect(Object.keys(errs).sort(), step).toEqual(wanted);
    }
  });

  it('refuses a step text over the sent limit, counting characters as the model does', () => {
    const atLimit = '𠀀'.repeat(limits.text_max); // 2 UTF-16 units each, 1 character
    expect(atLimit.length).toBe(2 * limits.text_max);
    expect(validateIssue('reject', form({ reason: atLimit }))).toEqual({});
    const over = validateIssue('reject', form({ reason: atLimit + '字' })).reason;
    expect(over).toEqual({ key: 'validation.tooLong', field: 'field.reason', n: limits.text_max });
  });

  it('dispatch needs departments and a known grade', () => {
    const errs = validateIssue('dispatch', form({ departments: ' , ', grade: 'soon' }));
    expect(errs.departments?.key).toBe('validation.required');
    expect(errs.grade?.key).toBe('validation.choose');
    const ok = form({ departments: '城管，环保、 住建', grade: 'urgent' });
    expect(validateIssue('dispatch', ok)).toEqual({});
    const action = buildIssue('dispatch', ok);
    expect(action.departments).toEqual(['城管', '环保', '住建']);
    expect(action.grade).toBe('urgent');
  });

  it('handle needs feedback', () => {
    expect(validateIssue('handle', form({})).feedback).toBeTruthy();
    expect(buildIssue('handle', form({ feedback: '已清运' })).feedback).toBe('已清运');
  });

  it('evaluate needs the verdict and the resident; the comment is optional', () => {
    const errs = validateIssue('evaluate', form({}));
    expect(Object.keys(errs).sort()).toEqual(['resident', 'satisfied']);
    const unhappy = buildIssue('evaluate', form({ satisfied: 'no', resident: '王阿姨', comment: '' }));
    expect(unhappy).toMatchObject({ satisfied: false, resident: '王阿姨', comment: null });
    expect(buildIssue('evaluate', form({ satisfied: 'yes', resident: '李四' })).satisfied).toBe(true);
  });

  it('knows no fields while the rules have not arrived (the device still checks)', () => {
    expect(issueStepFields(null, 'reject')).toBeNull();
    expect(validateIssueAction(null, 'reject', form({}))).toEqual({});
  });

  it('an unknown step asks for nothing and passes through', () => {
    expect(validateIssue('mystery', form({}))).toEqual({});
    expect(buildIssue('mystery', form({})).step).toBe('mystery');
  });
});

describe('wish steps', () => {
  it('claim needs nothing; the fulfil note is optional, as the model has it; confirm needs the resident', () => {
    const v = (s: string) => validateWishAction(rules, s, emptyWishActionForm());
    expect(v('claim')).toEqual({});
    expect(wishStepFields(rules, 'withdraw-claim'), 'withdrawing a claim is taken at once').toEqual([]);
    expect(v('fulfil')).toEqual({});
    expect(v('confirm').resident).toBeTruthy();
    expect(v('withdraw')).toEqual({});
  });
  it('carries only the fields of the step', () => {
    const f = { note: '送到了', resident: '张三', reason: '不需要了' };
    const b = (s: string) => buildWishAction(rules, s, f);
    expect(b('claim')).toEqual({ step: 'claim', note: null, resident: null, reason: null });
    expect(b('fulfil')).toEqual({ step: 'fulfil', note: '送到了', resident: null, reason: null });
    expect(b('confirm')).toEqual({ step: 'confirm', note: null, resident: '张三', reason: null });
    expect(b('withdraw')).toEqual({ step: 'withdraw', note: null, resident: null, reason: '不需要了' });
  });
});

describe('new issue', () => {
  it('needs a category and a description, and a grid when no household is given', () => {
    const errs = validateIssueForm(limits, emptyIssueForm(''), null);
    expect(Object.keys(errs).sort()).toEqual(['category', 'description', 'grid']);
    expect(validateIssueForm(limits, emptyIssueForm(''), 'h1').grid).toBeUndefined();
  });
  it('allows a description up to the sent limit in characters, not UTF-16 units', () => {
    const ok = { ...emptyIssueForm('g'), category: '电梯', description: '𠀀'.repeat(limits.text_max) };
    expect(limits.text_max, 'the model allows more than the 2,000 the UI once had').toBeGreaterThan(2000);
    expect(validateIssueForm(limits, ok, null)).toEqual({});
    const long = validateIssueForm(limits, { ...ok, description: ok.description + '字' }, null).description;
    expect(long).toEqual({ key: 'validation.tooLong', field: 'issueNew.description', n: limits.text_max });
    expect(validateIssueForm(limits, { ...ok, location: 'x'.repeat(limits.text_max + 1) }, null).location?.key)
      .toBe('validation.tooLong');
  });
  it('uses the limits it is sent, not numbers of its own', () => {
    const tight: Limits = { ...limits, text_max: 10, wish_title_max: 3, wish_value_min: 5, wish_value_max: 50 };
    const issue = { ...emptyIssueForm('g'), category: '电梯', description: '一二三四五六七八九十' };
    expect(validateIssueForm(tight, issue, null)).toEqual({});
    expect(validateIssueForm(tight, { ...issue, description: issue.description + '一' }, null).description?.n).toBe(10);
    const wish = { ...emptyWishForm('g'), title: '助听器', category: '医疗健康', value: '5' };
    expect(validateWishForm(tight, wish, null)).toEqual({});
    expect(validateWishForm(tight, { ...wish, title: '一台助听器' }, null).title?.n).toBe(3);
    expect(validateWishForm(tight, { ...wish, value: '4' }, null).value).toEqual({
      key: 'validation.value', field: 'wishNew.value', min: 5, max: 50,
    });
    expect(validateWishForm(tight, { ...wish, value: '51' }, null).value?.key).toBe('validation.value');
    expect(validateVisitForm(tight, { kind: 'routine', notes: '一'.repeat(11) }).notes?.n).toBe(10);
    const rulesTight: Rules = { ...rules, limits: tight };
    expect(validateIssueAction(rulesTight, 'handle', form({ feedback: '一'.repeat(11) })).feedback?.n).toBe(10);
  });
  it('sends the household or the grid, never both, with the draft id', () => {
    const f = { ...emptyIssueForm('g1'), category: '停车', description: ' 占道 ', location: ' 3 栋 ' };
    expect(buildNewIssue(limits, f, null, 'draft-1')).toEqual({
      id: 'draft-1', category: '停车', description: '占道', location: '3 栋', urgency: 2, household_id: null, grid: 'g1',
    });
    expect(buildNewIssue(limits, f, 'h1', null)).toMatchObject({ id: null, household_id: 'h1', grid: null });
  });
  it('sends urgency within the sent range, or leaves it to the device default', () => {
    expect(buildNewIssue(limits, { ...emptyIssueForm('g'), urgency: String(limits.urgency_max) }, null, null).urgency)
      .toBe(limits.urgency_max);
    expect(buildNewIssue(limits, { ...emptyIssueForm('g'), urgency: '9' }, null, null).urgency).toBeNull();
  });
});

describe('new wish', () => {
  it('checks the title length, category and value', () => {
    const ok = { ...emptyWishForm('g'), title: '助听器', category: '医疗健康', value: '300' };
    const errs = validateWishForm(limits, { ...emptyWishForm('g'), title: '长'.repeat(limits.wish_title_max + 1), value: '-1' }, null);
    expect(errs.title?.key).toBe('validation.tooLong');
    expect(errs.category?.key).toBe('validation.choose');
    expect(errs.value?.key).toBe('validation.value');
    expect(validateWishForm(limits, { ...ok, title: '𠀀'.repeat(limits.wish_title_max) }, null).title, 'characters, not UTF-16 units').toBeUndefined();
    expect(validateWishForm(limits, { ...ok, value: String(limits.wish_value_max + 1) }, null).value).toBeTruthy();
    expect(validateWishForm(limits, { ...ok, value: String(limits.wish_value_min - 1) }, null).value, 'a wish worth nothing').toBeTruthy();
    expect(validateWishForm(limits, { ...ok, value: String(limits.wish_value_min) }, null)).toEqual({});
    expect(validateWishForm(limits, ok, null)).toEqual({});
  });
  it('builds the value as a number of yuan, with the draft id', () => {
    const w = buildNewWish({ ...emptyWishForm('g'), title: ' 书包 ', category: '学习用品', value: '80' }, null, 'draft-2');
    expect(w).toEqual({ id: 'draft-2', title: '书包', category: '学习用品', value_yuan: 80, description: '', household_id: null, grid: 'g' });
  });
});

describe('visit', () => {
  it('accepts notes up to the sent limit and trims them', () => {
    expect(validateVisitForm(limits, { kind: 'routine', notes: 'x'.repeat(limits.text_max) })).toEqual({});
    expect(validateVisitForm(limits, { kind: 'routine', notes: 'x'.repeat(limits.text_max + 1) }).notes).toBeTruthy();
    expect(buildNewVisit('h1', { kind: 'follow-up', notes: ' 身体好 ' }, 'draft-3')).toEqual({
      id: 'draft-3', household_id: 'h1', kind: 'follow-up', notes: '身体好',
    });
  });
});

describe('saving', () => {
  it('counts characters as the model does', () => {
    expect(chars('𠀀字')).toBe(2);
  });
  it('says saved, or saved already when the same draft was saved before', () => {
    expect(savedWord({ id: 'x', already_saved: false })).toBe('toast.saved');
    expect(savedWord({ id: 'x', already_saved: true })).toBe('toast.alreadySaved');
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
