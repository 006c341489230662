// Elementwise kernel calls (unary, binary, where, gather) and reductions on the wasm device: one kernel call
// over a collapsed N-d iteration (META), on the calling thread, or — for POOL_MIN_ELEMENTS elements
// or more with a thread pool running — as one pool job whose parts are contiguous ranges of the
// iteration's outermost dim (elementwise-part.ts). Each output element is computed by the same
// code from the same inputs whatever range it falls in (the SIMD bodies equal their scalar tails
// bit for bit), so results are bit-identical for every thread count.
//
// A reduction splits only its kept (outer) dims: the reduced dim is the META's last, which no part
// cuts, so every output keeps its one summation order. A reduction with a single output row runs
// on the calling thread.

import type { Strided } from '../view.js';
import { ELEMENTWISE_JOB as J, type ElementwiseKernel } from './elementwise-part.js';
import { jobRecord } from './gemm.js';
import { metaWords, writeMeta, type MetaScratch } from './meta.js';
import { ELEMENTWISE_JOB_TAG, POOL_KERNEL_NAMES } from './pool-part.js';
import type { WasmRuntime } from './runtime.js';
import { withBlocks } from './scratch.js';
import { CHUNKS_PER_THREAD, poolThreadsForElements, runJobOnPool } from './threads.js';

/** One kernel call: its scalars, then META, then the pointers. */
export interface ElementwiseCall {
  kernel: ElementwiseKernel;
  /** The scalars the kernel takes before META: its op code, a gather's dim stride and size, or none (where). */
  scalars: readonly number[];
  /** The iteration: shape and the element strides of each META operand. */
  meta: Strided;
  /** Byte addresses: the META operands in order, then (reductions) the contiguous out. */
  ptrs: readonly number[];
  /** Element bytes of each pointer. */
  bytes: readonly number[];
  /** A reduction: the last pointer takes one element per row and the last dim is never split. */
  reduction?: boolean;
}

/** A flat (1-D) range splits in multiples of this many elements, so parts do not share cache lines. */
const FLAT_GRAIN = 16;
/**
 * 2-D reductions split in multiples of this many rows: the f32 kernel reduces columns 8 outputs at
 * a time (SIMD) and the rest one by one, which agree up to NaN payloads only; whole groups keep
 * every output on the path one call gives it.
 */
const REDUCE_GRAIN = 8;
/** Bytes of one part's META block, rounded up to a cache line (kernels write their odometer there). */
const LINE = 64;

/** Runs `c` on the calling thread, or split over the pool where it is large enough. */
export function runElementwise(rt: WasmRuntime, scratch: MetaScratch, c: ElementwiseCall): void {
  const { shape } = c.meta, nd = shape.length;
  const kernel = rt.exports[c.kernel] as (...args: number[]) => void;
  const outer = nd - (c.reduction ? 1 : 0); // dims a part may cut
  const threads = outer > 0 ? poolThreadsForElements(rt, shape.reduce((p, n) => p * n, 1)) : 1;
  const grain = nd === 1 ? FLAT_GRAIN : c.reduction && nd === 2 ? REDUCE_GRAIN : 1;
  const rowsPerPart = Math.ceil(shape[0] / (threads * CHUNKS_PER_THREAD) / grain) * grain;
  const parts = Math.ceil(shape[0] / rowsPerPart);
  if (threads === 1 || parts < 2) {
    kernel(...c.scalars, scratch.write(c.meta), ...c.ptrs);
    return;
  }
  scratch.write(c.meta); // validates the whole iteration (a part's may fit 32 bits where the whole does not)
  const words = metaWords(nd, c.meta.strides.length);
  const metaBytes = Math.ceil((words * 4) / LINE) * LINE;
  // bytes per row of dim 0: a META operand's stride there; a reduction's out, one element per row
  const rowElements = shape.slice(1, nd - 1).reduce((p, n) => p * n, 1);
  const steps = c.ptrs.map((_, k) => c.bytes[k] * (k < c.meta.strides.length ? c.meta.strides[k][0] : rowElements));
  withBlocks(rt, [parts * metaBytes], ([base]) => { // blocks start on a 64-byte line
    for (let p = 0; p < parts; p++) {
      const rows = Math.min(rowsPerPart, shape[0] - p * rowsPerPart);
      writeMeta({ shape: [rows, ...shape.slice(1)], strides: c.meta.strides }, (n) => rt.views.i32(base + p * metaBytes, n));
    }
    const job = jobRecord();
    job[J.tag] = ELEMENTWISE_JOB_TAG;
    job[J.kernel] = POOL_KERNEL_NAMES.indexOf(c.kernel);
    job[J.rowsPerPart] = rowsPerPart;
    job[J.meta] = base;
    job[J.metaBytes] = metaBytes;
    job[J.pointers] = c.ptrs.length;
    job[J.scalars] = c.scalars.length;
    job.set(c.scalars, J.first);
    const first = J.first + c.scalars.length;
    c.ptrs.forEach((ptr, k) => { job[first + 2 * k] = ptr; job[first + 2 * k + 1] = steps[k]; });
    runJobOnPool(job, parts);
  });
}
