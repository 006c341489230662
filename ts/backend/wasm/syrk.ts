// Symmetric products for the wasm backend (BLAS SYRK-style): C = alpha·A·B + beta·C where the
// caller knows the n×n result is symmetric (X·Xᵀ, or A·A with A symmetric). Only C's upper
// triangle is multiplied, then assembly/f32-ns5's mirror copies it onto the lower one, so a
// product costs about half a GEMM.
//
// On one thread this is its own BLIS loop nest around the public f32 macro-kernels
// (assembly/f32-gemm): each KC×NC block of B is packed once for every row block above it
// (a GEMM per block row would repack B each time), and the diagonal MC×MC blocks are cut into
// 8-row strips that start at the diagonal, so only the 8×8 diagonal tiles compute a few
// elements twice. With a pool the upper triangle is issued as one GEMM per MC row block, which
// the pool splits over its threads (it runs only the GEMM driver's part function).
//
// Both paths accumulate every C element over k with gemm.ts's k blocking (equal blocks of at
// most KC), in the same order and through the same macro-kernel, so their results are bit-identical to each other, to any thread
// count, and to the full GEMM on the upper triangle (the full GEMM's lower triangle equals the
// mirror exactly for X·Xᵀ; for A·A only up to rounding, as A·A is symmetric only in exact math).

import { KERNEL_F32_RELAXED, OPERAND_SAME, gemm, scratchBytes, scratchFor, type GemmRuntime } from './gemm.js';
import { poolThreads } from './threads.js';

/** One symmetric product: A n×k and B k×n through element strides, C n×n row-major (byte pointers). */
export interface SymmetricCall {
  kernel: number; // KERNEL_F32 or KERNEL_F32_RELAXED
  n: number; k: number;
  a: number; aRs: number; aCs: number;
  b: number; bRs: number; bCs: number;
  c: number; alpha: number; beta: number;
}

// f32 block sizes and tile of gemm.ts's runPart (the same KC is what makes the bits agree)
const MR = 4, NR = 8, KC = 256, MC = 128, NC = 2048, STRIP = 8;

type Fn = (...args: number[]) => void;

/** C ← alpha·A·B + beta·C for a symmetric n×n C: the upper triangle is multiplied, then mirrored. */
export function symmetricProduct(rt: GemmRuntime, g: SymmetricCall): void {
  if (g.n === 0) return;
  if (poolThreads() > 1) upperByRowBlocks(rt, g);
  else upperTriangle(rt, g);
  (rt.exports.f32_ns5_mirror_wasmsimd as Fn)(g.n, g.c);
}

/** The pool's path: one GEMM per MC row block, from the diagonal to the right edge. */
function upperByRowBlocks(rt: GemmRuntime, g: SymmetricCall): void {
  for (let i = 0; i < g.n; i += MC) {
    gemm(rt, {
      kernel: g.kernel, m: Math.min(MC, g.n - i), n: g.n - i, k: g.k,
      a: g.a + i * g.aRs * 4, aRs: g.aRs, aCs: g.aCs, aKind: OPERAND_SAME,
      b: g.b + i * g.bCs * 4, bRs: g.bRs, bCs: g.bCs, bKind: OPERAND_SAME,
      c: g.c + i * (g.n + 1) * 4, ldc: g.n, alpha: g.alpha, beta: g.beta,
    });
  }
}

/** One thread: B packed once per (NC, KC) block, row blocks walked down to the diagonal. */
function upperTriangle(rt: GemmRuntime, g: SymmetricCall): void {
  const ex = rt.exports as Record<string, Fn>;
  const macro = ex[g.kernel === KERNEL_F32_RELAXED ? 'f32_gemm_4x8_wasmrelaxedsimd' : 'f32_gemm_4x8_wasmsimd'];
  const pack = ex.x32_packb_wasmsimd;
  const { n, k, a, aRs, aCs, b, bRs, bCs, c, alpha, beta } = g;
  const pa = scratchFor(rt, scratchBytes(g.kernel)), pb = pa + MC * KC * 4, tmp = pb + KC * NC * 4;
  const kStep = Math.ceil(k / Math.max(1, Math.ceil(k / KC))); // runPart's equal k blocks
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k || (pc === 0 && k === 0); pc += kStep) {
      const kc = Math.min(kStep, k - pc);
      if (kc > 0) pack(NR, kc, nc, b + (pc * bRs + jc * bCs) * 4, bCs, bRs, pb);
      const betaHere = pc === 0 ? beta : 1;
      const panelB = (col: number): number => pb + ((col - jc) / NR) * kc * NR * 4;
      for (let ic = 0; ic < jc + nc; ic += MC) {
        const mc = Math.min(MC, n - ic);
        // A's rows in place when row-major (as gemm.ts does), else packed into MR-row panels
        let ap = a + (ic * aRs + pc * aCs) * 4, aRow = aRs, aK = aCs, aPanel = MR * aRs;
        if (aCs !== 1) {
          if (kc > 0) pack(MR, kc, mc, ap, aRs, aCs, pa);
          [ap, aRow, aK, aPanel] = [pa, 1, MR, MR * kc];
        }
        const call = (row: number, rows: number, col: number): void =>
          macro(rows, jc + nc - col, kc, ap + ((row - ic) / MR) * aPanel * 4, aRow, aK, aPanel,
            panelB(col), c + (row * n + col) * 4, n, alpha, betaHere, tmp);
        if (ic + mc <= jc) {
          call(ic, mc, jc); // wholly above this column block
          continue;
        }
        // diagonal block (MC divides NC, so ic ≥ jc here): 8-row strips from the diagonal
        // to the block's right edge, then the rest of the row block in one call
        const end = ic + mc;
        for (let i = ic; i < end; i += STRIP) {
          macro(Math.min(STRIP, end - i), end - i, kc, ap + ((i - ic) / MR) * aPanel * 4, aRow, aK, aPanel,
            panelB(i), c + (i * n + i) * 4, n, alpha, betaHere, tmp);
        }
        if (end < jc + nc) call(ic, mc, end);
      }
      if (k === 0) break;
    }
  }
}
