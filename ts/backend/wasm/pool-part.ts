// What a pool thread runs for one claimed part: a chunk of a GEMM (job[0] ≥ 0 is the GEMM
// kernel code), a share of a symmetric product (job[0] = SYMMETRIC_JOB_TAG, syrk-part.ts) or one
// record of a split fused optimizer update (job[0] ≤ −2). Shipped to workers as source text with
// the part functions, so poolPart must stay self-contained.
//
// Update job record: [−2 − kernel index, parts, table, record bytes, scalar count, ...scalars, flags];
// part p runs the kernel on the one record at table + p · record bytes.

import type { FusedUpdateKind } from '../backend.js';

type RunPart = (ex: WebAssembly.Exports, job: Float64Array, part: number, slot: number) => void;

/** The multi-record kernel of each fused update, in the order update jobs name them. */
export const UPDATE_KERNELS = {
  sgd: 'f32_sgd_multi_wasmsimd', adam: 'f32_adam_multi_wasmsimd', lion: 'f32_lion_multi_wasmsimd',
  adagrad: 'f32_adagrad_multi_wasmsimd', rmsprop: 'f32_rmsprop_multi_wasmsimd',
} as const satisfies Record<FusedUpdateKind, string>;
export const UPDATE_KERNEL_NAMES: readonly string[] = Object.values(UPDATE_KERNELS);

/** job[0] of a symmetric-product job (poolPart tests the literal: it is shipped as source). */
export const SYMMETRIC_JOB_TAG = -1;

/** The part runner for GEMM, symmetric-product and update jobs alike. */
export function poolPart(gemmPart: RunPart, symmetricPart: RunPart, updateKernels: readonly string[]): RunPart {
  return (ex, job, part, slot) => {
    if (job[0] >= 0) {
      gemmPart(ex, job, part, slot);
      return;
    }
    if (job[0] === -1) {
      symmetricPart(ex, job, part, slot);
      return;
    }
    const kernel = ex[updateKernels[-2 - job[0]]] as (...args: number[]) => void;
    const args = [1, job[2] + part * job[3]];
    for (let i = 0; i <= job[4]; i++) args.push(job[5 + i]); // the scalars, then flags
    kernel(...args);
  };
}
