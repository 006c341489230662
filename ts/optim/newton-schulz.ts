// Newton–Schulz orthogonalization (Muon's "zeropower", Keller Jordan 2024; ALGORITHMS.md §5):
// X = G/(‖G‖_F + eps) in the wide orientation, then `steps` times A = X·Xᵀ, B = bA + cA²,
// X = aX + B·X with the quintic coefficients (3.4445, −4.7750, 2.0315). The result's singular
// values land near 1 (about 0.68–1.13 for 5 steps), not exactly on it.
//
// A backend with the newtonSchulz capability (wasm: the GEMM driver with symmetric products, see
// ts/backend/wasm/newton-schulz.ts) runs f32 matrices; otherwise, and for f64, it is the same
// algorithm composed from tensor ops below — the capability's specification. The reference
// implementation iterates in bf16; we iterate in the tensor's dtype (f32 or f64).

import { check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { empty } from '../ops/util.js';
import { add, mul } from '../ops/elementwise.js';
import { norm } from '../ops/reduce.js';
import { matmul } from '../ops/linalg.js';
import { contiguous, transpose } from '../ops/shape.js';
import { noGrad } from '../autograd/tape.js';
import { tidy } from '../lifetime.js';
import { newtonSchulzScale, type NewtonSchulzSpec } from '../backend/backend.js';
import { checkChoice, checkNumber } from './validate.js';

export const NS_COEFFICIENTS: readonly [number, number, number] = [3.4445, -4.775, 2.0315];

export interface NewtonSchulzOptions {
  /** Iterations (default 5). */
  steps?: number;
  /** (a, b, c) of X ← aX + (bA + cA²)X (default Muon's quintic). */
  coefficients?: readonly [number, number, number];
  /** Added to the norm ('add', the reference: G/(‖G‖+eps)) or its floor ('clamp', torch.optim.Muon). Default 1e-7. */
  eps?: number;
  normalize?: 'add' | 'clamp';
}

export function resolveNewtonSchulz(where: string, o: NewtonSchulzOptions): NewtonSchulzSpec {
  checkOptions(where, o, ['steps', 'coefficients', 'eps', 'normalize']);
  const co = o.coefficients ?? NS_COEFFICIENTS;
  check(Array.isArray(co) && co.length === 3 && co.every(Number.isFinite), 'BAD_OPTION',
    () => `${where}: option 'coefficients' expected three finite numbers [a, b, c], got ${String(co)}`);
  return {
    steps: checkNumber(where, 'steps', o.steps ?? 5, { min: 0, int: true }), coefficients: co,
    eps: checkNumber(where, 'eps', o.eps ?? 1e-7, { min: 0 }),
    normalize: checkChoice(where, 'normalize', o.normalize ?? 'add', ['add', 'clamp']),
  };
}

/** The same iteration composed from tensor ops (any device and float dtype). */
function composed(x: Tensor, o: NewtonSchulzSpec): Tensor {
  const tall = x.shape[0] > x.shape[1];
  let X = tall ? transpose(x, 0, 1) : x;
  X = mul(X, newtonSchulzScale(norm(X).item(), o));
  const [a, b, c] = o.coefficients;
  for (let s = 0; s < o.steps; s++) {
    const A = matmul(X, transpose(X, 0, 1));
    const B = add(mul(A, b), mul(matmul(A, A), c));
    X = add(mul(X, a), matmul(B, X));
  }
  return contiguous(tall ? transpose(X, 0, 1) : X);
}

/**
 * Orthogonalizes a 2-D tensor by Newton–Schulz (Muon's `zeropower_via_newtonschulz5`); a new tensor.
 * @example const o = optim.zeropowerViaNewtonSchulz(grad, { steps: 5 });
 */
export function zeropowerViaNewtonSchulz(x: Tensor, opts: NewtonSchulzOptions = {}): Tensor {
  const where = 'zeropowerViaNewtonSchulz';
  check(x instanceof Tensor, 'BAD_ARGUMENT', () => `${where}: expected a Tensor, got ${String(x)}`);
  check(x.ndim === 2, 'SHAPE_MISMATCH', () => `${where}: expected a 2-D tensor, got shape [${x.shape}] (flatten conv filters first)`);
  check(x.dtype === 'f32' || x.dtype === 'f64', 'BAD_DTYPE', () => `${where}: expected an f32 or f64 tensor, got ${x.dtype}`);
  const o = resolveNewtonSchulz(where, opts);
  return noGrad(() => {
    const fast = x.backend.newtonSchulz;
    if (fast === undefined || x.dtype !== 'f32') return tidy(() => composed(x, o));
    const src = contiguous(x);
    const out = empty(x.shape, 'f32', x.device);
    try {
      fast.call(x.backend, src, out, o);
    } catch (e) {
      out.dispose();
      throw e;
    } finally {
      if (src !== x) src.dispose();
    }
    return out;
  });
}
