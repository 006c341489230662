// The fused softmax-cross-entropy capability (contract: assembly/f32-softmaxce/scalar.ts) in WGSL:
// one workgroup per row finds the max (NaN wins), sums e^{x−m} in a fixed tree order, then writes
// the loss (m − x_label) + log s and scale·(softmax − onehot). Ignored rows (label outside
// [0, cols)) give 0; a row whose max is NaN or ±Inf gives NaN. s sums in f32 (the wasm kernel
// uses f64): the difference is within the GPU tolerances of test/helpers/gpu.ts.

import type { View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, setExtra } from './meta.js';
import type { GpuQueue } from './queue.js';
import { HALVES, UNIFORMS, withHelpers } from './wgsl.js';

const G = 64;

const body = (withGrad: boolean): string => `
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
${withGrad ? '@group(0) @binding(4) var<storage, read_write> dx: array<f32>;' : ''}
var<workgroup> red: array<f32, ${G}>;
fn is_finite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }
@compute @workgroup_size(${G})
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let rows = m(48u); let cols = m(49u); let scale = mf(50u);
  for (var row = w.x; row < rows; row += m(2u)) {
    let base = m(52u) + row * cols;
    var mx = -inf_();
    for (var j = l.x; j < cols; j += ${G}u) {
      let v = x[base + j];
      if (v > mx || is_nan(v)) { mx = v; }
    }
    red[l.x] = mx;
    workgroupBarrier();
    for (var s = ${G / 2}u; s > 0u; s = s >> 1u) {
      if (l.x < s) { let o = red[l.x + s]; if (o > red[l.x] || is_nan(o)) { red[l.x] = o; } }
      workgroupBarrier();
    }
    mx = red[0];
    workgroupBarrier();
    var acc = 0.0;
    for (var j = l.x; j < cols; j += ${G}u) { acc += exp(x[base + j] - mx); }
    red[l.x] = acc;
    workgroupBarrier();
    for (var s = ${G / 2}u; s > 0u; s = s >> 1u) {
      if (l.x < s) { red[l.x] = red[l.x] + red[l.x + s]; }
      workgroupBarrier();
    }
    let total = red[0];
    workgroupBarrier();
    let label = labels[m(53u) + row];
    let valid = label >= 0 && u32(label) < cols;
    let finite = is_finite(mx);
    if (l.x == 0u) {
      var v = 0.0;
      if (valid) { v = select(nan_(), (mx - x[base + u32(label)]) + log(total), finite); }
      loss[m(51u) + row] = v;
    }
    ${withGrad ? `let inv = scale / total;
    for (var j = l.x; j < cols; j += ${G}u) {
      var g = 0.0;
      if (valid) { g = select(nan_(), exp(x[base + j] - mx) * inv - select(0.0, scale, j == u32(label)), finite); }
      dx[m(54u) + row * cols + j] = g;
    }` : ''}
  }
}`;

export function softmaxCrossEntropy(q: GpuQueue, buf: BufferOf, logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void {
  const [rows, cols] = logits.shape;
  if (rows === 0) return;
  const [groups] = grid(rows, 1);
  const words = new Uint32Array(64);
  words[2] = groups;
  [rows, cols].forEach((v, i) => setExtra(words, i, v));
  setExtra(words, 2, scale, 'f32');
  [loss.offset, logits.offset, labels.offset, dlogits?.offset ?? 0].forEach((v, i) => setExtra(words, 3 + i, v));
  const g = dlogits !== null;
  const views = g ? [logits, labels, loss, dlogits!] : [logits, labels, loss];
  q.dispatch(q.pipeline(`softmaxce:${g}`, () => UNIFORMS + withHelpers(body(g), HALVES)), words, views.map(buf), groups);
}
