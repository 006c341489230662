// Autocast regions (torch.autocast): inside `autocast({ dtype }, fn)` ops follow torch's cast lists.
// Low-precision list — matmul, and so linear, conv2d and attention, which are built on it (linear
// and conv also cast their bias): floating operands are rounded to bf16 or f16, multiplied with f32
// accumulation (the GEMM widens the half operands while packing) and the product is rounded once
// (RNE) to the low dtype, which is what the op returns. f32 list — softmax, logSoftmax, the losses,
// layer/batch norm, sum/mean/var/std, exp/log/pow, cumsum: half inputs are upcast and the op runs and
// returns in f32. Every other op runs in the widest input dtype (the promotion lattice of
// ts/dtype.ts), as torch's "promote" rule. Parameters stay f32 masters: the casts are autograd ops,
// so their gradients arrive in f32. f64 and i32 operands are left alone, as in torch. Regions nest;
// `enabled: false` turns autocast off inside one. As torch, the casts of f32 leaf parameters are
// cached while the outermost region runs (a weight used twice is rounded once) and released when it
// exits; backward after the region still works, since the tape holds what it saved.

import { check, checkOptions } from '../errors.js';
import { isGradEnabled } from '../autograd/tape.js';
import { isHalf } from '../dtype.js';
import { keep } from '../lifetime.js';
import { to } from '../ops/shape.js';
import { describe, scoped } from '../ops/util.js';
import { Tensor } from '../tensor.js';

export type AutocastDtype = 'bf16' | 'f16';
export interface AutocastOptions {
  /** Default 'bf16' (torch's CPU default). */
  dtype?: AutocastDtype;
  /** Default true; false disables autocast inside the region. */
  enabled?: boolean;
}

let active: AutocastDtype | null = null;
/** True while a low-precision-list op runs: inner matmuls keep the f32 accumulator, the op rounds once. */
let inLowOp = false;
/** Regions open now (enabled or not): the cast cache lives until the outermost one exits. */
let depth = 0;
const castCache: Record<AutocastDtype, Map<Tensor, Tensor>> = { bf16: new Map(), f16: new Map() };

/** The dtype low-precision-list ops (matmul) round to right now, or null outside autocast. */
export const autocastDtype = (): AutocastDtype | null => active;

/**
 * Runs fn (synchronously) with autocast set as opts say; restores the outer setting afterwards,
 * also when fn throws.
 * @example const logits = d.amp.autocast({ dtype: 'bf16' }, () => model.call(x));
 */
export function autocast<T>(opts: AutocastOptions, fn: () => T): T {
  const where = 'amp.autocast';
  check(opts !== null && typeof opts === 'object', 'BAD_OPTION', () => `${where}: expected options { dtype?, enabled? }, got ${describe(opts)}`);
  checkOptions(where, opts, ['dtype', 'enabled']);
  const { dtype = 'bf16', enabled = true } = opts;
  check(dtype === 'bf16' || dtype === 'f16', 'BAD_DTYPE', () => `${where}: expected dtype 'bf16' or 'f16', got ${describe(dtype)}`);
  check(typeof enabled === 'boolean', 'BAD_OPTION', () => `${where}: expected enabled to be a boolean, got ${describe(enabled)}`);
  check(typeof fn === 'function', 'BAD_ARGUMENT', () => `${where}: expected a function to run, got ${describe(fn)}`);
  const outer = active;
  active = enabled ? dtype : null;
  depth++;
  try {
    return fn();
  } finally {
    active = outer;
    if (--depth === 0) releaseCastCache();
  }
}

/**
 * For an op on torch's f32 list: inside an autocast region, when some tensor argument is f16/bf16,
 * runs op on f32 copies of the half tensors and returns its f32 result; otherwise null (the op
 * runs as it is). The copies are temporaries; gradients flow back through them to the halves.
 */
export function inF32IfAutocast<A extends unknown[]>(op: (...args: A) => Tensor, args: A): Tensor | null {
  if (active === null) return null; // the common case: no closure made
  const isHalfTensor = (a: unknown): a is Tensor => a instanceof Tensor && isHalf(a.dtype);
  if (!args.some(isHalfTensor)) return null;
  return scoped(() => op(...(args.map((a) => (isHalfTensor(a) ? to(a, 'f32') : a)) as A)));
}

/** op wrapped for torch's f32 autocast list (see inF32IfAutocast). */
export function f32UnderAutocast<A extends unknown[]>(op: (...args: A) => Tensor): (...args: A) => Tensor {
  return (...args: A) => inF32IfAutocast(op, args) ?? op(...args);
}

/**
 * t rounded to the autocast dtype when a region is on and t is f32/f16/bf16 (an autograd cast); else
 * t. An f32 leaf that requires grad (a parameter) is cast once per region while grad is on (torch's
 * rule: a cast made under noGrad has no graph and must not serve a later differentiable use).
 */
export function castLow(t: Tensor): Tensor {
  if (active === null || !(t.dtype === 'f32' || isHalf(t.dtype))) return t;
  if (t.dtype !== 'f32' || !t.requiresGrad || t.gradFn !== null || !isGradEnabled()) return to(t, active);
  const cache = castCache[active];
  let cast = cache.get(t);
  if (cast === undefined) {
    cast = keep(to(t, active)); // outlives the op's scope; released with the region
    cache.set(t, cast);
  }
  return cast;
}

function releaseCastCache(): void {
  for (const cache of Object.values(castCache)) {
    for (const cast of cache.values()) cast.dispose();
    cache.clear();
  }
}

/**
 * For an op on torch's low-precision list: inside an autocast region, runs fn (whose matmuls then
 * return their f32 accumulators) and rounds its f32 result once to the autocast dtype, so a bias
 * add or a reshape in between costs no second rounding. Outside a region, or nested, it is fn().
 */
export function lowPrecisionOp(fn: () => Tensor): Tensor {
  if (active === null || inLowOp) return fn();
  const low = active;
  inLowOp = true;
  try {
    return scoped(() => {
      const y = fn();
      return y.dtype === 'f32' ? to(y, low) : y;
    });
  } finally {
    inLowOp = false;
  }
}
