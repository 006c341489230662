// einsum for one or two operands, and outer. A spec is reduced to ops that already have VJPs:
// a repeated letter within an operand takes a diagonal (a view), a letter found in one operand
// only and not in the output is summed, and a pair of operands becomes one batched matmul
// [batch, free_a, contracted] · [batch, contracted, free_b], permuted to the output's order.

import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { diagonal } from './diagonal.js';
import { mul } from './elementwise.js';
import { matmul } from './linalg.js';
import { sum } from './reduce.js';
import { permute, reshape } from './shape.js';
import { assertTensor, describe, scoped } from './util.js';

interface Spec { inputs: string[][]; output: string[] }

/** torch's implicit output: letters used exactly once, lowercase a–z then uppercase A–Z. */
const labelRank = (c: string): number => (c >= 'a' ? c.charCodeAt(0) - 97 : c.charCodeAt(0) - 65 + 26);

function parse(spec: string, count: number): Spec {
  check(typeof spec === 'string', 'BAD_ARGUMENT', () => `einsum: expected a spec string such as 'ij,jk->ik', got ${describe(spec)}`);
  const s = spec.replace(/\s+/g, '');
  check(!s.includes('.'), 'UNSUPPORTED', () => `einsum: '...' (ellipsis) is not supported in '${spec}'; name every dim with a letter`);
  const [lhs, rhs, ...extra] = s.split('->');
  const inputs = lhs.split(',');
  check(extra.length === 0 && [...inputs, rhs ?? ''].every((t) => /^[a-zA-Z]*$/.test(t)), 'BAD_ARGUMENT',
    () => `einsum: spec '${spec}' must be letters a–z/A–Z, operands separated by ',', at most one '->'`);
  check(inputs.length === count, 'BAD_ARGUMENT', () => `einsum: spec '${spec}' names ${inputs.length} operand(s), got ${count} tensor(s)`);
  const letters = inputs.join('');
  const output = rhs === undefined
    ? [...new Set(letters)].filter((c) => letters.indexOf(c) === letters.lastIndexOf(c)).sort((a, b) => labelRank(a) - labelRank(b))
    : [...rhs];
  check(new Set(output).size === output.length, 'BAD_ARGUMENT', () => `einsum: output '${rhs}' repeats a letter in '${spec}'`);
  for (const c of output) check(letters.includes(c), 'BAD_ARGUMENT', () => `einsum: output letter '${c}' does not appear in any operand of '${spec}'`);
  return { inputs: inputs.map((t) => [...t]), output };
}

/** Checks ranks and that every letter has one size; returns the sizes. */
function letterSizes(spec: string, sp: Spec, xs: readonly Tensor[]): Map<string, number> {
  const sizes = new Map<string, number>();
  sp.inputs.forEach((sub, k) => {
    check(sub.length === xs[k].ndim, 'SHAPE_MISMATCH',
      () => `einsum: operand ${k} has shape ${fmtShape(xs[k].shape)} but '${sub.join('')}' names ${sub.length} dim(s) in '${spec}'`);
    sub.forEach((c, i) => {
      const n = xs[k].shape[i];
      check(!sizes.has(c) || sizes.get(c) === n, 'SHAPE_MISMATCH',
        () => `einsum: letter '${c}' has size ${sizes.get(c)} and ${n} in '${spec}' (operand ${k}, shape ${fmtShape(xs[k].shape)})`);
      sizes.set(c, n);
    });
  });
  return sizes;
}

interface Labeled { t: Tensor; sub: string[] }

/** Repeated letters become diagonals; letters outside `keep` are summed out. */
function simplify(x: Tensor, sub: string[], keep: Set<string>): Labeled {
  let t = x;
  let s = sub;
  for (let i = s.findIndex((c, k) => s.indexOf(c) !== k); i >= 0; i = s.findIndex((c, k) => s.indexOf(c) !== k)) {
    const a = s.indexOf(s[i]);
    t = diagonal(t, 0, a, i);
    s = [...s.filter((_, k) => k !== a && k !== i), s[i]];
  }
  const drop = s.map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  return drop.length === 0 ? { t, sub: s } : { t: sum(t, drop), sub: s.filter((c) => keep.has(c)) };
}

const permuted = (l: Labeled, order: readonly string[]): Tensor => permute(l.t, order.map((c) => l.sub.indexOf(c)));

function contract(a: Labeled, b: Labeled, output: string[], sizes: Map<string, number>): Labeled {
  const inB = new Set(b.sub);
  const batch = a.sub.filter((c) => inB.has(c) && output.includes(c));
  const con = a.sub.filter((c) => inB.has(c) && !output.includes(c));
  const freeA = a.sub.filter((c) => !inB.has(c));
  const freeB = b.sub.filter((c) => !a.sub.includes(c));
  const size = (cs: string[]): number => cs.reduce((p, c) => p * sizes.get(c)!, 1);
  const y = matmul(
    reshape(permuted(a, [...batch, ...freeA, ...con]), [size(batch), size(freeA), size(con)]),
    reshape(permuted(b, [...batch, ...con, ...freeB]), [size(batch), size(con), size(freeB)]));
  const sub = [...batch, ...freeA, ...freeB];
  return { t: reshape(y, sub.map((c) => sizes.get(c)!)), sub };
}

/**
 * Einstein summation over one or two operands (torch.einsum): 'ij,jk->ik' (matmul), 'bij,bjk->bik',
 * 'i,j->ij' (outer), 'ij,ij->' (dot), 'ii->' (trace), 'ii->i' (diagonal), 'ij->ji'; without '->'
 * the output is the letters used once, in alphabetical order. Gradients flow to both operands.
 * @example d.einsum('ij,jk->ik', a, b)
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  check(operands.length === 1 || operands.length === 2, 'BAD_ARGUMENT',
    () => `einsum: expected 1 or 2 operands, got ${operands.length}`);
  operands.forEach((t, i) => assertTensor(t, 'einsum', `operand ${i}`));
  const sp = parse(spec, operands.length);
  const sizes = letterSizes(spec, sp, operands);
  return scoped(() => {
    const [sa, sb] = sp.inputs;
    const keepA = new Set([...sp.output, ...(sb ?? [])]);
    const a = simplify(operands[0], sa, keepA);
    const r = sb === undefined ? a : contract(a, simplify(operands[1], sb, new Set([...sp.output, ...a.sub])), sp.output, sizes);
    return permuted(r, sp.output);
  });
}

/**
 * The outer product of two vectors: out[i][j] = a[i]·b[j].
 * @example d.outer(d.tensor([1, 2]), d.tensor([3, 4, 5]))  // shape [2, 3]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'outer', 'a');
  assertTensor(b, 'outer', 'b');
  check(a.ndim === 1 && b.ndim === 1, 'SHAPE_MISMATCH', () => `outer: expected two vectors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return scoped(() => mul(reshape(a, [a.shape[0], 1]), reshape(b, [1, b.shape[0]])));
}
