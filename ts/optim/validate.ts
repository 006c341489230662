// Option validation shared by optimizers and schedulers: every bad value becomes a DescentError
// ('BAD_OPTION') that names the option, what was expected and what came. PyTorch raises
// ValueError for the same cases; the peers in JS silently accept typos, we never do.

import { DescentError } from '../errors.js';

export interface NumberRule {
  /** Lower bound, inclusive unless `minOpen`. */
  min?: number;
  minOpen?: boolean;
  /** Upper bound, inclusive unless `maxOpen`. */
  max?: number;
  maxOpen?: boolean;
  int?: boolean;
}

function describe(rule: NumberRule): string {
  const kind = rule.int ? 'an integer' : 'a number';
  const lo = rule.min === undefined ? '' : `${rule.minOpen ? '>' : '≥'} ${rule.min}`;
  const hi = rule.max === undefined ? '' : `${rule.maxOpen ? '<' : '≤'} ${rule.max}`;
  const range = [lo, hi].filter((s) => s !== '').join(' and ');
  return range === '' ? `a finite ${kind.slice(kind.indexOf(' ') + 1)}` : `${kind} ${range}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** Returns `v` if it is a finite number obeying `rule`; throws BAD_OPTION naming `name` otherwise. */
export function checkNumber(where: string, name: string, v: unknown, rule: NumberRule = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v)
    && (!rule.int || Number.isInteger(v))
    && (rule.min === undefined || (rule.minOpen ? v > rule.min : v >= rule.min))
    && (rule.max === undefined || (rule.maxOpen ? v < rule.max : v <= rule.max));
  if (!ok) throw new DescentError('BAD_OPTION', `${where}: option '${name}' expected ${describe(rule)}, got ${show(v)}`);
  return v as number;
}

export function checkBool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new DescentError('BAD_OPTION', `${where}: option '${name}' expected a boolean, got ${show(v)}`);
  return v;
}

export function checkChoice<T extends string>(where: string, name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new DescentError('BAD_OPTION',
      `${where}: option '${name}' expected one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** A pair (betas) with each entry in [0, 1). */
export function checkBetas(where: string, v: unknown, name = 'betas'): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) {
    throw new DescentError('BAD_OPTION', `${where}: option '${name}' expected a pair [beta1, beta2], got ${show(v)}`);
  }
  checkNumber(where, `${name}[0]`, v[0], { min: 0, max: 1, maxOpen: true });
  checkNumber(where, `${name}[1]`, v[1], { min: 0, max: 1, maxOpen: true });
  return [v[0], v[1]];
}

/** Either one value for every group or a list with one per group. */
export function perGroup(where: string, name: string, v: unknown, nGroups: number, rule: NumberRule): number[] {
  if (Array.isArray(v)) {
    if (v.length !== nGroups) {
      throw new DescentError('BAD_OPTION', `${where}: option '${name}' expected ${nGroups} values (one per param group), got ${v.length}`);
    }
    return v.map((x, i) => checkNumber(where, `${name}[${i}]`, x, rule));
  }
  const x = checkNumber(where, name, v, rule);
  return new Array<number>(nGroups).fill(x);
}

/** How an optimizer option is defaulted and checked (the facades declare a schema of these). */
export interface OptionSpec {
  default: unknown;
  check: (where: string, name: string, v: unknown) => unknown;
}
export type OptionSchema = Record<string, OptionSpec>;

/** Option builders: `lr: nonNegative(1e-3)`, `eps: positive(1e-8)`, `betas: betas([0.9, 0.999])`, … */
export const nonNegative = (d: number): OptionSpec => ({ default: d, check: (w, n, v) => checkNumber(w, n, v, { min: 0 }) });
export const positive = (d: number): OptionSpec => ({ default: d, check: (w, n, v) => checkNumber(w, n, v, { min: 0, minOpen: true }) });
export const unitInterval = (d: number): OptionSpec => ({ default: d, check: (w, n, v) => checkNumber(w, n, v, { min: 0, max: 1 }) });
export const positiveInt = (d: number): OptionSpec => ({ default: d, check: (w, n, v) => checkNumber(w, n, v, { min: 1, int: true }) });
export const flag = (d: boolean): OptionSpec => ({ default: d, check: checkBool });
export const betas = (d: [number, number]): OptionSpec => ({ default: d, check: (w, n, v) => checkBetas(w, v, n) });
export const choice = <T extends string>(d: T | null, choices: readonly T[]): OptionSpec => ({
  default: d, check: (w, n, v) => (v === null ? null : checkChoice(w, n, v, choices)),
});
