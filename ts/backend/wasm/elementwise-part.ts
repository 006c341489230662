// One part of a split elementwise kernel call (unary, binary, where) or reduction (elementwise.ts):
// the same kernel on a contiguous range of the iteration's outermost dim, through that part's own
// META block (kernels write their odometer into META, so parts cannot share one). Shipped to pool
// workers as source text (threads.ts): it must stay self-contained.
//
// Job record (a Float64Array of gemm.ts's JOB_LEN): [tag, kernel index (pool-part.ts's
// POOL_KERNEL_NAMES), rows per part, META of part 0, META bytes per part, pointer count, scalar
// count, then the scalars the kernel takes before META (an op code; a gather's dim stride and
// size), then per pointer: its byte address and its bytes per row of the outermost dim]. Part p
// starts at row p · rows per part.

/** The kernels an elementwise job may name, by family and dtype. */
export const ELEMENTWISE_KERNELS = {
  unary: { f32: 'f32_vunary_wasmsimd', f64: 'f64_vunary_wasmsimd', i32: 's32_vunary_wasmsimd' },
  binary: { f32: 'f32_vbinary_wasmsimd', f64: 'f64_vbinary_wasmsimd', i32: 's32_vbinary_wasmsimd' },
  reduce: { f32: 'f32_reduce_wasmsimd', f64: 'f64_reduce_scalar', i32: 's32_reduce_scalar' },
  where: { f32: 'x32_where_wasmsimd', i32: 'x32_where_wasmsimd', f64: 'x64_where_scalar' },
  gather: { f32: 'x32_gather_scalar', i32: 'x32_gather_scalar', f64: 'x64_gather_scalar' },
} as const;
export type ElementwiseKernel = (typeof ELEMENTWISE_KERNELS)[keyof typeof ELEMENTWISE_KERNELS]['f32' | 'f64' | 'i32'];
export const ELEMENTWISE_KERNEL_NAMES: readonly ElementwiseKernel[] =
  [...new Set(Object.values(ELEMENTWISE_KERNELS).flatMap((byType) => Object.values(byType)))];

/** Job record slots (the part reads literals: it is shipped as source). */
export const ELEMENTWISE_JOB = { tag: 0, kernel: 1, rowsPerPart: 2, meta: 3, metaBytes: 4, pointers: 5, scalars: 6, first: 7 } as const;

/** Runs part `part` of an elementwise job with `kernel` (the job's kernel, looked up by the pool). Self-contained. */
export function elementwisePart(kernel: (...args: number[]) => void, job: Float64Array, part: number): void {
  const row = part * job[2], ptrs = 7 + job[6];
  const args = Array.from(job.subarray(7, ptrs));
  args.push(job[3] + part * job[4]);
  for (let k = 0; k < job[5]; k++) args.push(job[ptrs + 2 * k] + row * job[ptrs + 2 * k + 1]);
  kernel(...args);
}
