import { describe, expect, it } from 'vitest';
import sent from './fixtures/vocabulary.json';
import { en } from '../src/lib/i18n/en';
import { zhCN } from '../src/lib/i18n/zh-CN';
import { lookupTerm } from '../src/lib/i18n';
import {
  attendanceTotals, buildTopicAction, emptyTopicActionForm, formatTopicEventDetail, quorumOf, validateNewTopic,
  validateTopicAction, emptyNewTopic,
} from '../src/lib/deliberation';
import { TOPIC_STATES } from '../src/lib/states';
import type { Vocabulary } from '../src/lib/types';

const rules = sent as Vocabulary;

describe('deliberation forms', () => {
  it('counts the quorum as the fold does: two thirds, rounded up', () => {
    expect([quorumOf(9), quorumOf(10), quorumOf(3), quorumOf(0)]).toEqual([6, 7, 2, 0]);
    const lines = [
      { member: 'resident-representatives', expected: '9', present: '6' },
      { member: 'owners-committee', expected: '', present: '' },
    ];
    expect(attendanceTotals(lines)).toEqual({ expected: 9, present: 6, quorum: 6, quorate: true });
    lines[0].present = '5';
    expect(attendanceTotals(lines).quorate, '5 of 9 is short').toBe(false);
  });

  it('builds a meeting from its form, only the member types expected, and checks its fields', () => {
    const form = emptyTopicActionForm(new Date(2026, 2, 10, 19, 0), rules.deliberation.member_types);
    expect(validateTopicAction(rules, 'meeting', form).attendance?.key, 'nobody expected').toBe('validation.required');
    form.place = '社区议事厅';
    form.attendance[2].expected = '9';
    form.attendance[2].present = '10';
    expect(validateTopicAction(rules, 'meeting', form).attendance?.key, 'more present than expected').toBe('validation.attendance');
    form.attendance[2].present = '7';
    expect(validateTopicAction(rules, 'meeting', form)).toEqual({});
    const a = buildTopicAction(rules, 'meeting', form);
    expect(a).toMatchObject({ step: 'meeting', place: '社区议事厅', meeting_type: 'ordinary', text: null });
    expect(a.attendance).toEqual([{ member: 'resident-representatives', expected: 9, present: 7 }]);
    expect(a.held_on).toMatch(/^2026-03-10T/);
  });

  it('asks for every count of a vote and a proposer for a new topic', () => {
    const form = emptyTopicActionForm();
    form.text = '建充电棚';
    form.votes_for = '6';
    const e = validateTopicAction(rules, 'resolve', form);
    expect(Object.keys(e).sort()).toEqual(['abstain', 'against']);
    const n = validateNewTopic(rules, { ...emptyNewTopic(), title: '议'.repeat(61) }, true);
    expect(Object.keys(n).sort()).toEqual(['description', 'grid', 'proposer_name', 'title']);
    expect(n.title?.n).toBe(rules.deliberation.title_max);
  });

  it('reads an event detail by position, as the shell writes it', () => {
    expect(formatTopicEventDetail('meeting', 'tripartite · 2026-03-05T11:00:00.000Z · 7/9 · 社区议事厅', zhCN))
      .toMatch(/^三方共议 · 2026年3月5日 .* · 实到 7\/应到 9 · 社区议事厅$/);
    expect(formatTopicEventDetail('resolve', '6/1/0 · 建充电棚', en)).toBe('for 6 · against 1 · abstaining 0 · 建充电棚');
    expect(formatTopicEventDetail('decline', '重复议题', zhCN)).toBe('重复议题');
  });
});

describe('deliberation words', () => {
  it('has one entry per topic step and state the model sends, in both languages', () => {
    const steps = new Set([...rules.deliberation_steps.map((s) => s.step), 'propose']);
    for (const dict of [zhCN, en]) {
      const keys = (prefix: string) => new Set(Object.keys(dict).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
      expect(keys('topicStep.')).toEqual(steps);
      expect(keys('topicState.')).toEqual(new Set([...rules.deliberation.states, 'none']));
      expect(keys('memberType.')).toEqual(new Set(rules.deliberation.member_types));
      expect(keys('meetingType.')).toEqual(new Set(rules.deliberation.meeting_types));
      expect(keys('proposer.')).toEqual(new Set(rules.deliberation.proposers));
    }
    expect(new Set(TOPIC_STATES)).toEqual(new Set(rules.deliberation.states));
  });

  it('uses the glossary words', () => {
    expect(lookupTerm(zhCN, 'meetingType', 'tripartite')).toBe('三方共议');
    expect(lookupTerm(zhCN, 'meetingType', 'ordinary')).toBe('议事会');
    expect(lookupTerm(zhCN, 'topicStep', 'feedback')).toBe('反馈居民');
    expect(lookupTerm(zhCN, 'topicStep', 'close')).toBe('办结');
    expect(lookupTerm(en, 'topicStep', 'resolve')).toBe('vote');
  });
});
