// Asserting a DescentError: its code and the words its message must name.

import { expect } from 'vitest';
import { DescentError } from '../../ts/errors.js';

export function expectError(f: () => unknown, code: string, ...words: string[]): void {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err, `expected a DescentError mentioning ${words.join(', ')}`).toBeInstanceOf(DescentError);
  expect((err as DescentError).code).toBe(code);
  for (const w of words) expect((err as Error).message).toContain(w);
}
