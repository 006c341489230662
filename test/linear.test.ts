// F.linear with a bias on a backend with Backend.matmulBiasAct (wasm) takes the fused GEMM
// epilogue; its definition is the composition matmul(x, Wᵀ) + b, which it must match bit for bit,
// forward and backward, and the reference device within f32 rounding.
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { DescentError } from '../ts/errors.js';

const F = d.nn.functional;
beforeAll(async () => { await d.init({ device: 'wasm' }); });

/** y and the gradients of (x, w, b) under upstream g, through `fn`, as plain arrays. */
function run(fn: (x: d.Tensor, w: d.Tensor, b: d.Tensor) => d.Tensor, x0: d.Tensor, w0: d.Tensor, b0: d.Tensor, g: d.Tensor) {
  const [x, w, b] = [x0, w0, b0].map((t) => t.detach().requiresGrad_());
  const y = fn(x, w, b);
  y.backward(g.to(y.device));
  const out = [y, x.grad!, w.grad!, b.grad!].map((t) => t.dataSync());
  d.dispose([x, w, b, y]);
  return out;
}

describe('F.linear fused bias epilogue', () => {
  test('matches the unfused composition bit for bit, forward and gradients, at awkward shapes', () => {
    d.manualSeed(3);
    for (const [m, n, k] of [[1, 1, 1], [3, 10, 17], [17, 130, 3], [130, 257, 17], [257, 10, 130]]) {
      const x = d.randn([m, k]), w = d.randn([n, k]), b = d.randn([n]), g = d.randn([m, n]);
      const fused = run((x, w, b) => F.linear(x, w, b), x, w, b, g);
      const composed = run((x, w, b) => d.add(d.matmul(x, d.transpose(w, 0, 1)), b), x, w, b, g);
      fused.forEach((v, i) => expect(v).toEqual(composed[i]));
      const ref = run((x, w, b) => F.linear(x, w, b), x.to('reference'), w.to('reference'), b.to('reference'), g);
      fused.forEach((v, i) => v.forEach((e, j) => expect(e).toBeCloseTo(ref[i][j], 3)));
      d.dispose([x, w, b, g]);
    }
  });

  test('runs one GEMM with the bias in its epilogue, and no separate add', () => {
    const x = d.randn([33, 20]), w = d.randn([7, 20]), b = d.randn([7]);
    const p = d.startProfile();
    d.tidy(() => F.linear(x, w, b));
    const r = p.stop();
    expect(r.calls.matmulBiasAct).toBe(1);
    expect(r.calls.matmul ?? 0).toBe(0);
    expect(r.calls.binary ?? 0).toBe(0);
    d.dispose([x, w, b]);
  });

  test('keeps memory flat in a training loop', () => {
    const w = d.randn([9, 13], { requiresGrad: true }), b = d.randn([9], { requiresGrad: true }), x = d.randn([31, 13]);
    const step = () => d.tidy(() => { F.linear(x, w, b).relu().sum().backward(); w.grad!.dispose(); w.grad = null; b.grad!.dispose(); b.grad = null; });
    step();
    const start = d.memory().wasm;
    for (let i = 0; i < 5; i++) step();
    expect(d.memory().wasm).toEqual(start);
    d.dispose([w, b, x]);
  });

  test('rejects a bias of the wrong shape or device with a DescentError, creating nothing', () => {
    const x = d.randn([4, 5]), w = d.randn([3, 5]);
    const start = d.memory().wasm;
    for (const bad of [d.randn([4]), d.randn([3, 1]), d.randn([3], { device: 'reference' })]) {
      expect(() => F.linear(x, w, bad)).toThrow(DescentError);
      bad.dispose();
    }
    expect(d.memory().wasm).toEqual(start);
    d.dispose([x, w]);
  });
});
