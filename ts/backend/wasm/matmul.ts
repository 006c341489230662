// Backend.matmul on the wasm backend: tensor views (shapes, strides, offsets, broadcast batch dims,
// half-precision operands) become GEMM calls of the driver in ./gemm.ts, with no copies where
// strides allow: row-major C directly, column-major C as the transposed product, any other
// layout through a contiguous scratch. Also the fused forms the Linear layer uses: the bias and
// activation epilogue (matmulEpilogue) and the bias gradient summed while dW's GEMM runs
// (matmulRowSums).

import type { View } from '../backend.js';
import {
  ACT_NONE, KERNEL_F64, NO_BATCH, OPERAND_BF16, OPERAND_F16, OPERAND_SAME, f32Kernel, gemm,
  type Batch, type GemmCall, type GemmRuntime,
} from './gemm.js';

/** Byte address of element 0 of a wasm storage (the runtime's storages carry `ptr`). */
function ptrOf(v: View): number {
  return (v.storage as unknown as { ptr: number }).ptr;
}

const OPERAND_KIND: Record<string, number> = { f32: OPERAND_SAME, f64: OPERAND_SAME, bf16: OPERAND_BF16, f16: OPERAND_F16 };
const ELEMENT_BYTES: Record<string, number> = { f32: 4, f64: 8, bf16: 2, f16: 2 };

/**
 * Backend.matmul: out[..., m, n] = a[..., m, k] · b[..., k, n], batch dims broadcast (stride 0 or
 * missing leading dims). a and b are f32/f64 like out, or bf16/f16 with an f32 out (widened while
 * packing, f32 accumulation). Any strides; out is written through its own strides.
 */
export function matmul(rt: GemmRuntime, a: View, b: View, out: View): void {
  matmulEpilogue(rt, a, b, null, ACT_NONE, out);
}

/**
 * matmul with an f32 epilogue: out ← act(a·b + bias), bias [n] contiguous (or null), applied by
 * the macro-kernel as it stores the last k block. With an epilogue, out must be row-major (stride
 * 1 columns) so the bias runs along C's columns; `pre` (or null), laid out as out, receives a·b + bias before
 * the activation. The caller checks.
 */
export function matmulEpilogue(rt: GemmRuntime, a: View, b: View, bias: View | null, act: number, out: View, pre: View | null = null): void {
  const r = out.shape.length, ra = a.shape.length, rb = b.shape.length;
  const m = out.shape[r - 2], n = out.shape[r - 1], k = a.shape[ra - 1];
  const kernel = out.storage.dtype === 'f64' ? KERNEL_F64 : f32Kernel(rt);
  const es = ELEMENT_BYTES[out.storage.dtype], esA = ELEMENT_BYTES[a.storage.dtype], esB = ELEMENT_BYTES[b.storage.dtype];
  const biasPtr = bias === null ? 0 : ptrOf(bias) + bias.offset * 4;
  const aKind = OPERAND_KIND[a.storage.dtype], bKind = OPERAND_KIND[b.storage.dtype];
  // at most two batch dims (after merging) go to one batched job; further outer ones loop here
  const dims = batchDims(a, b, out);
  const outer = dims.slice(0, -2), walked = dims.slice(-2);
  const [d1, d0] = walked.length === 2 ? walked : [undefined, walked[0]];
  const batch: Batch = {
    count: (d0?.size ?? 1) * (d1?.size ?? 1), inner: d0?.size ?? 1,
    a: [d0?.a ?? 0, d1?.a ?? 0], b: [d0?.b ?? 0, d1?.b ?? 0], c: [d0?.c ?? 0, d1?.c ?? 0],
  };
  const idx = new Array<number>(outer.length).fill(0);
  const count = outer.reduce((p, d) => p * d.size, 1);
  for (let t = 0; t < count; t++) {
    let oa = a.offset, ob = b.offset, oc = out.offset;
    for (let d = 0; d < outer.length; d++) {
      oa += idx[d] * outer[d].a; ob += idx[d] * outer[d].b; oc += idx[d] * outer[d].c;
    }
    // every field written out: a spread plus added fields made V8 grow the object's property
    // store field by field, ~28 µs and much garbage per call (measured on a 2×2 matmul)
    product2d(rt, {
      kernel, m, n, k, alpha: 1, beta: 0, act, bias: biasPtr, batch, rowSums: 0,
      a: ptrOf(a) + oa * esA, aRs: a.strides[ra - 2], aCs: a.strides[ra - 1], aKind,
      b: ptrOf(b) + ob * esB, bRs: b.strides[rb - 2], bCs: b.strides[rb - 1], bKind,
      c: ptrOf(out) + oc * es, ldc: 0, pre: pre === null ? 0 : ptrOf(pre) + (pre.offset + oc - out.offset) * es,
    }, out.strides[r - 2], out.strides[r - 1], es);
    for (let d = outer.length - 1; d >= 0 && ++idx[d] === outer[d].size; d--) idx[d] = 0;
  }
}

/**
 * out ← a·b and sums ← a's row sums (Σ over its last dim) from one GEMM: the driver sums each A
 * block as it packs it or reads it in place (assembly/f32-rowsum), so the bias gradient Σ_batch g
 * comes with dW = gᵀ·x without a pass of its own. f32, 2-D; out and sums contiguous. The sums
 * accumulate in f64 in k order and round once: f32_reduce's column order, so when a's rows are
 * not contiguous (a = gᵀ of a contiguous g with ≥ 2 columns) they have the bits of sum(a, -1).
 */
export function matmulRowSums(rt: GemmRuntime, a: View, b: View, out: View, sums: View): void {
  const [m, n] = out.shape, k = a.shape[1];
  const acc = rt.malloc(Math.max(m, 1) * 8);
  try {
    new Float64Array(rt.memory.buffer, acc, m).fill(0);
    const pa = ptrOf(a) + a.offset * 4;
    if (n === 0) { // no product to run (gemm skips it): the sums alone
      (rt.exports.f32_rowsum_wasmsimd as (...args: number[]) => void)(m, k, pa, a.strides[0], a.strides[1], acc);
    } else {
      gemm(rt, {
        kernel: f32Kernel(rt), m, n, k, alpha: 1, beta: 0, rowSums: acc,
        a: pa, aRs: a.strides[0], aCs: a.strides[1], aKind: OPERAND_SAME,
        b: ptrOf(b) + b.offset * 4, bRs: b.strides[0], bCs: b.strides[1], bKind: OPERAND_SAME,
        c: ptrOf(out) + out.offset * 4, ldc: n,
      });
    }
    // views made after the GEMM, which may grow memory; Float32Array.set rounds to nearest even
    new Float32Array(rt.memory.buffer, ptrOf(sums) + sums.offset * 4, m).set(new Float64Array(rt.memory.buffer, acc, m));
  } finally {
    rt.release(acc);
  }
}

/** One batch dim of a matmul: its size and each operand's element stride along it (0: broadcast). */
interface BatchDim { size: number; a: number; b: number; c: number }

/**
 * out's batch dims with a's and b's strides (0 where broadcast or missing), size-1 dims dropped
 * and neighbours merged where all three operands step through them as one dim.
 */
function batchDims(a: View, b: View, out: View): BatchDim[] {
  const r = out.shape.length, ra = a.shape.length, rb = b.shape.length;
  const dims: BatchDim[] = [];
  for (let d = 0; d < r - 2; d++) {
    const size = out.shape[d];
    if (size === 1) continue;
    const da = ra - r + d, db = rb - r + d;
    const dim = {
      size,
      a: da >= 0 && a.shape[da] !== 1 ? a.strides[da] : 0,
      b: db >= 0 && b.shape[db] !== 1 ? b.strides[db] : 0,
      c: out.strides[d],
    };
    const prev = dims[dims.length - 1];
    if (prev && prev.a === dim.a * size && prev.b === dim.b * size && prev.c === dim.c * size) {
      dims[dims.length - 1] = { ...dim, size: prev.size * size };
    } else {
      dims.push(dim);
    }
  }
  return dims;
}

/**
 * One 2-D product into C with strides (rs, cs): row-major C directly; column-major C as the
 * transposed product Cᵀ = Bᵀ·Aᵀ (operand roles and strides swapped, still no copies); any other
 * layout through a contiguous scratch C copied out afterwards. `g` is the caller's own fresh
 * record, completed here in place (no spread copies: see matmulEpilogue).
 */
function product2d(rt: GemmRuntime, g: GemmCall, rs: number, cs: number, es: number): void {
  const batch = g.batch ?? NO_BATCH;
  if (batch.count === 0) return;
  if (cs === 1 || g.n === 1) {
    g.ldc = rs;
    gemm(rt, g);
  } else if (rs === 1 || g.m === 1) {
    const { m, a, aRs, aCs, aKind } = g;
    g.m = g.n; g.n = m; g.ldc = cs;
    g.a = g.b; g.aRs = g.bCs; g.aCs = g.bRs; g.aKind = g.bKind;
    g.b = a; g.bRs = aCs; g.bCs = aRs; g.bKind = aKind;
    g.batch = { count: batch.count, inner: batch.inner, a: batch.b, b: batch.a, c: batch.c };
    gemm(rt, g);
  } else {
    // the batch goes to a contiguous scratch [count, m, n], element t at t·m·n
    const mn = g.m * g.n, c = g.c;
    const tmp = rt.malloc(batch.count * mn * es);
    try {
      g.c = tmp; g.ldc = g.n;
      g.batch = { count: batch.count, inner: batch.inner, a: batch.a, b: batch.b, c: [mn, batch.inner * mn] };
      gemm(rt, g);
      const Arr = es === 8 ? Float64Array : Float32Array;
      const src = new Arr(rt.memory.buffer, tmp, batch.count * mn);
      const dst = new Arr(rt.memory.buffer);
      for (let t = 0; t < batch.count; t++) {
        const ti = t % batch.inner, c0 = c / es + ti * batch.c[0] + (t - ti) / batch.inner * batch.c[1];
        for (let i = 0; i < g.m; i++) for (let j = 0; j < g.n; j++) dst[c0 + i * rs + j * cs] = src[t * mn + i * g.n + j];
      }
    } finally {
      rt.release(tmp);
    }
  }
}
