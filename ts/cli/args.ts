// Parsers and checks for command-line values. Every failure is a UsageError: main.ts prints its
// one-line message and exits with code 2, before any training starts or any file is written.

import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** Bad input from the command line: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** A commander value parser for numbers in [min, max] (integers when `int`). */
export function numberArg(what: string, o: { min?: number; max?: number; int?: boolean; exclusiveMin?: boolean } = {}) {
  return (raw: string): number => {
    const n = Number(raw);
    const kind = o.int ? 'an integer' : 'a number';
    const range = `${o.min !== undefined ? `${o.exclusiveMin ? '>' : '≥'} ${o.min}` : ''}${o.min !== undefined && o.max !== undefined ? ' and ' : ''}${o.max !== undefined ? `≤ ${o.max}` : ''}`;
    const expected = `${what} expects ${kind}${range ? ` ${range}` : ''}, got '${raw}'`;
    if (raw.trim() === '' || !Number.isFinite(n) || (o.int && !Number.isInteger(n))) throw new InvalidArgumentError(expected);
    if (o.min !== undefined && (o.exclusiveMin ? n <= o.min : n < o.min)) throw new InvalidArgumentError(expected);
    if (o.max !== undefined && n > o.max) throw new InvalidArgumentError(expected);
    return n;
  };
}

/** `120s`, `2m`, `90` (seconds) → seconds. */
export function durationArg(what: string) {
  return (raw: string): number => {
    const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(raw.trim());
    if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError(`${what} expects a duration such as 90s or 2m, got '${raw}'`);
    return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
  };
}

/** A value from a fixed list. */
export function choiceArg<T extends string>(what: string, choices: readonly T[]) {
  return (raw: string): T => {
    if (!(choices as readonly string[]).includes(raw)) throw new InvalidArgumentError(`${what} expects one of ${choices.join(', ')}, got '${raw}'`);
    return raw as T;
  };
}

/** A comma-separated list of values from a fixed list. */
export function choiceListArg<T extends string>(what: string, choices: readonly T[]) {
  const one = choiceArg(what, choices);
  return (raw: string): T[] => {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw new InvalidArgumentError(`${what} expects a comma-separated list of ${choices.join(', ')}, got '${raw}'`);
    return items.map(one);
  };
}

/** Checks up front that `path` can be written (its folder exists and is writable; not a folder itself). */
export function checkWritable(what: string, path: string): string {
  const full = resolve(path);
  const dir = dirname(full);
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${what}: cannot write '${path}': folder '${dir}' does not exist or is not writable`);
  }
  try {
    if (statSync(full).isDirectory()) throw new UsageError(`${what}: '${path}' is a folder; expected a file path`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  return full;
}

/** Checks that `path` is a readable file. */
export function checkReadable(what: string, path: string): string {
  const full = resolve(path);
  try {
    accessSync(full, constants.R_OK);
    if (!statSync(full).isFile()) throw new Error();
  } catch {
    throw new UsageError(`${what}: cannot read '${path}': expected an existing file`);
  }
  return full;
}
