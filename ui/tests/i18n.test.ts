import { describe, expect, it } from 'vitest';
import { zhCN } from '../src/lib/i18n/zh-CN';
import { en } from '../src/lib/i18n/en';
import { capitalise, dictionaries, interpolate, lookupTerm, translate } from '../src/lib/i18n';
import sent from './fixtures/vocabulary.json';

// Values a string shows ({name}); a plural choice ({n:one|other}) only picks
// words, so English may use one that Chinese does not need.
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('zh-CN and en have exactly the same keys, so no screen falls back to a raw key', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('no entry is empty in either language', () => {
    for (const [lang, dict] of Object.entries(dictionaries)) {
      for (const [key, value] of Object.entries(dict)) {
        expect(value.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('both languages use the same placeholders for each key, so no value is dropped', () => {
    // Date templates choose different parts per language (11月 vs 11).
    const templates = new Set(['time.date', 'time.dateTime', 'time.monthDay']);
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      if (templates.has(key)) continue;
      const z = new Set(placeholders(zhCN[key]));
      const e = new Set(placeholders(en[key]));
      expect([...z].sort(), key).toEqual([...e].sort());
    }
  });

  it('covers every issue category, wish category and household tag of the glossary', () => {
    const categories = ['市容环境', '宣传广告', '施工管理', '街面秩序', '突发事件', '其他', '物业', '电梯', '停车', '供水', '噪音', '邻里纠纷', '安全隐患'];
    const wishCategories = ['生活物资', '学习用品', '医疗健康', '助老助残', '文体活动', '其他'];
    const tags = ['独居老人', '空巢老人', '留守儿童', '残疾人', '低保户', '特困', '易地扶贫搬迁', '退役军人', '党员', '重点关注', '出租屋', '流动人口'];
    for (const c of categories) expect(lookupTerm(en, 'cat', c), c).not.toBe(c);
    for (const c of wishCategories) expect(lookupTerm(en, 'wishCat', c), c).not.toBe(c);
    for (const tg of tags) expect(lookupTerm(en, 'tag', tg), tg).not.toBe(tg);
  });

  it('has one entry per step key the model sends, and none for a spelling it never sends', () => {
    // Steps a user takes come with the vocabulary; the history also shows
    // steps only the system records (a report, a post, a claim granted or refused).
    const recorded = ['report', 'post', 'grant', 'refuse-claim'];
    const sentKeys = [...sent.issue_steps, ...sent.wish_steps].map((s) => s.step);
    const expected = new Set([...sentKeys, ...recorded]);
    for (const dict of [zhCN, en]) {
      const stepKeys = Object.keys(dict)
        .filter((k) => k.startsWith('step.'))
        .map((k) => k.slice('step.'.length));
      expect(new Set(stepKeys)).toEqual(expected);
    }
  });

  it('has one entry per mediation case step the model sends, and none for a spelling it never sends', () => {
    // Registering is the report itself; the history shows it too.
    const expected = new Set([...sent.mediation_steps.map((s) => s.step), 'register']);
    for (const dict of [zhCN, en]) {
      const stepKeys = Object.keys(dict)
        .filter((k) => k.startsWith('caseStep.'))
        .map((k) => k.slice('caseStep.'.length));
      expect(new Set(stepKeys)).toEqual(expected);
    }
  });

  it('uses the glossary words for mediation', () => {
    expect(lookupTerm(zhCN, 'caseStep', 'follow-up')).toBe('回访');
    expect(lookupTerm(en, 'caseStep', 'apply-confirmation')).toBe('apply for judicial confirmation');
    expect(lookupTerm(zhCN, 'mediationKind', 'people')).toBe('人民调解');
    expect(lookupTerm(en, 'mediationKind', 'administrative')).toBe('administrative mediation');
    expect(translate(zhCN, 'nav.cases')).toBe('矛盾纠纷调解');
    expect(translate(zhCN, 'case.warning')).toBe('预警等级');
  });

  it('uses the glossary words for states and steps', () => {
    expect(lookupTerm(zhCN, 'step', 'escalate')).toContain('吹哨');
    expect(lookupTerm(en, 'step', 'merge')).toBe('merge as duplicate');
    expect(lookupTerm(zhCN, 'syncState', 'refused')).toBe('被服务器拒绝 (只读副本)');
    expect(lookupTerm(en, 'syncState', 'conflict')).toBe('conflict — choose a value');
    expect(lookupTerm(zhCN, 'role', 'grid-worker')).toBe('网格员');
    expect(translate(zhCN, 'wish.claimPending')).toBe('认领 (待确认)');
  });
});

describe('interpolate', () => {
  it('fills named placeholders', () => {
    expect(interpolate('{a} 和 {b}', { a: 1, b: '二' })).toBe('1 和 二');
  });
  it('leaves unknown placeholders visible rather than printing undefined', () => {
    expect(interpolate('x {missing} y', {})).toBe('x {missing} y');
  });
  it('chooses singular or plural English words by n', () => {
    expect(translate(en, 'banner.unsent', { n: 1 })).toBe('1 change not sent');
    expect(translate(en, 'banner.unsent', { n: 3 })).toBe('3 changes not sent');
    expect(translate(en, 'banner.unsent', { n: 0 })).toBe('0 changes not sent');
    expect(translate(zhCN, 'banner.unsent', { n: 3 })).toBe('3 条待同步');
    expect(translate(en, 'sync.overruled', { n: 1 })).toBe('1 of your steps was overruled');
    expect(translate(en, 'sync.overruled', { n: 2 })).toBe('2 of your steps were overruled');
    expect(translate(zhCN, 'sync.overruled', { n: 2 })).toBe('2 步被驳回');
  });
});

describe('lookupTerm', () => {
  it('shows an unknown backend word as it came instead of hiding it', () => {
    expect(lookupTerm(en, 'cat', '未知类别')).toBe('未知类别');
    expect(lookupTerm(en, 'cat', null)).toBe('');
  });
  it('looks step and role keys up as the model spells them, one spelling each', () => {
    expect(lookupTerm(en, 'step', 'withdraw-claim')).toBe('withdraw claim');
    expect(lookupTerm(en, 'step', 'refuse-claim')).toBe('claimed by someone else');
    expect(lookupTerm(zhCN, 'role', 'community-staff')).toBe('社区工作人员');
    expect(lookupTerm(en, 'visitKind', 'home-service-day')).toBe('home service day');
  });
  it('translates relations whether the backend sends the key or the Chinese word', () => {
    expect(lookupTerm(en, 'relation', 'head')).toBe('head of household');
    expect(lookupTerm(en, 'relation', '户主')).toBe('head of household');
  });
});

describe('capitalise', () => {
  it('capitalises English labels and leaves Chinese alone', () => {
    expect(capitalise('handle / feed back')).toBe('Handle / feed back');
    expect(capitalise('吹哨 / 上报街道')).toBe('吹哨 / 上报街道');
    expect(capitalise('')).toBe('');
  });
});
