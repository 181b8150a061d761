import { describe, expectTypeOf, it } from 'vitest';
import type { IssueDetail, SyncInfo, Today, Wire, WishRow } from '../src/lib/types';

// Checked by svelte-check/tsc as part of `npm run build`; vitest only runs them.
describe('Wire', () => {
  it('turns the bigint ts-rs writes for i64/u64 into the number JSON delivers', () => {
    expectTypeOf<Wire<bigint>>().toEqualTypeOf<number>();
    expectTypeOf<Wire<bigint | null>>().toEqualTypeOf<number | null>();
    expectTypeOf<Today['unsent']>().toEqualTypeOf<number>();
    expectTypeOf<SyncInfo['total']>().toEqualTypeOf<number | null>();
    expectTypeOf<WishRow['value_yuan']>().toEqualTypeOf<number>();
  });
  it('leaves strings, tuples and nested records intact', () => {
    expectTypeOf<IssueDetail['feedback']>().toEqualTypeOf<Array<[string, string]>>();
    expectTypeOf<IssueDetail['events'][number]['refused']>().toEqualTypeOf<string | null>();
    expectTypeOf<Wire<{ a: { b: bigint[] } }>>().toEqualTypeOf<{ a: { b: number[] } }>();
  });
});
