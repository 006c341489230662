// GEMM driver for the wasm backend (BLIS layering, Van Zee & van de Geijn 2015): the portable
// loops over NC/KC/MC blocks that pack A and B into tile-ordered panels (assembly/x32-packb,
// x64-packb, x16-f32-packb) and hand them to a register-tiled macro-kernel (assembly/f32-gemm,
// f64-gemm). Transposes and strided views are only strides given to the packers: no copies.
// f32 A is read in place instead of packed where that measured faster (see runPart).
// The f32 Linear epilogue C ← act(C + bias) rides on the last k block: the macro-kernel adds the
// bias and applies relu in the store of each tile while it is still in registers, gelu over its
// block right after (assembly/_lib/gemm-store.ts).
// Default kernel: plain SIMD mul+add (deterministic across machines); setDeterministic(false)
// opts into the relaxed-SIMD FMA kernel (5×8 tile over A packed 5 rows wide; for C ≤ 12 columns
// wide, 4×2 dot products along k when A and B both run along k (x·Wᵀ), else 3×12 with A in place
// when C has 9..12 columns) when the relaxed build is loaded.
//
// Invariants:
// - Every C element is accumulated over k in the same order with the same k blocking whatever
//   part of C a thread owns, so results are bit-identical for any thread count (threads split
//   M×N or the batch, never K).
// - A batched product is one job: runPart walks the batch elements itself (offsets from two
//   batch strides per operand), so many tiny products (attention's T×dₕ·dₕ×T) pay one job
//   record and one pool wake-up, not one each; each element's sums are those of a lone product.
// - A's row sums (job rowSums, the bias gradient of dW = gᵀ·x) are added per A block in k order by
//   the one part that holds C's first columns: each row once, the same order on any thread count.
// - `runPart` is self-contained (no imports, no closures): the thread pool ships its source text
//   to workers, which run exactly the same code on the shared memory.
//
// Block sizes (f32; this CPU: 48 KiB L1d, 1 MiB L2 per core, 32 MiB shared L3):
// - KC = 256: a kc×NR B micro-panel is 8 KiB and a kc×MR A micro-panel 4 KiB, so the B
//   micro-panel reused across a whole MC block stays in L1 next to the streaming A panel.
// - MC = 128 → the packed A block is 128 KiB, well inside L2 with room for B's streams; it also
//   keeps the MLP shapes (m = 128) to one A block per KC step, packed once (130 for the 5-row
//   FMA tile: a multiple of 5 that still holds m = 128 in one block).
// - NC = 2048 → the packed B block is 2 MiB, L3-resident; each thread owns its own. With several k
//   and MC blocks it holds B for all of k instead, in column blocks ≤ KC·NC/k (cInL2 in runPart).
// Measured alternatives (KC 384/512, MC 64/256, NC 1024/4096) were within this shared machine's
// noise (±5%) at 512²..2048² and the MLP shapes, except KC 512 which lost ~30% on k ≤ 784 shapes.
// f64 halves KC (same bytes per panel) with MR×NR = 4×4 of f64x2.

/** What the driver needs from the wasm runtime (structural, so the runtime owns its class). */
export interface GemmRuntime {
  readonly exports: WebAssembly.Exports;
  readonly memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  release(ptr: number): void;
}

/** Kernel choice: plain SIMD (deterministic across machines) or relaxed-SIMD FMA. */
export const KERNEL_F32 = 0, KERNEL_F32_RELAXED = 1, KERNEL_F64 = 2;
/** Operand element kinds: same as the compute dtype, or halves widened while packing. */
export const OPERAND_SAME = 0, OPERAND_BF16 = 1, OPERAND_F16 = 2;

/** Job record layout (a Float64Array, shared with workers). */
export const JOB = {
  kernel: 0, m: 1, n: 2, k: 3, a: 4, aRs: 5, aCs: 6, aKind: 7, b: 8, bRs: 9, bCs: 10, bKind: 11,
  c: 12, ldc: 13, alpha: 14, beta: 15, scratch: 16, scratchPerPart: 17, parts: 18, splitN: 19,
  bias: 20, act: 21,
  // batch: elements in all, the inner batch dim's size, then the inner and outer element strides
  batch: 22, batchInner: 23, aBatch: 24, bBatch: 25, cBatch: 26, aBatchOuter: 27, bBatchOuter: 28, cBatchOuter: 29,
  pre: 30, rowSums: 31,
} as const;
export const JOB_LEN = 32;
/** job[JOB.splitN]: what the pool's parts divide (rows of C, columns of C, or batch elements). */
export const SPLIT_M = 0, SPLIT_N = 1, SPLIT_BATCH = 2;
/** Epilogue activations (assembly/f32-biasact, _lib/gemm-store.ts): applied after the bias add. */
export const ACT_NONE = 0, ACT_RELU = 1, ACT_GELU = 2;

const record = new Float64Array(JOB_LEN);
/**
 * A zeroed job record (GEMM, symmetric product, elementwise or update job), reused: valid until
 * the next call, so the caller hands it to the executor or the pool (which copies it) and is done
 * with it before returning. A fresh Float64Array takes an ArrayBuffer of its own, ~2 µs in Node:
 * with it the driver's overhead on an 8×8×8 product was 1.70 µs, with this record 0.85.
 */
export function jobRecord(): Float64Array {
  return record.fill(0);
}

/** Packing scratch bytes one thread needs for `kernel` (packed A block, B block, edge tile). */
export function scratchBytes(kernel: number): number {
  return kernel === KERNEL_F64 ? (64 * 128 + 128 * 1024) * 8 + 256 : (130 * 256 + 256 * 2048) * 4 + 256;
}

/**
 * Computes part `part` of `job.parts` of C: a contiguous range of MR rows (splitN = 0) or NR
 * columns (splitN = 1) of every batch element, or a contiguous range of whole batch elements
 * (splitN = 2), packing into scratch slot `slot` (one per thread). Self-contained on purpose;
 * see the header.
 */
export function runPart(ex: WebAssembly.Exports, job: Float64Array, part: number, slot: number): void {
  const kernel = job[0], m = job[1], n = job[2], k = job[3];
  const f64 = kernel === 2;
  // the FMA kernel tiles 5×8 over packed A, except for C blocks ≤ 64 columns wide, where A is
  // re-read ≤ 8 times and reading it in place with the 4×8 tile beats packing it, and for parts of
  // a split over N with row-major f32 A, where every part would pack all of A again (4×8 and 5×8
  // make each element with the same relaxed_madd chain: the same bits)
  const five = kernel === 1 && n > 64 && !(job[19] === 1 && job[7] === 0 && job[6] === 1);
  const es = f64 ? 8 : 4, MR = five ? 5 : 4, NR = f64 ? 4 : 8;
  const KC = f64 ? 128 : 256, MC = f64 ? 64 : five ? 130 : 128, NC = f64 ? 1024 : 2048;
  const fns = ex as Record<string, (...args: number[]) => void>;
  const macro = fns[kernel === 0 ? 'f32_gemm_4x8_wasmsimd' : kernel === 1 ? 'f32_gemm_4x8_wasmrelaxedsimd' : 'f64_gemm_4x4_wasmsimd'];
  const packers = f64 ? ['x64_packb_scalar'] : ['x32_packb_wasmsimd', 'bf16_f32_packb_wasmsimd', 'f16_f32_packb_wasmsimd'];
  const packA = fns[packers[job[7]]], packB = fns[packers[job[11]]];
  const esA = job[7] === 0 ? es : 2, esB = job[11] === 0 ? es : 2;
  const aRs = job[5], aCs = job[6], bRs = job[9], bCs = job[10];
  const ldc = job[13], alpha = job[14], beta = job[15], parts = job[18], split = job[19];
  // this part's range of C, in whole tiles so that only the last part has edge tiles
  const unit = split === 1 ? NR : MR, extent = split === 1 ? n : m;
  const tiles = Math.ceil(extent / unit);
  const lo = split === 2 ? 0 : Math.min(extent, Math.floor((part * tiles) / parts) * unit);
  const hi = split === 2 ? extent : Math.min(extent, Math.floor(((part + 1) * tiles) / parts) * unit);
  const m0 = split === 1 ? 0 : lo, m1 = split === 1 ? m : hi, n0 = split === 1 ? lo : 0, n1 = split === 1 ? hi : n;
  const count = job[22], inner = job[23];
  const t0 = split === 2 ? Math.floor((part * count) / parts) : 0, t1 = split === 2 ? Math.floor(((part + 1) * count) / parts) : count;
  const pa = job[16] + slot * job[17], pb = pa + MC * KC * es, tmp = pb + KC * NC * es;
  // FMA with C ≤ 12 columns wide (the whole product's, so every part agrees) and both operands
  // along k in memory (x·Wᵀ): dot products vectorised over k, no packing, k not blocked (4×2c4)
  const c4 = kernel === 1 && job[7] === 0 && job[11] === 0 && aCs === 1 && bRs === 1 && n <= 12 && k >= 4;
  // FMA with 9..12 columns and A in place: one 3×12 tile spans C's width (B packed 12 wide)
  const twelve = !c4 && kernel === 1 && job[7] === 0 && n1 - n0 > 8 && n1 - n0 <= 12, packW = twelve ? 12 : NR;
  // 5×8 over at most 80 rows (each B panel serves ≤ 16 tiles) with row-major f32 B in whole panels:
  // B read in place, not packed (10×128·128×256, a 10-class head's dW = gᵀ·h: packing B took 6.7 of
  // 18 µs; 36 → 50 GFLOP/s, and at least as fast up to m = 80, where packing starts to pay)
  const bInPlace = five && job[11] === 0 && bCs === 1 && n % 8 === 0 && m <= 80;
  // k in equal blocks of at most KC (784 → 4 × 196, not 3 × 256 + 16: a 16-deep block pays a
  // whole pass of tile set-up and C read-modify-write for 2% of the flops)
  const kStep = c4 ? k : Math.ceil(k / Math.max(1, Math.ceil(k / KC)));
  // Several k blocks and MC blocks (cInL2): each MC-row block of C is finished over k while it sits
  // in L2, not read back from L3 on every later k block (row-strided reads that stall the tile); B
  // is packed for all of k in the same scratch, in balanced column blocks of ≤ KC·NC/k. Same bits.
  // 1 thread, paired samples (Intel Xeon): FMA 1024² +2–5%, 2048² +3–9%, 300×600·600×2000 +6%;
  // plain 1024² ±0–4%, 2048² +8–14%; 512²–768² unchanged.
  const cInL2 = !c4 && !bInPlace && k > kStep && m1 - m0 > MC && k * packW <= KC * NC;
  const ncMax = Math.min(NC, Math.floor((KC * NC) / k / packW) * packW);
  const NCB = cInL2 ? Math.ceil((n1 - n0) / Math.ceil((n1 - n0) / ncMax) / packW) * packW : NC;
  // B's block at (pc, jc), and where it is packed: alone in the scratch, or after the earlier k blocks (cInL2)
  const bAt = (b: number, jc: number, pc: number) => b + (pc * bRs + jc * bCs) * esB;
  const pbAt = (nc: number, pc: number) => (cInL2 ? pb + pc * Math.ceil(nc / packW) * packW * es : pb);
  const packBAt = (b: number, jc: number, nc: number, pc: number) => {
    if (k > pc && !c4 && !bInPlace) packB(packW, Math.min(kStep, k - pc), nc, bAt(b, jc, pc), bCs, bRs, pbAt(nc, pc));
  };
  const block = (a: number, b: number, c: number, jc: number, nc: number, pc: number, ic: number) => {
    const kc = Math.min(kStep, k - pc), bBlock = bAt(b, jc, pc), pbHere = pbAt(nc, pc);
    const betaHere = pc === 0 ? beta : 1;
    // the f32 epilogue (bias, act, pre) goes with the last k block only: the macro-kernel applies
    // it to alpha·acc + beta·C as it stores each tile, the same ops on the same sums as add then
    // relu/gelu, so the same bits
    const last = pc + kStep >= k;
    const bias = last && job[20] ? job[20] + jc * es : 0, act = last ? job[21] : 0;
    const mc = Math.min(MC, m1 - ic);
    const aBlock = a + (ic * aRs + pc * aCs) * esA, cBlock = c + (ic * ldc + jc) * es;
    const pre = last && job[30] ? job[30] + (cBlock - job[12]) : 0; // laid out as C
    // A's row sums over k (f32, unbatched): only the part holding C's first columns (every part
    // with a split over M, part 0 with a split over N) adds, in k order, once per row
    if (job[31] && jc === 0) fns.f32_rowsum_wasmsimd(mc, kc, aBlock, aRs, aCs, job[31] + ic * 8);
    if (c4) {
      fns.f32_gemm_4x2c4_wasmrelaxedsimd(mc, nc, kc, aBlock, aRs, bBlock, bCs, cBlock, ldc, alpha, betaHere, bias, act, pre);
    } else if (twelve) {
      fns.f32_gemm_3x12_wasmrelaxedsimd(mc, nc, kc, aBlock, aRs, aCs, pbHere, cBlock, ldc, alpha, betaHere, tmp, bias, act, pre);
    } else if (five) {
      if (kc > 0) {
        if (job[7] === 0) fns.f32_gemm_5x8_packa_wasmsimd(kc, mc, aBlock, aRs, aCs, pa);
        else packA(MR, kc, mc, aBlock, aRs, aCs, pa);
      }
      fns.f32_gemm_5x8_wasmrelaxedsimd(mc, nc, kc, pa, bInPlace ? bBlock : pbHere, bInPlace ? bRs : 0, cBlock, ldc, alpha, betaHere, tmp, bias, act, pre);
    } else if (f64) {
      if (kc > 0) packA(MR, kc, mc, aBlock, aRs, aCs, pa);
      macro(mc, nc, kc, pa, pbHere, cBlock, ldc, alpha, betaHere, tmp);
    } else if (job[7] === 0 && (aCs === 1 || nc <= 64)) {
      // A read in place: measured at least as fast as packing for row-major A at every shape
      // (64..1024², MLP shapes) and for any A when C's block is ≤ 64 columns wide (A is then
      // re-read ≤ 8 times, so packing costs more than it saves: 128×256·256×10 +25%).
      // Column-major A with wide C stays packed (1024² Aᵀ·B: 16 vs 56 GFLOP/s).
      macro(mc, nc, kc, aBlock, aRs, aCs, 4 * aRs, pbHere, cBlock, ldc, alpha, betaHere, tmp, bias, act, pre);
    } else {
      if (kc > 0) packA(MR, kc, mc, aBlock, aRs, aCs, pa);
      macro(mc, nc, kc, pa, 1, 4, 4 * kc, pbHere, cBlock, ldc, alpha, betaHere, tmp, bias, act, pre);
    }
  };
  const passes = k === 0 ? 1 : Math.ceil(k / kStep); // k = 0: one pass, C ← beta·C (+ the epilogue)
  for (let t = t0; t < t1; t++) {
    const ti = t % inner, to = (t - ti) / inner;
    const a = job[4] + (ti * job[24] + to * job[27]) * esA, b = job[8] + (ti * job[25] + to * job[28]) * esB;
    const c = job[12] + (ti * job[26] + to * job[29]) * es;
    for (let jc = n0; jc < n1; jc += NCB) {
      const nc = Math.min(NCB, n1 - jc);
      for (let q = 0; q < passes; q++) {
        packBAt(b, jc, nc, q * kStep);
        if (!cInL2) for (let ic = m0; ic < m1; ic += MC) block(a, b, c, jc, nc, q * kStep, ic);
      }
      if (cInL2) for (let ic = m0; ic < m1; ic += MC) for (let q = 0; q < passes; q++) block(a, b, c, jc, nc, q * kStep, ic);
    }
  }
}

/** One 2-D product C[m×n] = alpha·op(A)·op(B) + beta·C with element strides and byte pointers. */
export interface GemmCall {
  kernel: number;
  m: number; n: number; k: number;
  a: number; aRs: number; aCs: number; aKind: number;
  b: number; bRs: number; bCs: number; bKind: number;
  c: number; ldc: number; alpha: number; beta: number;
  /** f32 only: byte pointer to n bias floats added to every row of C (0: none), then `act`. */
  bias?: number; act?: number;
  /** f32 only: byte pointer to a block laid out as C receiving C + bias before `act` (0: none). */
  pre?: number;
  /** f32, unbatched only: byte pointer to m f64 accumulators that receive + Σ_p A[i, p] (0: none). */
  rowSums?: number;
  /** Batched: `count` products, element t at (t mod inner)·strides[0] + ⌊t / inner⌋·strides[1] (in elements). */
  batch?: Batch;
}

/** Batch walk of a product: per operand, element strides of the inner and outer batch dims. */
export interface Batch { count: number; inner: number; a: [number, number]; b: [number, number]; c: [number, number] }
export const NO_BATCH: Batch = { count: 1, inner: 1, a: [0, 0], b: [0, 0], c: [0, 0] };

/** Runs products on the calling thread or the pool; set by threads.ts when a pool starts. */
export type GemmExecutor = (rt: GemmRuntime, job: Float64Array, flops: number) => void;

const scratch = new WeakMap<GemmRuntime, { ptr: number; bytes: number }>();

/** Per-runtime packing scratch, grown on demand and kept (pointers never move in wasm memory). */
export function scratchFor(rt: GemmRuntime, bytes: number): number {
  const s = scratch.get(rt);
  if (s && s.bytes >= bytes) return s.ptr;
  // forget the old block before anything can throw: if malloc fails (OUT_OF_MEMORY) the next
  // call must not hand out the block just released
  if (s) { scratch.delete(rt); rt.release(s.ptr); }
  const ptr = rt.malloc(bytes);
  scratch.set(rt, { ptr, bytes });
  return ptr;
}

let executor: GemmExecutor = (rt, job) => {
  job[JOB.parts] = 1;
  job[JOB.scratch] = scratchFor(rt, job[JOB.scratchPerPart]);
  runPart(rt.exports, job, 0, 0);
};

/** Installs the executor (the thread pool does this); returns the previous one. */
export function setGemmExecutor(e: GemmExecutor): GemmExecutor {
  const prev = executor;
  executor = e;
  return prev;
}

/** Runs one 2-D GEMM (or a batch of them, as one job) through the current executor. */
export function gemm(rt: GemmRuntime, g: GemmCall): void {
  const batch = g.batch ?? NO_BATCH;
  if (g.m === 0 || g.n === 0 || batch.count === 0) return;
  const job = jobRecord();
  job[JOB.kernel] = g.kernel; job[JOB.m] = g.m; job[JOB.n] = g.n; job[JOB.k] = g.k;
  job[JOB.a] = g.a; job[JOB.aRs] = g.aRs; job[JOB.aCs] = g.aCs; job[JOB.aKind] = g.aKind;
  job[JOB.b] = g.b; job[JOB.bRs] = g.bRs; job[JOB.bCs] = g.bCs; job[JOB.bKind] = g.bKind;
  job[JOB.c] = g.c; job[JOB.ldc] = g.ldc; job[JOB.alpha] = g.alpha; job[JOB.beta] = g.beta;
  job[JOB.scratchPerPart] = scratchBytes(g.kernel);
  job[JOB.bias] = g.bias ?? 0; job[JOB.act] = g.act ?? ACT_NONE; job[JOB.pre] = g.pre ?? 0;
  job[JOB.rowSums] = g.rowSums ?? 0;
  job[JOB.batch] = batch.count; job[JOB.batchInner] = batch.inner;
  job[JOB.aBatch] = batch.a[0]; job[JOB.bBatch] = batch.b[0]; job[JOB.cBatch] = batch.c[0];
  job[JOB.aBatchOuter] = batch.a[1]; job[JOB.bBatchOuter] = batch.b[1]; job[JOB.cBatchOuter] = batch.c[1];
  job[JOB.splitN] = SPLIT_M; // one part: the pool (threads.ts) picks what it splits
  executor(rt, job, 2 * batch.count * g.m * g.n * Math.max(g.k, 1));
}

let deterministic = true;

/**
 * Chooses between the plain SIMD kernel (default: identical bits on every machine) and the
 * relaxed-SIMD `f32x4.relaxed_madd` kernel (fused on FMA hardware, so results may differ in the
 * last bits between machines; 5×8 tile). On AMD Zen both have the same flop ceiling (two FMA pipes
 * vs two multiply + two add pipes), so FMA gains ~10% there, from latency slack; on Intel cores,
 * where multiplies and adds share the FMA ports, mul+add has half its ceiling. The relaxed kernel
 * is used only if the relaxed build is loaded.
 */
export function setDeterministic(on: boolean): void {
  deterministic = on;
}

export const isDeterministic = (): boolean => deterministic;

/** The f32 kernel the runtime will use now. */
export function f32Kernel(rt: GemmRuntime): number {
  return !deterministic && typeof rt.exports.f32_gemm_4x8_wasmrelaxedsimd === 'function' ? KERNEL_F32_RELAXED : KERNEL_F32;
}
