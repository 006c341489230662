// Tiled GEMM, register-blocked: a workgroup of 16×16 threads computes a BM×BM tile of one batch's
// output (BM = 128 with 8×8 outputs per thread, or 64 with 4×4 when the product has too few
// 128-tiles to fill a large GPU), staging BM×TK slices of a and TK×BM slices of b in workgroup
// memory (TK·BM = 1024 floats: one vec4 per thread per slice). Each thread's rows and columns are
// groups of 4 spaced 64 apart, so its workgroup reads are vec4 and conflict-free, and its sums
// are vec4 multiply-adds. An operand whose unit stride runs along k or along m/n, with that
// extent, its other stride and its offsets multiples of 4, is read from global memory as vec4
// (a row-major or transposed tensor); any other strides (views, broadcast batches) are read per
// element. Each output sums over k in order: deterministic.

import type { View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, ndWords, setExtra, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { UNIFORMS, W_COUNT, W_STRIDE, offsets } from './wgsl.js';

/** How an operand's tile is read: vec4 along k, vec4 along m (a) / n (b), or per element. */
export type TileRead = 'k4' | 'mn4' | 'scalar';

/** 128-tiles when a product has at least this many, all full-height and full-width (a large GPU stays busy). */
const MIN_BIG_TILES = 256;

/**
 * WGSL that fills workgroup array `s` (k-major, vec4 along m/n) with the TK×BM slice of operand
 * `name` at k0: extent `ext` along m/n, strides `sMN` and `sK`, element offset `o`.
 */
function tileLoad(s: string, name: string, read: TileRead, bm: number, tk: number, origin: string, ext: string, sMN: string, sK: string, o: string): string {
  const q = bm / 4; // vec4s per k row of the slice
  if (read === 'k4') {
    return `{ let i = t / ${tk / 4}u; let p = (t % ${tk / 4}u) * 4u; let mn = ${origin} + i; let kk = k0 + p;
      let v = select(vec4<f32>(), ${name}[(${o} + mn * ${sMN} + kk) / 4u], mn < ${ext} && kk < K);
      for (var c = 0u; c < 4u; c++) { ${s}[(p + c) * ${q}u + i / 4u][i % 4u] = v[c]; } }`;
  }
  if (read === 'mn4') {
    return `{ let p = t / ${q}u; let i = (t % ${q}u) * 4u; let mn = ${origin} + i; let kk = k0 + p;
      ${s}[p * ${q}u + i / 4u] = select(vec4<f32>(), ${name}[(${o} + mn + kk * ${sK}) / 4u], mn < ${ext} && kk < K); }`;
  }
  return `for (var c = 0u; c < 4u; c++) {
      let e = t + 256u * c; let p = e / ${bm}u; let i = e % ${bm}u; let mn = ${origin} + i; let kk = k0 + p;
      ${s}[p * ${q}u + i / 4u][i % 4u] = select(0.0, ${name}[${o} + mn * ${sMN} + kk * ${sK}], mn < ${ext} && kk < K);
    }`;
}

/** The GEMM shader for a tile size (per-thread block r×r, r = 4 or 8) and operand read modes. */
export function gemmWgsl(r: 4 | 8, ra: TileRead, rb: TileRead, vecOut: boolean): string {
  const bm = 16 * r;
  const tk = 1024 / bm;
  const q = bm / 4;
  const h = r / 4; // groups of 4 rows (and of 4 columns) per thread
  const ty = (read: TileRead): string => (read === 'scalar' ? 'f32' : 'vec4<f32>');
  const acc = (i: number, j: number): string => `c${i}_${j}`;
  const accs: string[] = [];
  const fmas: string[] = [];
  const stores: string[] = [];
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < h; j++) {
      accs.push(`var ${acc(i, j)} = vec4<f32>();`);
      fmas.push(`${acc(i, j)} = fma(vec4<f32>(a${i >> 2}[${i & 3}]), b${j}, ${acc(i, j)});`);
      const row = `row0 + ${(i >> 2) * 64 + (i & 3)}u + l.y * 4u`;
      const col = `col0 + ${j * 64}u + l.x * 4u`;
      stores.push(vecOut
        ? `{ let row = ${row}; let col = ${col}; if (row < M && col < N) { y[(o2 + row * N + col) / 4u] = ${acc(i, j)}; } }`
        : `{ let row = ${row}; let col = ${col}; for (var c = 0u; c < 4u; c++) { if (row < M && col + c < N) { y[o2 + row * N + col + c] = ${acc(i, j)}[c]; } } }`);
    }
  }
  const reads = Array.from({ length: h }, (_, g) =>
    `let a${g} = As[p * ${q}u + ${g * 16}u + l.y]; let b${g} = Bs[p * ${q}u + ${g * 16}u + l.x];`).join('\n        ');
  return `${UNIFORMS}
@group(0) @binding(1) var<storage, read> a: array<${ty(ra)}>;
@group(0) @binding(2) var<storage, read> b: array<${ty(rb)}>;
@group(0) @binding(3) var<storage, read_write> y: array<${vecOut ? 'vec4<f32>' : 'f32'}>;
var<workgroup> As: array<vec4<f32>, ${q * tk}>;
var<workgroup> Bs: array<vec4<f32>, ${q * tk}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_index) t: u32, @builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let M = m(48u); let N = m(49u); let K = m(50u);
  let sam = m(51u); let sak = m(52u); let sbk = m(53u); let sbn = m(54u);
  let tilesM = (M + ${bm - 1}u) / ${bm}u;
  let tilesN = (N + ${bm - 1}u) / ${bm}u;
  let tiles = tilesM * tilesN * m(${W_COUNT}u);
  for (var tile = w.x; tile < tiles; tile += m(${W_STRIDE}u)) {
    let batch = tile / (tilesM * tilesN);
    let inBatch = tile % (tilesM * tilesN);
    let row0 = (inBatch / tilesN) * ${bm}u;
    let col0 = (inBatch % tilesN) * ${bm}u;
    ${offsets(3, 'batch')}
    ${accs.join(' ')}
    for (var k0 = 0u; k0 < K; k0 += ${tk}u) {
      ${tileLoad('As', 'a', ra, bm, tk, 'row0', 'M', 'sam', 'sak', 'o0')}
      ${tileLoad('Bs', 'b', rb, bm, tk, 'col0', 'N', 'sbn', 'sbk', 'o1')}
      workgroupBarrier();
      for (var p = 0u; p < ${tk}u; p++) {
        ${reads}
        ${fmas.join('\n        ')}
      }
      workgroupBarrier();
    }
    ${stores.join('\n    ')}
  }
}`;
}

const by4 = (...xs: number[]): boolean => xs.every((x) => x % 4 === 0);

/** The read mode of an operand with extent `mn` and strides (sMN, sK), batch strides, offset. */
function tileRead(mn: number, K: number, sMN: number, sK: number, batchStrides: number[], offset: number): TileRead {
  if (!by4(offset, ...batchStrides)) return 'scalar';
  if (sK === 1 && by4(K, sMN)) return 'k4';
  if (sMN === 1 && by4(mn, sK)) return 'mn4';
  return 'scalar';
}

export function matmul(q: GpuQueue, buf: BufferOf, a: View, b: View, out: View): void {
  const nd = out.shape.length;
  const [M, N] = out.shape.slice(nd - 2);
  const K = a.shape[nd - 1];
  const batchShape = out.shape.slice(0, nd - 2);
  const batches = sizeOf(batchShape);
  if (M === 0 || N === 0 || batches === 0) return;
  // K = 0 needs no special case: no k slice runs and the zero accumulators are stored.
  const bs = (v: View): number[] => v.strides.slice(0, nd - 2);
  const [sam, sak, sbk, sbn] = [a.strides[nd - 2], a.strides[nd - 1], b.strides[nd - 2], b.strides[nd - 1]];
  const r = M >= 128 && N >= 128 && Math.ceil(M / 128) * Math.ceil(N / 128) * batches >= MIN_BIG_TILES ? 8 : 4;
  const ra = tileRead(M, K, sam, sak, bs(a), a.offset);
  const rb = tileRead(N, K, sbn, sbk, bs(b), b.offset);
  const vecOut = by4(N, out.offset, ...bs(out));
  const tiles = Math.ceil(M / (16 * r)) * Math.ceil(N / (16 * r)) * batches;
  const [groups] = grid(tiles, 1);
  const words = ndWords(batchShape, [bs(a), bs(b), bs(out)], [a.offset, b.offset, out.offset], batches, groups);
  [M, N, K, sam, sak, sbk, sbn].forEach((v, i) => setExtra(words, i, v));
  q.dispatch(q.pipeline(`matmul:f32:${r}:${ra}:${rb}:${vecOut}`, () => gemmWgsl(r, ra, rb, vecOut)), words, [buf(a), buf(b), buf(out)], groups);
}
