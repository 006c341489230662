// Autocast regions (torch.autocast): inside `autocast({ dtype }, fn)`, matmul — and so linear,
// conv2d and attention, which are built on it — rounds its floating operands to bf16 or f16 and
// multiplies them with f32 accumulation (the GEMM widens the half operands while packing, the
// wasm x16-f32-packb path). The product is returned in f32: descent keeps the f32 accumulator
// where torch rounds it to the low dtype, so everything downstream (bias adds, activations,
// reductions, softmax, norms, losses) runs in f32 without a per-op cast list. Parameters stay f32
// masters and gradients flow back to them in f32 through the casts. f64 and i32 operands are left
// alone, as torch leaves f64. Regions nest; `enabled: false` turns autocast off inside one.

import { check, checkOptions } from '../errors.js';
import { describe } from '../ops/util.js';

export type AutocastDtype = 'bf16' | 'f16';
export interface AutocastOptions {
  /** Default 'bf16' (torch's CPU default). */
  dtype?: AutocastDtype;
  /** Default true; false disables autocast inside the region. */
  enabled?: boolean;
}

let active: AutocastDtype | null = null;

/** The dtype matmul operands are rounded to right now, or null outside autocast. */
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
  try {
    return fn();
  } finally {
    active = outer;
  }
}
