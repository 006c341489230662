// Helpers shared by the functional layer ops: argument parsing (ints and pairs), input-shape
// checks whose messages name the layer, the expectation and the input, and `composite`, which
// frees a composite op's temporaries when no graph is being recorded through it.

import { check, fmtShape } from '../../errors.js';
import { tidy } from '../../lifetime.js';
import type { Tensor } from '../../tensor.js';
import { assertTensor, describe } from '../../ops/util.js';

export type Pair = number | readonly [number, number];

/** [a, b] from a number or a pair, each an integer ≥ min. */
export function pair(where: string, name: string, v: Pair, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  check(Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= min), 'BAD_OPTION',
    () => `${where}: ${name} must be an integer ≥ ${min} or a pair of them, got ${describe(v)}`);
  return [p[0], p[1]];
}

export function int(where: string, name: string, v: unknown, min: number): number {
  check(Number.isInteger(v) && (v as number) >= min, 'BAD_ARGUMENT',
    () => `${where}: ${name} must be an integer ≥ ${min}, got ${describe(v)}`);
  return v as number;
}

export function prob(where: string, name: string, v: unknown): number {
  check(typeof v === 'number' && v >= 0 && v <= 1, 'BAD_OPTION', () => `${where}: ${name} must be in [0, 1], got ${describe(v)}`);
  return v;
}

/** Asserts x is a floating tensor whose rank is one of `ranks`. */
export function checkInput(where: string, x: unknown, ranks: readonly number[], what: string): Tensor {
  const t = assertTensor(x, where, 'input');
  check(ranks.includes(t.ndim), 'SHAPE_MISMATCH',
    () => `${where}: expected ${what} (${ranks.join(' or ')}-d), got input of shape ${fmtShape(t.shape)}`);
  check(t.dtype !== 'i32', 'BAD_DTYPE', () => `${where}: expected a floating input, got dtype i32`);
  return t;
}

/** Asserts dim `axis` of x has `size`, naming both in the message. */
export function checkDim(where: string, x: Tensor, axis: number, size: number, what: string): void {
  const a = axis < 0 ? x.ndim + axis : axis;
  check(x.shape[a] === size, 'SHAPE_MISMATCH',
    () => `${where}: expected ${size} ${what} (dim ${a}), got input of shape ${fmtShape(x.shape)} with ${x.shape[a]}`);
}

/**
 * Runs a composite op in its own tidy scope: its temporaries are freed on the spot, on success
 * and when it throws. Recording a graph changes nothing here: each node holds what its backward
 * reads, so the graph lives on after the handles go, and goes with the graph.
 */
export function composite<T>(fn: () => T): T {
  return tidy(fn);
}
