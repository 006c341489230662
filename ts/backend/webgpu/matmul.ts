// Tiled GEMM: each workgroup of 16×16 threads computes a 64×64 tile of one batch's output, staging
// 64×16 slices of a and 16×64 slices of b in workgroup memory; each thread keeps a 4×4 block of
// accumulators in registers. Inputs are read through their strides, so transposed and broadcast
// (stride-0 batch) operands need no copy. Each output sums over k in order: deterministic.

import type { View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, ndWords, setExtra, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { UNIFORMS, W_COUNT, W_STRIDE, offsets } from './wgsl.js';

const T = 64; // tile edge
const TK = 16; // k slice

const WGSL = `${UNIFORMS}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
var<workgroup> As: array<f32, ${T * TK}>;
var<workgroup> Bs: array<f32, ${T * TK}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_index) t: u32, @builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let M = m(48u); let N = m(49u); let K = m(50u);
  let sam = m(51u); let sak = m(52u); let sbk = m(53u); let sbn = m(54u);
  let tilesM = (M + ${T - 1}u) / ${T}u;
  let tilesN = (N + ${T - 1}u) / ${T}u;
  let tiles = tilesM * tilesN * m(${W_COUNT}u);
  for (var tile = w.x; tile < tiles; tile += m(${W_STRIDE}u)) {
    let batch = tile / (tilesM * tilesN);
    let inBatch = tile % (tilesM * tilesN);
    let row0 = (inBatch / tilesN) * ${T}u;
    let col0 = (inBatch % tilesN) * ${T}u;
    ${offsets(3, 'batch')}
    var acc: array<array<f32, 4>, 4>;
    for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
      for (var r = 0u; r < 4u; r++) {
        let idx = t + 256u * r;
        let i = idx / ${TK}u; let p = idx % ${TK}u;
        let row = row0 + i; let kk = k0 + p;
        As[p * ${T}u + i] = select(0.0, a[o0 + row * sam + kk * sak], row < M && kk < K);
        let p2 = idx / ${T}u; let j = idx % ${T}u;
        let col = col0 + j; let kb = k0 + p2;
        Bs[p2 * ${T}u + j] = select(0.0, b[o1 + kb * sbk + col * sbn], col < N && kb < K);
      }
      workgroupBarrier();
      for (var p = 0u; p < ${TK}u; p++) {
        let av = vec4<f32>(As[p * ${T}u + l.y * 4u], As[p * ${T}u + l.y * 4u + 1u], As[p * ${T}u + l.y * 4u + 2u], As[p * ${T}u + l.y * 4u + 3u]);
        let bv = vec4<f32>(Bs[p * ${T}u + l.x * 4u], Bs[p * ${T}u + l.x * 4u + 1u], Bs[p * ${T}u + l.x * 4u + 2u], Bs[p * ${T}u + l.x * 4u + 3u]);
        for (var r = 0u; r < 4u; r++) {
          for (var c = 0u; c < 4u; c++) { acc[r][c] = acc[r][c] + av[r] * bv[c]; }
        }
      }
      workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
      for (var c = 0u; c < 4u; c++) {
        let row = row0 + l.y * 4u + r; let col = col0 + l.x * 4u + c;
        if (row < M && col < N) { y[o2 + row * N + col] = acc[r][c]; }
      }
    }
  }
}`;

export function matmul(q: GpuQueue, buf: BufferOf, a: View, b: View, out: View): void {
  const nd = out.shape.length;
  const [M, N] = out.shape.slice(nd - 2);
  const K = a.shape[nd - 1];
  const batchShape = out.shape.slice(0, nd - 2);
  const batches = sizeOf(batchShape);
  if (M === 0 || N === 0 || batches === 0) return;
  // K = 0 needs no special case: no k slice runs and the zero accumulators are stored.
  const bs = (v: View): number[] => v.strides.slice(0, nd - 2);
  const tiles = Math.ceil(M / T) * Math.ceil(N / T) * batches;
  const [groups] = grid(tiles, 1);
  const words = ndWords(batchShape, [bs(a), bs(b), bs(out)], [a.offset, b.offset, out.offset], batches, groups);
  [M, N, K, a.strides[nd - 2], a.strides[nd - 1], b.strides[nd - 2], b.strides[nd - 1]].forEach((v, i) => setExtra(words, i, v));
  q.dispatch(q.pipeline('matmul:f32', () => WGSL), words, [buf(a), buf(b), buf(out)], groups);
}
