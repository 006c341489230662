// Functional autograd for optimization research (JAX/functorch style): grad, valueAndGrad, vjp,
// jvp (by double-vjp: J·v = d/du ⟨Jᵀu, v⟩) and hvp (by differentiating ⟨∇f, v⟩). They nest:
// when an argument is already tracked by an enclosing graph, the inner pass records its own
// backward (createGraph), so grad(grad(f)) and hypergradients work. For a plain (unrecorded)
// gradient of a tensor that requires grad, pass x.detach() or call under noGrad. Results belong
// to the caller's tidy scope; everything else made here is freed before returning.

import { trackInScope } from '../engine.js';
import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../ops/creation.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { detach } from '../ops/shape.js';
import { assertTensor, describe } from '../ops/util.js';
import { gradients } from './backward.js';
import { enableGrad, isGradEnabled } from './tape.js';

type Tensors = Tensor | readonly Tensor[];
type Fn = (...args: never[]) => Tensor;
/** One tensor per tensor of X: a tuple for a tuple, so `hv[0]` is a Tensor under noUncheckedIndexedAccess. */
export type TensorsLike<X extends readonly Tensor[]> = { -readonly [K in keyof X]: Tensor };

const asList = (x: Tensors, where: string, name: string): Tensor[] => {
  const list = Array.isArray(x) ? [...x] : [x as Tensor];
  list.forEach((t, i) => assertTensor(t, where, Array.isArray(x) ? `${name}[${i}]` : name));
  return list;
};
function sameShapes(xs: Tensor[], vs: Tensor[], where: string): void {
  check(vs.length === xs.length, 'BAD_ARGUMENT', () => `${where}: expected ${xs.length} vectors v, got ${vs.length}`);
  vs.forEach((v, i) => check(v.shape.length === xs[i].shape.length && v.shape.every((n, j) => n === xs[i].shape[j]), 'SHAPE_MISMATCH',
    () => `${where}: v${xs.length > 1 ? `[${i}]` : ''} has shape [${v.shape.join(', ')}], expected x's [${xs[i].shape.join(', ')}]`));
}

const shaped = (x: Tensors, list: Tensor[]): Tensors => (Array.isArray(x) ? list : list[0]);

/** An outer graph already tracks x: differentiate through it and record (nesting). */
const isNested = (xs: Tensor[]): boolean => isGradEnabled() && xs.some((x) => x.requiresGrad);

/** Fresh leaves requiring grad, or the tracked tensors themselves when nested. */
function variables(xs: Tensor[], nested: boolean): Tensor[] {
  return xs.map((x) => {
    if (nested && x.requiresGrad) return x;
    const v = detach(x);
    v.requiresGrad = true;
    return v;
  });
}

function callOut(f: Fn, args: unknown[], where: string): Tensor {
  check(typeof f === 'function', 'BAD_ARGUMENT', () => `${where}: expected a function, got ${describe(f)}`);
  const y = enableGrad(() => (f as (...a: unknown[]) => unknown)(...args));
  return assertTensor(y, where, 'the value returned by f');
}

/** d out/d vars with seed (zeros for vars out does not depend on), owned by the current scope. */
function pull(out: Tensor, vars: Tensor[], seed: Tensor | null, createGraph: boolean): Tensor[] {
  const gs = out.requiresGrad ? gradients(out, vars, seed, { createGraph }) : vars.map((v) => zerosLike(v));
  gs.forEach((g) => trackInScope(g));
  return gs;
}

/** Σᵢ ⟨gsᵢ, vsᵢ⟩ as a scalar tensor. */
const dot = (gs: Tensor[], vs: Tensor[]): Tensor => gs.map((g, i) => sum(mul(g, vs[i]))).reduce((a, b) => a.add(b));

function scalarOut(y: Tensor, where: string): void {
  check(y.size === 1, 'SHAPE_MISMATCH', () => `${where}: f must return a one-element tensor, got shape [${y.shape.join(', ')}]`);
}

export interface GradOptions { argnums?: number | readonly number[] }

/**
 * f ↦ (…args) ⇒ [f(args), ∇f(args)] for scalar f; argnums picks the differentiated arguments
 * (default 0; an array gives an array of gradients).
 * @example const [loss, g] = d.valueAndGrad((w) => w.square().sum())(w0);
 */
export function valueAndGrad<F extends Fn>(f: F, opts?: { argnums?: number }): (...args: Parameters<F>) => [Tensor, Tensor];
export function valueAndGrad<F extends Fn, const A extends readonly number[]>(f: F, opts: { argnums: A }):
  (...args: Parameters<F>) => [Tensor, { -readonly [K in keyof A]: Tensor }];
export function valueAndGrad<F extends Fn>(f: F, opts?: GradOptions): (...args: Parameters<F>) => [Tensor, Tensors] {
  checkOptions('valueAndGrad', opts, ['argnums']);
  const argnums = opts?.argnums ?? 0;
  check(typeof argnums === 'number' || Array.isArray(argnums), 'BAD_OPTION',
    () => `valueAndGrad: argnums must be an integer or an array of integers, got ${describe(argnums)}`);
  const nums = typeof argnums === 'number' ? [argnums] : [...argnums];
  return (...args) => tidy(() => {
    nums.forEach((n) => check(Number.isInteger(n) && n >= 0 && n < args.length, 'BAD_ARGUMENT',
      () => `valueAndGrad: argnums ${n} is out of range for ${args.length} arguments`));
    const xs = nums.map((n) => assertTensor(args[n], 'valueAndGrad', `argument ${n}`));
    const nested = isNested(xs);
    const vars = variables(xs, nested);
    const callArgs = [...args] as unknown[];
    nums.forEach((n, i) => { callArgs[n] = vars[i]; });
    const y = callOut(f, callArgs, 'valueAndGrad');
    scalarOut(y, 'valueAndGrad');
    const gs = pull(y, vars, null, nested);
    return [nested ? y : detach(y), typeof argnums === 'number' ? gs[0] : gs] as [Tensor, Tensors];
  });
}

/** f ↦ ∇f (see valueAndGrad). @example d.grad((x) => x.pow(3).sum())(x) // 3x² */
export function grad<F extends Fn>(f: F, opts?: { argnums?: number }): (...args: Parameters<F>) => Tensor;
export function grad<F extends Fn, const A extends readonly number[]>(f: F, opts: { argnums: A }):
  (...args: Parameters<F>) => { -readonly [K in keyof A]: Tensor };
export function grad<F extends Fn>(f: F, opts?: GradOptions): (...args: Parameters<F>) => Tensors {
  const vg = valueAndGrad(f, opts as { argnums?: number });
  return (...args) => {
    const [value, g] = vg(...args);
    value.dispose();
    return g;
  };
}

/**
 * [f(x), vᵀ·J] for f of one tensor (or an array of tensors, passed as separate arguments);
 * v has f(x)'s shape. (torch.autograd.functional.vjp)
 */
export function vjp(f: Fn, x: Tensor, v: Tensor): [Tensor, Tensor];
export function vjp<const X extends readonly Tensor[]>(f: Fn, x: X, v: Tensor): [Tensor, TensorsLike<X>];
export function vjp(f: Fn, x: Tensors, v: Tensor): [Tensor, Tensors] {
  return tidy(() => {
    const xs = asList(x, 'vjp', 'x');
    const nested = isNested(xs);
    const vars = variables(xs, nested);
    const y = callOut(f, vars, 'vjp');
    const gs = pull(y, vars, assertTensor(v, 'vjp', 'v'), nested);
    return [nested ? y : detach(y), shaped(x, gs)] as [Tensor, Tensors];
  });
}

/** [f(x), J·v] by double-vjp; v has x's shape(s). (torch.autograd.functional.jvp) */
export function jvp(f: Fn, x: Tensors, v: Tensors): [Tensor, Tensor] {
  return tidy(() => {
    const xs = asList(x, 'jvp', 'x');
    const vs = asList(v, 'jvp', 'v');
    sameShapes(xs, vs, 'jvp');
    const nested = isNested(xs);
    const vars = variables(xs, nested);
    const y = callOut(f, vars, 'jvp');
    const u = zerosLike(y);
    u.requiresGrad = true;
    // recorded even under an enclosing noGrad, else ⟨Jᵀu, v⟩ is a constant and J·v silently zero
    const inner = enableGrad(() => dot(pull(y, vars, u, true), vs));
    const [jv] = pull(inner, [u], null, nested);
    return [nested ? y : detach(y), jv] as [Tensor, Tensor];
  });
}

/** [f(x), H·v] for scalar f: the gradient of ⟨∇f(x), v⟩. (torch.autograd.functional.hvp) */
export function hvp(f: Fn, x: Tensor, v: Tensor): [Tensor, Tensor];
export function hvp<const X extends readonly Tensor[]>(f: Fn, x: X, v: readonly Tensor[]): [Tensor, TensorsLike<X>];
export function hvp(f: Fn, x: Tensors, v: Tensors): [Tensor, Tensors] {
  return tidy(() => {
    const xs = asList(x, 'hvp', 'x');
    const vs = asList(v, 'hvp', 'v');
    sameShapes(xs, vs, 'hvp');
    const nested = isNested(xs);
    const vars = variables(xs, nested);
    const y = callOut(f, vars, 'hvp');
    scalarOut(y, 'hvp');
    const inner = enableGrad(() => dot(pull(y, vars, null, true), vs)); // ⟨∇f, v⟩, recorded as in jvp
    const hs = pull(inner, vars, null, nested);
    return [nested ? y : detach(y), shaped(x, hs)] as [Tensor, Tensors];
  });
}
