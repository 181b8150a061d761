import type { Resident } from './types';

/** The head of household (户主); the backend sends the key or the Chinese word. */
export function headOf(residents: Resident[]): Resident | undefined {
  return residents.find((r) => r.relation === 'head' || r.relation === '户主') ?? residents[0];
}
