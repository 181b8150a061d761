import { describe, expect, it } from 'vitest';
import {
  buildCaseAction, buildNewCase, buildParties, caseActionFormEmpty, caseStepFields, emptyCaseActionForm, emptyCaseForm,
  formatCaseEventDetail, formatRate, localDate, parseLocal, rateFill, validateCaseAction, validateCaseForm, withZeros,
  type CaseActionForm, type CaseForm,
} from '../src/lib/mediation';
import type { Rules } from '../src/lib/forms';
import { zhCN } from '../src/lib/i18n/zh-CN';
import { en } from '../src/lib/i18n/en';
import { CASE_STATES } from '../src/lib/states';
// The vocabulary exactly as the shell sends it: a Rust test keeps this file
// equal to what `vocabulary` answers, so these tests check the model's rules.
import sent from './fixtures/vocabulary.json';

const rules: Rules = sent;
const staff = { mayPrivate: true, kind: 'people' };
const worker = { mayPrivate: false, kind: 'people' };
const NOW = new Date(2026, 2, 1, 10, 0);
const form = (patch: Partial<CaseActionForm>): CaseActionForm => ({ ...emptyCaseActionForm(NOW), ...patch });
const fields = (step: string, opts = worker) => caseStepFields(rules, step, opts)?.map((f) => f.field);

describe('case steps', () => {
  it('asks each step for the model\'s fields, in its order', () => {
    expect(fields('accept')).toEqual(['mediator']);
    expect(fields('decline')).toEqual(['reason']);
    expect(fields('agree')).toEqual(['form', 'perform_by']);
    expect(fields('extend')).toEqual(['days', 'reason', 'consent']);
    expect(fields('follow-up')).toEqual(['performance', 'satisfaction', 'risk']);
    expect(fields('court-rule')).toEqual(['confirmed']);
    expect(fields('perform')).toEqual(['note']);
  });

  it('adds what goes into the private part only for a user who writes it', () => {
    expect(fields('session', staff)).toEqual(['held_on', 'participants', 'notes']);
    expect(fields('session', worker)).toEqual(['held_on']);
    expect(fields('agree', staff)).toEqual(['form', 'perform_by', 'terms']);
    expect(caseStepFields(rules, 'agree', staff)?.find((f) => f.field === 'terms')?.private).toBe(true);
  });

  it('names one field by what it means in each step', () => {
    const label = (step: string, field: string) => caseStepFields(rules, step, worker)?.find((f) => f.field === field)?.label;
    expect(label('decline', 'reason')).toBe('field.declineReason');
    expect(label('transfer', 'reason')).toBe('field.transferReason');
    expect(label('close', 'note')).toBe('field.closeNote');
    expect(label('fail', 'note')).toBe('field.note');
  });

  it('offers the vocabulary\'s words as choices, and a transfer only to another mediation', () => {
    const to = caseStepFields(rules, 'transfer', { mayPrivate: false, kind: 'people' })?.find((f) => f.field === 'to');
    expect(to?.options).toEqual(['administrative', 'judicial']);
    expect(to?.term).toBe('mediationKind');
    const form_ = caseStepFields(rules, 'agree', worker)?.find((f) => f.field === 'form');
    expect(form_?.options).toEqual(sent.mediation.agreement_forms);
  });

  it('requires exactly the fields the sent rules require', () => {
    for (const { step, fields: sentFields } of rules.mediation_steps) {
      // An empty form, with the session time cleared too.
      const errs = validateCaseAction(rules, step, form({ held_on: '' }), worker, NOW);
      const wanted = sentFields.filter((f) => f.required).map((f) => f.name).sort();
      expect(Object.keys(errs).sort(), step).toEqual(wanted);
    }
  });

  it('checks days against the model\'s bound, consent, and a deadline not in the past', () => {
    const max = sent.limits.extension_days_max;
    expect(validateCaseAction(rules, 'extend', form({ days: String(max + 1), reason: '鉴定', consent: 'yes' }), worker, NOW).days)
      .toEqual({ key: 'validation.value', field: 'field.days', min: 1, max });
    expect(validateCaseAction(rules, 'extend', form({ days: '15', reason: '鉴定' }), worker, NOW).consent?.key)
      .toBe('validation.consent');
    expect(validateCaseAction(rules, 'extend', form({ days: '15', reason: '鉴定', consent: 'yes' }), worker, NOW)).toEqual({});
    const agree = (perform_by: string) => validateCaseAction(rules, 'agree', form({ form: 'written', perform_by }), worker, NOW);
    expect(agree('2026-02-28').perform_by?.key).toBe('validation.notPast');
    expect(agree('2026-03-01'), 'today runs to its end').toEqual({});
    expect(agree('2026-02-30').perform_by?.key, 'no such day').toBe('validation.required');
  });

  it('builds only the step\'s fields, with times as instants and a deadline to the end of its day', () => {
    const a = buildCaseAction(rules, 'agree', form({ form: 'oral', perform_by: '2026-04-01', terms: ' 分期 ', mediator: 'x' }), staff);
    expect(a.form).toBe('oral');
    expect(a.perform_by).toBe(new Date(2026, 3, 1, 23, 59).toISOString());
    expect(a.terms).toBe('分期');
    expect(a.mediator, 'not a field of agree').toBeNull();
    const s = buildCaseAction(rules, 'session', form({ held_on: '2026-03-01T09:30', notes: '记录' }), worker);
    expect(s.held_on).toBe(new Date(2026, 2, 1, 9, 30).toISOString());
    expect(s.notes, 'a grid worker sends no private words').toBeNull();
    const e = buildCaseAction(rules, 'extend', form({ days: '15', reason: '鉴定', consent: 'yes' }), worker);
    expect([e.days, e.consent, e.reason]).toEqual([15, true, '鉴定']);
    expect(buildCaseAction(rules, 'court-rule', form({ confirmed: 'refused' }), worker).confirmed).toBe(false);
  });

  it('a step form with only its prefilled session time is empty (no draft kept)', () => {
    expect(caseActionFormEmpty(emptyCaseActionForm(NOW))).toBe(true);
    expect(caseActionFormEmpty(form({ notes: '有' }))).toBe(false);
  });

  it('reads local dates and times, refusing days that do not exist', () => {
    expect(parseLocal('2026-03-01T09:05')?.getHours()).toBe(9);
    expect(parseLocal('2026-03-01', true)?.getMinutes()).toBe(59);
    expect(parseLocal('2026-13-01')).toBeNull();
    expect(parseLocal('昨天')).toBeNull();
    expect(localDate(NOW)).toBe('2026-03-01');
  });
});

describe('a new case', () => {
  const limits = sent.limits;
  const base = (patch: Partial<CaseForm> = {}): CaseForm => ({ ...emptyCaseForm('522701001001001'), summary: '漏水', ...patch });

  it('needs a summary unless it comes from a visit or an issue', () => {
    expect(validateCaseForm(limits, base({ summary: ' ' })).summary?.key).toBe('validation.required');
    expect(validateCaseForm(limits, base({ summary: '' }), { visit: 'v1' })).toEqual({});
    expect(validateCaseForm(limits, base({ summary: '' }), { issue: 'i1' })).toEqual({});
  });

  it('needs a grid when no household is named, and people within the model\'s bound', () => {
    expect(validateCaseForm(limits, base({ grid: '' })).grid?.key).toBe('validation.required');
    expect(validateCaseForm(limits, base({ grid: '', households: [{ id: 'h1', label: '王' }] }))).toEqual({});
    expect(validateCaseForm(limits, base({ people: '0' })).people).toEqual({
      key: 'validation.value', field: 'caseNew.people', min: 1, max: limits.people_max,
    });
    expect(validateCaseForm(limits, base({ warning: '4' })).warning?.key).toBe('validation.choose');
  });

  it('checks each party that is not left empty', () => {
    const errs = validateCaseForm(limits, base({
      parties: [
        { name: '', id_number: '5227', phone: '123', address: '' },
        { name: '', id_number: '', phone: '', address: '' },
        { name: '李四', id_number: '52270119870618238x', phone: '138 8541 0023', address: '' },
      ],
    }));
    expect(Object.keys(errs).sort()).toEqual(['party.0.id_number', 'party.0.name', 'party.0.phone']);
  });

  it('builds the case with households, parties only for staff, and the draft id', () => {
    const f = base({
      households: [{ id: 'h1', label: '王' }, { id: 'h2', label: '李' }], people: '3', warning: '1',
      parties: [{ name: ' 李四 ', id_number: '52270119870618238x', phone: '138-8541-0023', address: '' }, { name: '', id_number: '', phone: '', address: '' }],
      facts: ' 事实 ',
    });
    const c = buildNewCase(f, {}, 'draft-1', true);
    expect(c).toMatchObject({ id: 'draft-1', households: ['h1', 'h2'], grid: null, people: 3, warning: 1, case_type: 'neighbour', facts: '事实' });
    expect(c.parties).toEqual([{ name: '李四', id_number: '52270119870618238X', phone: '13885410023', address: '' }]);
    expect(buildNewCase(f, {}, null, false).parties, 'a grid worker sends no private part').toEqual([]);
    const fromVisit = buildNewCase(base({ households: [{ id: 'h1', label: '王' }] }), { visit: 'v1' }, null, false);
    expect([fromVisit.from_visit, fromVisit.households, fromVisit.grid]).toEqual(['v1', [], null]);
    expect(buildNewCase(base(), {}, null, false).grid).toBe('522701001001001');
    expect(buildParties([])).toEqual([]);
  });
});

describe('reading a case', () => {
  it('puts a timeline detail\'s keys into the user\'s language and keeps free text whole', () => {
    expect(formatCaseEventDetail('transfer', 'judicial · 涉及赔偿 · 金额大', zhCN)).toBe('司法调解 · 涉及赔偿 · 金额大');
    expect(formatCaseEventDetail('follow-up', 'partly · basic', en)).toBe('partly performed · mostly satisfied');
    expect(formatCaseEventDetail('extend', '15 · 等待鉴定', en)).toBe('15 more days · 等待鉴定');
    expect(formatCaseEventDetail('court-rule', 'confirmed', zhCN)).toBe('确认有效');
    expect(formatCaseEventDetail('fail', 'litigation', zhCN)).toBe('引导诉讼');
    expect(formatCaseEventDetail('accept', '王调解', zhCN)).toBe('调解员：王调解');
    expect(formatCaseEventDetail('agree', 'oral · 2026-03-01T02:00:00.000Z', zhCN)).toMatch(/^口头协议 · 履行期限：2026年3月1日/);
    expect(formatCaseEventDetail('register', '', zhCN)).toBe('');
  });

  it('shows a rate as a percentage, and a dash with nothing counted', () => {
    expect(formatRate({ n: 9, of: 10, rate: 0.9 })).toBe('90%');
    expect(formatRate({ n: 2, of: 3, rate: 2 / 3 })).toBe('66.7%');
    expect(formatRate({ n: 0, of: 0, rate: null })).toBe('—');
    expect(rateFill({ n: 1, of: 4, rate: 0.25 })).toBe(25);
    expect(rateFill({ n: 0, of: 0, rate: null })).toBe(0);
  });

  it('gives every warning level a bar, an empty one too, and keeps keys it does not know', () => {
    expect(withZeros([{ key: '3', n: 18 }, { key: '2', n: 8 }], ['1', '2', '3'])).toEqual([
      { key: '1', n: 0 }, { key: '2', n: 8 }, { key: '3', n: 18 },
    ]);
    expect(withZeros([{ key: '9', n: 1 }], ['1'])).toEqual([{ key: '1', n: 0 }, { key: '9', n: 1 }]);
  });

  it('names the session time in a session event', () => {
    expect(formatCaseEventDetail('session', '2026-03-01T02:00:00.000Z', zhCN)).toMatch(/^调解时间：2026年3月1日/);
  });

  it('lists every state the model sends, once', () => {
    expect([...CASE_STATES].sort()).toEqual([...sent.mediation.states].sort());
  });
});

describe('mediation words', () => {
  it('has both languages for every word the vocabulary sends', () => {
    const w = sent.mediation;
    const kinds: [string, string[]][] = [
      ['caseType', w.case_types], ['scale', w.scales], ['source', w.sources], ['mediationKind', w.kinds],
      ['agreementForm', w.agreement_forms], ['referral', w.referrals], ['performance', w.performances],
      ['satisfaction', w.satisfactions], ['caseState', w.states],
    ];
    for (const dict of [zhCN, en] as Record<string, string>[]) {
      for (const [kind, keys] of kinds) {
        for (const k of keys) expect(dict[`${kind}.${k}`], `${kind}.${k}`).toBeTruthy();
      }
      for (let n = sent.limits.warning_min; n <= sent.limits.warning_max; n++) expect(dict[`warning.${n}`]).toBeTruthy();
    }
  });
});
