import { describe, expectTypeOf, it } from 'vitest';
import type { IssueDetail, SyncInfo, Today, WishRow } from '../src/lib/types';

// Checked by svelte-check as part of `npm run build`; vitest only runs them.
describe('IPC types', () => {
  it('carry 64-bit counts as numbers, which is what serde_json sends', () => {
    expectTypeOf<Today['unsent']>().toEqualTypeOf<number>();
    expectTypeOf<SyncInfo['total']>().toEqualTypeOf<number | null>();
    expectTypeOf<WishRow['value_yuan']>().toEqualTypeOf<number>();
  });
  it('keep tuples and nested records', () => {
    expectTypeOf<IssueDetail['feedback']>().toEqualTypeOf<Array<[string, string]>>();
    expectTypeOf<IssueDetail['events'][number]['refused']>().toEqualTypeOf<{ zh: string; en: string } | null>();
  });
});
