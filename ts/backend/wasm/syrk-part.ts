// One part of a symmetric product (syrk.ts): its own BLIS loop nest around the f32 4×8
// macro-kernels (assembly/f32-gemm) over a share of C's upper triangle, then the mirror of that
// share onto the lower triangle (assembly/f32-ns5). The calling thread runs it whole (one part);
// the pool (threads.ts) runs it in parts, so it is shipped to workers as source text and must stay
// self-contained: no imports, no closures over module state.
//
// Shares are balanced by area, in whole 8-wide tiles: with A read in place (row-major) part p of
// P owns the columns [n·√(p/P), n·√((p+1)/P)) and every row above the diagonal in them, so B is
// packed once over all parts and A costs nothing; with A packed it owns rows
// [n·(1 − √(1 − p/P)), …) and every column right of the diagonal, so each part packs its own
// rows of A once (as one thread would) and repacks only B's columns right of its first row.
// Each share is mirrored by its owner: the lower element (j, i) belongs to whoever owns (i, j).
//
// Every C element is accumulated over k in gemm.ts's equal blocks of at most KC, in the same
// order, through the same macro-kernel, whatever share or strip it falls in: results are
// bit-identical for every thread count and part count, and equal the full GEMM's upper triangle.

/** Job record (a Float64Array of gemm.ts's JOB_LEN, shared with workers); [0] is pool-part.ts's tag. */
export const SYMMETRIC_JOB = {
  tag: 0, kernel: 1, n: 2, k: 3, a: 4, aRs: 5, aCs: 6, b: 7, bRs: 8, bCs: 9, c: 10, alpha: 11, beta: 12,
  scratch: 13, scratchPerPart: 14, parts: 15, splitRows: 16,
} as const;

/** Computes and mirrors part `part` of `job[parts]`, packing into scratch slot `slot`. Self-contained. */
export function symmetricPart(ex: WebAssembly.Exports, job: Float64Array, part: number, slot: number): void {
  const fns = ex as Record<string, (...args: number[]) => void>;
  const n = job[2], k = job[3], a = job[4], aRs = job[5], aCs = job[6], b = job[7], bRs = job[8], bCs = job[9];
  const c = job[10], alpha = job[11], beta = job[12], parts = job[15], splitRows = job[16] !== 0;
  // gemm.ts's f32 block sizes and tile (the same KC is what makes the bits agree)
  const MR = 4, NR = 8, KC = 256, MC = 128, NC = 2048, STRIP = 8;
  const macro = fns[job[1] === 1 ? 'f32_gemm_4x8_wasmrelaxedsimd' : 'f32_gemm_4x8_wasmsimd'];
  const pack = fns.x32_packb_wasmsimd;
  const tiles = Math.ceil(n / STRIP);
  const edge = (q: number): number =>
    Math.min(n, STRIP * Math.round(tiles * (splitRows ? 1 - Math.sqrt(1 - q / parts) : Math.sqrt(q / parts))));
  const lo = edge(part), hi = edge(part + 1);
  if (lo >= hi) return;
  const [r0, r1, c0, c1] = splitRows ? [lo, hi, lo, n] : [0, hi, lo, hi];
  const pa = job[13] + slot * job[14], pb = pa + MC * KC * 4, tmp = pb + KC * NC * 4;
  const kStep = Math.ceil(k / Math.max(1, Math.ceil(k / KC))); // runPart's equal k blocks
  for (let jc = c0; jc < c1; jc += NC) {
    const colEnd = Math.min(c1, jc + NC), rowEnd = Math.min(r1, colEnd);
    for (let pc = 0; pc < k || (pc === 0 && k === 0); pc += kStep) {
      const kc = Math.min(kStep, k - pc);
      if (kc > 0) pack(NR, kc, colEnd - jc, b + (pc * bRs + jc * bCs) * 4, bCs, bRs, pb);
      const betaHere = pc === 0 ? beta : 1;
      for (let ic = r0; ic < rowEnd; ic += MC) {
        const end = Math.min(ic + MC, rowEnd);
        // A's rows in place when row-major (as gemm.ts does), else packed into MR-row panels
        let ap = a + (ic * aRs + pc * aCs) * 4, aRow = aRs, aK = aCs, aPanel = MR * aRs;
        if (aCs !== 1) {
          if (kc > 0) pack(MR, kc, end - ic, ap, aRs, aCs, pa);
          [ap, aRow, aK, aPanel] = [pa, 1, MR, MR * kc];
        }
        // (the trailing 0, 0, 0: no bias/activation/pre epilogue)
        const call = (row: number, rows: number, col: number, cols: number): void =>
          macro(rows, cols, kc, ap + ((row - ic) / MR) * aPanel * 4, aRow, aK, aPanel,
            pb + ((col - jc) / NR) * kc * NR * 4, c + (row * n + col) * 4, n, alpha, betaHere, tmp, 0, 0, 0);
        // rows above this column block: its whole width; rows from the diagonal: 8-row strips from
        // the diagonal to the row block's last row (only the 8×8 diagonal tiles compute a few
        // elements twice), then the rest of the width in one call
        const diag = Math.min(Math.max(ic, jc), end);
        if (diag > ic) call(ic, diag - ic, jc, colEnd - jc);
        for (let i = diag; i < end; i += STRIP) call(i, Math.min(STRIP, end - i), i, end - i);
        if (diag < end && end < colEnd) call(diag, end - diag, end, colEnd - end);
      }
      if (k === 0) break;
    }
    fns.f32_ns5_mirror_wasmsimd(n, c, r0, rowEnd, jc, colEnd);
  }
}
