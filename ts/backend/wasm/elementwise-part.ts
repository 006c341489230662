// One part of a split elementwise kernel call (unary, binary, where) or reduction (elementwise.ts):
// the same kernel on a contiguous range of the iteration's outermost dim, through that part's own
// META block (kernels write their odometer into META, so parts cannot share one). Shipped to pool
// workers as source text (threads.ts): it must stay self-contained.
//
// Job record (a Float64Array of gemm.ts's JOB_LEN): [tag, kernel index (pool-part.ts's
// POOL_KERNEL_NAMES), op code (< 0: the kernel takes none, as `where`), rows per part, META of
// part 0, META bytes per part, pointer count, then per pointer: its byte address and its bytes
// per row of the outermost dim]. Part p starts at row p · rows per part.

/** The kernels an elementwise job may name, by family and dtype. */
export const ELEMENTWISE_KERNELS = {
  unary: { f32: 'f32_vunary_wasmsimd', f64: 'f64_vunary_wasmsimd', i32: 's32_vunary_wasmsimd' },
  binary: { f32: 'f32_vbinary_wasmsimd', f64: 'f64_vbinary_wasmsimd', i32: 's32_vbinary_wasmsimd' },
  reduce: { f32: 'f32_reduce_wasmsimd', f64: 'f64_reduce_scalar', i32: 's32_reduce_scalar' },
  where: { f32: 'x32_where_wasmsimd', i32: 'x32_where_wasmsimd', f64: 'x64_where_scalar' },
} as const;
export type ElementwiseKernel = (typeof ELEMENTWISE_KERNELS)[keyof typeof ELEMENTWISE_KERNELS]['f32' | 'f64' | 'i32'];
export const ELEMENTWISE_KERNEL_NAMES: readonly ElementwiseKernel[] =
  [...new Set(Object.values(ELEMENTWISE_KERNELS).flatMap((byType) => Object.values(byType)))];

/** Job record slots (the part reads literals: it is shipped as source). */
export const ELEMENTWISE_JOB = { tag: 0, kernel: 1, op: 2, rowsPerPart: 3, meta: 4, metaBytes: 5, pointers: 6, first: 7 } as const;

/** Runs part `part` of an elementwise job with `kernel` (the job's kernel, looked up by the pool). Self-contained. */
export function elementwisePart(kernel: (...args: number[]) => void, job: Float64Array, part: number): void {
  const row = part * job[3];
  const args = job[2] >= 0 ? [job[2]] : [];
  args.push(job[4] + part * job[5]);
  for (let k = 0; k < job[6]; k++) args.push(job[7 + 2 * k] + row * job[8 + 2 * k]);
  kernel(...args);
}
