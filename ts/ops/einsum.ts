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

const ELLIPSIS = '...';
const TERM = /^[a-zA-Z]*(\.\.\.)?[a-zA-Z]*$/;

/** torch's implicit output: '...' dims first, then letters used exactly once, a–z then A–Z. */
const labelRank = (c: string): number => (c >= 'a' ? c.charCodeAt(0) - 97 : c.charCodeAt(0) - 65 + 26);

/**
 * Splits a spec into one label list per operand and the output's. '...' stands for the dims no
 * letter names, right-aligned across operands; its dims get labels (U+0100 on) no spec can write.
 */
function parse(spec: string, xs: readonly Tensor[]): Spec {
  check(typeof spec === 'string', 'BAD_ARGUMENT', () => `einsum: expected a spec string such as 'ij,jk->ik', got ${describe(spec)}`);
  const [lhs, rhs, ...extra] = spec.replace(/\s+/g, '').split('->');
  const terms = lhs.split(',');
  check(extra.length === 0 && [...terms, rhs ?? ''].every((t) => TERM.test(t)), 'BAD_ARGUMENT',
    () => `einsum: spec '${spec}' must be letters a–z/A–Z and at most one '...' per operand, operands separated by ',', at most one '->'`);
  check(terms.length === xs.length, 'BAD_ARGUMENT', () => `einsum: spec '${spec}' names ${terms.length} operand(s), got ${xs.length} tensor(s)`);
  const spans = terms.map((t, k) => xs[k].ndim - t.replace(ELLIPSIS, '').length);
  terms.forEach((t, k) => check(spans[k] >= 0 && (spans[k] === 0 || t.includes(ELLIPSIS)), 'SHAPE_MISMATCH',
    () => `einsum: operand ${k} has shape ${fmtShape(xs[k].shape)} but '${t}' names ${t.replace(ELLIPSIS, '').length} dim(s) in '${spec}'`));
  const ell = Array.from({ length: Math.max(0, ...spans) }, (_, i) => String.fromCharCode(0x100 + i));
  const labels = (t: string, span: number): string[] => {
    const [head, tail] = t.split(ELLIPSIS);
    return tail === undefined ? [...head] : [...head, ...ell.slice(ell.length - span), ...tail];
  };
  const inputs = terms.map((t, k) => labels(t, spans[k]));
  const used = inputs.flat();
  const once = (c: string): boolean => c < '\u0100' && used.indexOf(c) === used.lastIndexOf(c);
  const output = rhs === undefined ? [...ell, ...[...new Set(used)].filter(once).sort((a, b) => labelRank(a) - labelRank(b))] : labels(rhs, ell.length);
  check(new Set(output).size === output.length, 'BAD_ARGUMENT', () => `einsum: output '${rhs}' repeats a letter in '${spec}'`);
  for (const c of output) check(used.includes(c), 'BAD_ARGUMENT', () => `einsum: output letter '${c}' does not appear in any operand of '${spec}'`);
  return { inputs, output };
}

/** Each label's size; sizes of one label must agree or be 1 (broadcast, as torch). */
function labelSizes(spec: string, sp: Spec, xs: readonly Tensor[]): Map<string, number> {
  const sizes = new Map<string, number>();
  sp.inputs.forEach((sub, k) => sub.forEach((c, i) => {
    const [had, n] = [sizes.get(c) ?? 1, xs[k].shape[i]];
    check(had === n || had === 1 || n === 1, 'SHAPE_MISMATCH',
      () => `einsum: ${c < '\u0100' ? `letter '${c}'` : "a '...' dim"} has size ${had} and ${n} in '${spec}' (operand ${k}, shape ${fmtShape(xs[k].shape)})`);
    sizes.set(c, Math.max(had, n));
  }));
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
 * '...ij,...jk->...ik' (batched, broadcast), 'i,j->ij' (outer), 'ij,ij->' (dot), 'ii->' (trace),
 * 'ii->i' (diagonal), 'ij->ji'; without '->' the output is '...' then the letters used once, in
 * alphabetical order. Size-1 dims broadcast. Gradients flow to both operands.
 * @example d.einsum('ij,jk->ik', a, b)
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  check(operands.length === 1 || operands.length === 2, 'BAD_ARGUMENT',
    () => `einsum: expected 1 or 2 operands, got ${operands.length}`);
  operands.forEach((t, i) => assertTensor(t, 'einsum', `operand ${i}`));
  const sp = parse(spec, operands);
  const sizes = labelSizes(spec, sp, operands);
  return scoped(() => {
    const [sa, sb] = sp.inputs;
    const [xa, xb] = operands.map((x, k) => x.expand(sp.inputs[k].map((c) => sizes.get(c)!))); // size-1 dims broadcast
    const a = simplify(xa, sa, new Set([...sp.output, ...(sb ?? [])]));
    const r = sb === undefined ? a : contract(a, simplify(xb, sb, new Set([...sp.output, ...a.sub])), sp.output, sizes);
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
