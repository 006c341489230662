// What a pool thread runs for one claimed part: a chunk of a GEMM (job[0] ≥ 0 is the GEMM
// kernel code), a share of a symmetric product (job[0] = SYMMETRIC_JOB_TAG, syrk-part.ts), a row
// range of an elementwise kernel call (ELEMENTWISE_JOB_TAG, elementwise-part.ts) or one record of
// a split fused optimizer update (UPDATE_JOB_TAG). Shipped to workers as source text with the part
// functions, so poolPart must stay self-contained.
//
// Update job record: [UPDATE_JOB_TAG, kernel index, table, record bytes, scalar count, ...scalars, flags];
// part p runs the kernel on the one record at table + p · record bytes.

import type { FusedUpdateKind } from '../backend.js';
import { ELEMENTWISE_KERNEL_NAMES } from './elementwise-part.js';

type RunPart = (ex: WebAssembly.Exports, job: Float64Array, part: number, slot: number) => void;
type ElementwisePart = (kernel: (...args: number[]) => void, job: Float64Array, part: number) => void;

/** The multi-record kernel of each fused update. */
export const UPDATE_KERNELS = {
  sgd: 'f32_sgd_multi_wasmsimd', adam: 'f32_adam_multi_wasmsimd', lion: 'f32_lion_multi_wasmsimd',
  adagrad: 'f32_adagrad_multi_wasmsimd', rmsprop: 'f32_rmsprop_multi_wasmsimd',
} as const satisfies Record<FusedUpdateKind, string>;
/** Every kernel an update or elementwise job may name, in the order job[1] indexes them. */
export const POOL_KERNEL_NAMES: readonly string[] = [...Object.values(UPDATE_KERNELS), ...ELEMENTWISE_KERNEL_NAMES];

/** job[0] of the jobs that are not GEMM chunks (poolPart tests the literals: it is shipped as source). */
export const SYMMETRIC_JOB_TAG = -1;
export const ELEMENTWISE_JOB_TAG = -2;
export const UPDATE_JOB_TAG = -3;

/** The part runner for GEMM, symmetric-product, elementwise and update jobs alike. */
export function poolPart(gemmPart: RunPart, symmetricPart: RunPart, elementwisePart: ElementwisePart, kernels: readonly string[]): RunPart {
  return (ex, job, part, slot) => {
    if (job[0] >= 0) {
      gemmPart(ex, job, part, slot);
      return;
    }
    if (job[0] === -1) {
      symmetricPart(ex, job, part, slot);
      return;
    }
    const kernel = ex[kernels[job[1]]] as (...args: number[]) => void;
    if (job[0] === -2) {
      elementwisePart(kernel, job, part);
      return;
    }
    const args = [1, job[2] + part * job[3]];
    for (let i = 0; i <= job[4]; i++) args.push(job[5 + i]); // the scalars, then flags
    kernel(...args);
  };
}
