import { describe, expect, it } from 'vitest';
import { href, parseRoute, tabOf } from '../src/lib/router';

describe('parseRoute', () => {
  it('opens Today for an empty or unknown hash', () => {
    expect(parseRoute('')).toEqual({ screen: 'today', params: {} });
    expect(parseRoute('#/')).toEqual({ screen: 'today', params: {} });
    expect(parseRoute('#/nowhere/at/all')).toEqual({ screen: 'today', params: {} });
  });
  it('reads list screens with their filters', () => {
    expect(parseRoute('#/issues?state=reported&overdue=1')).toEqual({
      screen: 'issues',
      params: { state: 'reported', overdue: '1' },
    });
    expect(parseRoute('#/grid?not_visited=30')).toEqual({ screen: 'grid', params: { not_visited: '30' } });
  });
  it('reads record screens with their id', () => {
    expect(parseRoute('#/household/h-123')).toEqual({ screen: 'household', id: 'h-123', params: {} });
    expect(parseRoute('#/issue/abc')).toMatchObject({ screen: 'issue', id: 'abc' });
    expect(parseRoute('#/wish/w1')).toMatchObject({ screen: 'wish', id: 'w1' });
    expect(parseRoute('#/case/c1')).toMatchObject({ screen: 'case', id: 'c1' });
    expect(parseRoute('#/cases?state=mediating')).toEqual({ screen: 'cases', params: { state: 'mediating' } });
  });
  it('tells the new-record forms from record pages', () => {
    expect(parseRoute('#/issues/new?household=h1')).toEqual({ screen: 'issue-new', params: { household: 'h1' } });
    expect(parseRoute('#/wishes/new')).toEqual({ screen: 'wish-new', params: {} });
    expect(parseRoute('#/cases/new?visit=v1&household=h1')).toEqual({ screen: 'case-new', params: { visit: 'v1', household: 'h1' } });
  });
  it('decodes ids with unusual characters', () => {
    expect(parseRoute('#/household/' + encodeURIComponent('户/1 2')).screen).toBe('today');
    expect(parseRoute('#/household/' + encodeURIComponent('户 1')).id).toBe('户 1');
  });
  it('tolerates a trailing slash', () => {
    expect(parseRoute('#/me/').screen).toBe('me');
  });
});

describe('href', () => {
  it('round-trips through parseRoute', () => {
    for (const h of [
      href('today'),
      href('grid', null, { tag: '独居老人' }),
      href('household', 'h 1'),
      href('issues', null, { overdue: true }),
      href('issue-new', null, { household: 'h1' }),
      href('wish', 'w9'),
      href('dashboard'),
      href('refused'),
      href('case', 'c 1'),
      href('case-new', null, { issue: 'i1', type: 'neighbour' }),
    ]) {
      const r = parseRoute(h);
      expect(href(r.screen, r.id, r.params), h).toBe(h);
    }
  });
  it('leaves out empty and false parameters', () => {
    expect(href('issues', null, { state: null, overdue: false, category: '' })).toBe('#/issues');
    expect(href('issues', null, { overdue: true })).toBe('#/issues?overdue=1');
  });
});

describe('tabOf', () => {
  it('lights the tab a record screen belongs to', () => {
    expect(tabOf('household')).toBe('grid');
    expect(tabOf('issue-new')).toBe('issues');
    expect(tabOf('wish')).toBe('wishes');
    expect(tabOf('refused')).toBe('me');
    expect(tabOf('dashboard')).toBe('dashboard');
    expect(tabOf('case-new')).toBe('cases');
  });
});
