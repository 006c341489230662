// Newton–Schulz orthogonalization (Muon's "zeropower", Keller Jordan 2024; ALGORITHMS.md §5):
// X = G/(‖G‖_F + eps) in the wide orientation, then `steps` times A = X·Xᵀ, B = bA + cA²,
// X = aX + B·X with the quintic coefficients (3.4445, −4.7750, 2.0315). The result's singular
// values land near 1 (about 0.68–1.13 for 5 steps), not exactly on it.
//
// On the wasm device every product is one call of the GEMM driver (ts/backend/wasm/gemm.ts) on
// f32 buffers; A = X·Xᵀ and A² are symmetric, so only their upper block rows are multiplied and
// the lower triangle is mirrored (assembly/f32-ns5), which cuts a step from 6r²c to 4r²c flops
// (r ≤ c). A tall G is never transposed: X is read through strides (its storage is G's layout)
// and the update is computed as Xᵀ ← Xᵀ·B + a·Xᵀ, valid because B is symmetric. Elsewhere (the
// reference device, f64) it is the same algorithm composed from tensor ops. The reference
// implementation iterates in bf16; we iterate in the tensor's dtype (f32 or f64).

import { DescentError, check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { getBackend } from '../engine.js';
import { describe, empty } from '../ops/util.js';
import { add, mul } from '../ops/elementwise.js';
import { norm } from '../ops/reduce.js';
import { matmul } from '../ops/linalg.js';
import { contiguous, transpose } from '../ops/shape.js';
import { noGrad } from '../autograd/tape.js';
import { tidy } from '../lifetime.js';
import type { WasmRuntime } from '../backend/wasm/runtime.js';
import { gemm, f32Kernel, OPERAND_SAME } from '../backend/wasm/gemm.js';
import { withBlocks } from '../backend/wasm/scratch.js';
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

export interface Resolved { steps: number; coefficients: readonly [number, number, number]; eps: number; normalize: 'add' | 'clamp' }

export function resolveNewtonSchulz(where: string, o: NewtonSchulzOptions): Resolved {
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

const scaleOf = (nrm: number, o: Resolved): number => 1 / (o.normalize === 'add' ? nrm + o.eps : Math.max(nrm, o.eps));

type Fn = (...a: number[]) => number;
const BLOCK = 64;

/** C[upper block rows] = alpha·A·B + beta·C for a symmetric r×r result, then the mirror. */
function symmetricProduct(rt: WasmRuntime, r: number, k: number, a: number, aRs: number, aCs: number,
  b: number, bRs: number, bCs: number, c: number, alpha: number, beta: number): void {
  const kernel = f32Kernel(rt);
  for (let i0 = 0; i0 < r; i0 += BLOCK) {
    gemm(rt, { kernel, m: Math.min(BLOCK, r - i0), n: r - i0, k, a: a + i0 * aRs * 4, aRs, aCs, aKind: OPERAND_SAME,
      b: b + i0 * bCs * 4, bRs, bCs, bKind: OPERAND_SAME, c: c + (i0 * r + i0) * 4, ldc: r, alpha, beta });
  }
  (rt.exports as unknown as Record<string, Fn>).f32_ns5_mirror_scalar(r, c);
}

/**
 * Newton–Schulz on wasm memory: reads the rows×cols row-major f32 matrix at byte address `g` and
 * writes the result (same layout) at `out` (may equal g). Scratch is allocated and freed here.
 */
export function newtonSchulzWasm(rt: WasmRuntime, g: number, out: number, rows: number, cols: number, o: Resolved): void {
  const ex = rt.exports as unknown as Record<string, Fn>;
  const n = rows * cols, r = Math.min(rows, cols), tall = rows > cols;
  const [ca, cb, cc] = o.coefficients;
  ex.f32_ns5_scale_wasmsimd(n, g, out, scaleOf(Math.sqrt(ex.f32_ns5_sumsq_wasmsimd(n, g)), o));
  if (o.steps === 0 || n === 0) return;
  const [xRs, xCs] = tall ? [1, r] : [cols, 1];
  withBlocks(rt, [n * 4, r * r * 4, r * r * 4], ([other, gram, poly]) => {
    let x = out, y = other;
    for (let s = 0; s < o.steps; s++) {
      symmetricProduct(rt, r, n / r, x, xRs, xCs, x, xCs, xRs, gram, 1, 0);
      ex.f32_ns5_scale_wasmsimd(r * r, gram, poly, 1);
      symmetricProduct(rt, r, r, gram, r, 1, gram, r, 1, poly, cc, cb);
      ex.f32_ns5_scale_wasmsimd(n, x, y, 1);
      const kernel = f32Kernel(rt);
      if (tall) {
        gemm(rt, { kernel, m: rows, n: r, k: r, a: x, aRs: r, aCs: 1, aKind: OPERAND_SAME,
          b: poly, bRs: r, bCs: 1, bKind: OPERAND_SAME, c: y, ldc: r, alpha: 1, beta: ca });
      } else {
        gemm(rt, { kernel, m: r, n: cols, k: r, a: poly, aRs: r, aCs: 1, aKind: OPERAND_SAME,
          b: x, bRs: cols, bCs: 1, bKind: OPERAND_SAME, c: y, ldc: cols, alpha: 1, beta: ca });
      }
      [x, y] = [y, x];
    }
    if (x !== out) ex.f32_ns5_scale_wasmsimd(n, x, out, 1);
  });
}

function wasmRuntime(where: string): WasmRuntime {
  const b = getBackend('wasm') as unknown as { rt?: WasmRuntime };
  if (!b.rt) throw new DescentError('NOT_INITIALIZED', `${where}: the wasm runtime is not loaded; call \`await init()\` first`);
  return b.rt;
}

/**
 * Newton–Schulz of a row-major f32 matrix on the wasm kernels (needs `await init()`).
 * @example const o = kernels.newtonSchulz(g, 256, 512, { steps: 5 });
 */
export function newtonSchulz(g: Float32Array, rows: number, cols: number, opts: NewtonSchulzOptions = {}): Float32Array {
  const where = 'newtonSchulz';
  check(g instanceof Float32Array, 'BAD_ARGUMENT', () => `${where}: expected a Float32Array, got ${describe(g)}`);
  checkNumber(where, 'rows', rows, { min: 1, int: true });
  checkNumber(where, 'cols', cols, { min: 1, int: true });
  check(g.length === rows * cols, 'SHAPE_MISMATCH', () => `${where}: ${rows}×${cols} needs ${rows * cols} values, got ${g.length}`);
  const o = resolveNewtonSchulz(where, opts);
  const rt = wasmRuntime(where);
  return withBlocks(rt, [g.length * 4], ([buf]) => {
    rt.views.f32(buf, g.length).set(g);
    newtonSchulzWasm(rt, buf, buf, rows, cols, o);
    return rt.views.f32(buf, g.length).slice();
  });
}

/** The same iteration composed from tensor ops (any device and float dtype). */
function composed(x: Tensor, o: Resolved): Tensor {
  const tall = x.shape[0] > x.shape[1];
  let X = tall ? transpose(x, 0, 1) : x;
  X = mul(X, scaleOf(norm(X).item(), o));
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
    if (x.device !== 'wasm' || x.dtype !== 'f32') return tidy(() => composed(x, o));
    const src = contiguous(x);
    const out = empty(x.shape, 'f32', 'wasm');
    const ptr = (t: Tensor): number => (t.storage as unknown as { ptr: number }).ptr + t.offset * 4;
    newtonSchulzWasm(wasmRuntime(where), ptr(src), ptr(out), x.shape[0], x.shape[1], o);
    if (src !== x) src.dispose();
    return out;
  });
}

