// WebGPU test helpers: the software adapter (Dawn's GL ES backend on llvmpipe in Node), the
// per-op f32 tolerances of the GPU kernels (the one place they are stated), and an async
// "same on webgpu as on reference" check.

import { expect } from 'vitest';
import * as d from '../../ts/index.js';
import { TOL, expectClose } from './compare.js';

export const initSoftwareGpu = (): Promise<void> => d.init({ device: 'webgpu', adapter: 'software' });

type Tol = { rtol: number; atol: number };
/**
 * f32 tolerances on webgpu against the float64 reference. Exact ops (copy, compare, abs, max, ...)
 * are compared bit for bit; transcendental builtins are WGSL's (a few ulp, implementation
 * defined), sums are reordered (tree reduction, tiled GEMM), erf is a 1.2e-7 approximation.
 */
export const GPU_TOL: Record<string, Tol> = {
  exact: { rtol: 0, atol: 0 },
  default: TOL.f32,
  exp: { rtol: 1e-5, atol: 1e-6 }, expm1: { rtol: 1e-5, atol: 1e-6 }, log: { rtol: 1e-5, atol: 1e-6 },
  log1p: { rtol: 1e-5, atol: 1e-6 }, sin: { rtol: 1e-5, atol: 2e-6 }, cos: { rtol: 1e-5, atol: 2e-6 },
  tanh: { rtol: 1e-5, atol: 1e-6 }, sigmoid: { rtol: 1e-5, atol: 1e-6 }, silu: { rtol: 1e-5, atol: 1e-6 },
  gelu: { rtol: 1e-5, atol: 1e-6 }, erf: { rtol: 1e-6, atol: 2e-7 }, pow: { rtol: 2e-5, atol: 1e-6 }, div: { rtol: 1e-6, atol: 1e-7 },
  rsqrt: { rtol: 1e-6, atol: 1e-7 }, reciprocal: { rtol: 1e-6, atol: 1e-7 }, sqrt: { rtol: 1e-6, atol: 1e-7 },
  sum: { rtol: 1e-5, atol: 1e-5 }, prod: { rtol: 1e-5, atol: 1e-6 }, matmul: { rtol: 1e-5, atol: 1e-5 },
  softmax: { rtol: 1e-5, atol: 1e-6 }, training: { rtol: 1e-4, atol: 1e-5 },
};
export const gpuTol = (op: string): Tol => GPU_TOL[op] ?? GPU_TOL.default;

/** Builds on webgpu and on reference, reads both, compares shape, dtype and values. */
export async function sameOnGpu(what: string, build: (device: d.Device) => d.Tensor, tol: Tol): Promise<void> {
  const ref = d.tidy(() => build('reference')); // inputs made inside are freed here
  const got = d.tidy(() => build('webgpu'));
  try {
    expect(got.device).toBe('webgpu');
    expect(got.shape, `${what}: shape`).toEqual(ref.shape);
    expect(got.dtype, `${what}: dtype`).toBe(ref.dtype === 'f64' ? 'f32' : ref.dtype);
    expectClose(await got.data(), ref.dataSync(), tol, what);
  } finally {
    ref.dispose();
    got.dispose();
  }
}
