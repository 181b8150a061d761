import { describe, expect, it } from 'vitest';
import { startingSearch, type GridSearch } from '../src/lib/gridSearch';

const kept: GridSearch = { text: 'djg', tag: '独居老人', notVisited: false, scrollY: 640, opened: true };

describe('startingSearch', () => {
  it('resumes the search and scroll when coming back from a household', () => {
    expect(startingSearch({}, kept)).toEqual({ ...kept, opened: false });
  });
  it('starts afresh when the list opens from elsewhere', () => {
    expect(startingSearch({}, { ...kept, opened: false })).toEqual({ text: '', tag: null, notVisited: false, scrollY: 0, opened: false });
  });
  it('takes the filters a route names over what was kept', () => {
    expect(startingSearch({ not_visited: '30' }, kept)).toEqual({ text: '', tag: null, notVisited: true, scrollY: 0, opened: false });
  });
});
