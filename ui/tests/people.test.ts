import { describe, expect, it } from 'vitest';
import { personLabel, type People } from '../src/lib/people';
import { dictionaries, lookupTerm } from '../src/lib/i18n';

const people: People = {
  'gw-1': { name: '张伟', role: 'grid-worker', revoked: false },
  'cs-1': { name: '王芳', role: 'community-staff', revoked: false },
  'gw-9': { name: '陈静', role: 'grid-worker', revoked: true },
  'xx-1': { name: '周杰', role: '', revoked: false },
};
const zh = (r: string) => lookupTerm(dictionaries['zh-CN'], 'role', r);
const en = (r: string) => lookupTerm(dictionaries.en, 'role', r);

describe('personLabel', () => {
  it('names a known person with their role in the reader’s language, the name as written', () => {
    expect(personLabel('gw-1', null, people, zh)).toBe('张伟 (网格员)');
    expect(personLabel('gw-1', null, people, en)).toBe('张伟 (grid worker)');
    expect(personLabel(' cs-1 ', undefined, people, zh)).toBe('王芳 (社区工作人员)');
  });

  it('takes the role a step was taken in over the directory’s', () => {
    expect(personLabel('cs-1', 'street-staff', people, en)).toBe('王芳 (street staff)');
  });

  it('keeps a revoked person’s name', () => {
    expect(personLabel('gw-9', null, people, zh)).toBe('陈静 (网格员)');
  });

  it('shows someone unknown as their id, with the step’s role when there is one', () => {
    expect(personLabel('gw-404', null, people, zh)).toBe('gw-404');
    expect(personLabel('gw-404', 'grid-worker', people, zh)).toBe('gw-404 (网格员)');
    expect(personLabel('gw-1', null, undefined, zh)).toBe('gw-1');
  });

  it('names a role this build does not know by the name alone, and the hub as the hub', () => {
    expect(personLabel('xx-1', null, people, zh)).toBe('周杰');
    expect(personLabel('hub', 'hub', people, zh)).toBe('街道枢纽');
    expect(personLabel('hub', null, {}, en)).toBe('street hub');
  });
});
