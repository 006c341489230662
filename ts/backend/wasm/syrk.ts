// Symmetric products for the wasm backend (BLAS SYRK-style): C = alpha·A·B + beta·C where the
// caller knows the n×n result is symmetric (X·Xᵀ, or A·A with A symmetric). Only C's upper
// triangle is multiplied, then mirrored onto the lower one, so a product costs about half a GEMM.
//
// The loop nest is syrk-part.ts's: one part on the calling thread, or one pool job whose parts
// split the triangle by area (rows near the top have more columns), each part mirroring its own
// share. Bit-identical for every thread count, and to the full GEMM on the upper triangle (the
// full GEMM's lower triangle equals the mirror exactly for X·Xᵀ; for A·A only up to rounding, as
// A·A is symmetric only in exact math).

import { jobRecord, scratchBytes, scratchFor, type GemmRuntime } from './gemm.js';
import { SYMMETRIC_JOB_TAG } from './pool-part.js';
import { SYMMETRIC_JOB as J, symmetricPart } from './syrk-part.js';
import { CHUNKS_PER_THREAD, poolThreadsFor, runJobOnPool } from './threads.js';

/** One symmetric product: A n×k and B k×n through element strides, C n×n row-major (byte pointers). */
export interface SymmetricCall {
  kernel: number; // KERNEL_F32 or KERNEL_F32_RELAXED
  n: number; k: number;
  a: number; aRs: number; aCs: number;
  b: number; bRs: number; bCs: number;
  c: number; alpha: number; beta: number;
}

/** C ← alpha·A·B + beta·C for a symmetric n×n C: the upper triangle is multiplied, then mirrored. */
export function symmetricProduct(rt: GemmRuntime, g: SymmetricCall): void {
  if (g.n === 0) return;
  const job = jobRecord();
  job[J.tag] = SYMMETRIC_JOB_TAG; job[J.kernel] = g.kernel; job[J.n] = g.n; job[J.k] = g.k;
  job[J.a] = g.a; job[J.aRs] = g.aRs; job[J.aCs] = g.aCs; job[J.b] = g.b; job[J.bRs] = g.bRs; job[J.bCs] = g.bCs;
  job[J.c] = g.c; job[J.alpha] = g.alpha; job[J.beta] = g.beta;
  job[J.scratchPerPart] = scratchBytes(g.kernel);
  job[J.splitRows] = g.aCs === 1 ? 0 : 1; // see syrk-part.ts: column shares when A is read in place
  const threads = poolThreadsFor(rt, g.n * (g.n + 1) * Math.max(g.k, 1));
  job[J.parts] = threads > 1 ? Math.min(threads * CHUNKS_PER_THREAD, Math.ceil(g.n / 8)) : 1;
  job[J.scratch] = scratchFor(rt, threads * job[J.scratchPerPart]); // one slot per thread
  if (job[J.parts] > 1) runJobOnPool(job, job[J.parts]);
  else symmetricPart(rt.exports, job, 0, 0);
}
