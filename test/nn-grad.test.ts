// Gradients of the functional layer ops and modules by d.gradcheck (central differences in f64 on
// the reference device), including second order where the layer is smooth; dropout's masks.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import type { AnyModule } from '../ts/nn/index.js';

const { nn } = d;
const F = nn.functional;
const R64 = { device: 'reference', dtype: 'f64' } as const;
const randn = (shape: number[]) => d.randn(shape, R64);

describe('gradcheck of functional layers (f64)', () => {
  it('conv2d with stride, padding, dilation and groups', () => {
    d.manualSeed(7);
    const x = randn([2, 4, 5, 4]);
    const b = randn([6]);
    for (const opts of [{}, { stride: 2, padding: 1 }, { padding: [2, 1] as [number, number], dilation: 2, groups: 2 }]) {
      const w = randn([6, 4 / (opts.groups ?? 1), 3, 2]);
      expect(d.gradcheck((xx, ww, bb) => F.conv2d(xx, ww, bb, opts).square().sum(), [x, w, b])).toBe(true);
    }
  });

  it('pools (no ties: distinct values) and unfold', () => {
    d.manualSeed(8);
    const x = randn([1, 2, 5, 6]);
    expect(d.gradcheck((t) => F.maxPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true }), [x])).toBe(true);
    expect(d.gradcheck((t) => F.avgPool2d(t, 3, { stride: 2, padding: 1, countIncludePad: false }), [x])).toBe(true);
    expect(d.gradcheck((t) => F.unfold(t, [2, 3], { padding: 1, dilation: [1, 2] }), [x])).toBe(true);
  });

  it('layerNorm and batchNorm, first and second order', () => {
    d.manualSeed(9);
    const x = randn([3, 4]);
    const w = randn([4]);
    const b = randn([4]);
    expect(d.gradcheck((t, ww, bb) => F.layerNorm(t, [4], { weight: ww, bias: bb }), [x, w, b])).toBe(true);
    expect(d.gradcheck((t, ww) => F.batchNorm(t, null, null, { weight: ww, training: true }), [x, w])).toBe(true);
    const hess = (t: d.Tensor) => d.grad((z: d.Tensor) => F.layerNorm(z, [4], { weight: w }).pow(3).sum())(t) as d.Tensor;
    expect(d.gradcheck(hess, [x])).toBe(true);
  });

  it('embedding (weight gradient; padding row gets none)', () => {
    d.manualSeed(10);
    const w = randn([5, 3]);
    const idx = d.tensor([[1, 2, 1], [4, 0, 2]], { dtype: 'i32', device: 'reference' });
    expect(d.gradcheck((ww) => F.embedding(idx, ww), [w])).toBe(true);
    const ww = w.detach();
    ww.requiresGrad = true;
    F.embedding(idx, ww, 2).sum().backward();
    expect((ww.grad!.toArray() as number[][])[2]).toEqual([0, 0, 0]);
    expect((ww.grad!.toArray() as number[][])[1]).toEqual([2, 2, 2]);
  });

  it('scaled dot-product attention with a causal mask, softmax and logSoftmax', () => {
    d.manualSeed(11);
    const [q, k, v] = [randn([2, 3, 4]), randn([2, 3, 4]), randn([2, 3, 2])];
    expect(d.gradcheck((a, b, c) => F.scaledDotProductAttention(a, b, c, { isCausal: true }), [q, k, v])).toBe(true);
    expect(d.gradcheck((t) => F.softmax(t, 0), [randn([3, 2])])).toBe(true);
    expect(d.gradcheck((t) => F.logSoftmax(t, -1), [randn([2, 5])])).toBe(true);
  });
});

describe('gradcheck through modules (f64 parameters)', () => {
  it('LSTM and RNN: input and parameter gradients', () => {
    d.manualSeed(12);
    for (const m of [new nn.LSTM(2, 3, { numLayers: 2, ...R64 }), new nn.RNN(2, 3, { batchFirst: true, ...R64 })]) {
      const names = m.namedParameters().map(([n]) => n);
      const f = (x: d.Tensor, ...ps: d.Tensor[]) => nn.functionalCall(m, Object.fromEntries(names.map((n, i) => [n, ps[i]])), x)[0];
      expect(d.gradcheck(f, [randn([3, 2, 2]), ...m.parameters()])).toBe(true);
    }
  });

  it('Sequential MLP and MultiheadAttention: every parameter', () => {
    d.manualSeed(14);
    const mlp = new nn.Sequential(new nn.Linear(3, 4, R64), new nn.SiLU(), new nn.LayerNorm(4, R64), new nn.Linear(4, 2, R64));
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true, ...R64 });
    const cases: [AnyModule, (x: d.Tensor) => unknown[], number[]][] = [
      [mlp, (x) => [x], [5, 3]],
      [mha, (x) => [x, x, x, { isCausal: true }], [1, 3, 4]],
    ];
    for (const [m, args, shape] of cases) {
      const names = m.namedParameters().map(([n]) => n);
      const f = (x: d.Tensor, ...ps: d.Tensor[]) => {
        const y = nn.functionalCall(m, Object.fromEntries(names.map((n, i) => [n, ps[i]])), ...args(x));
        return Array.isArray(y) ? y[0] : y;
      };
      expect(d.gradcheck(f, [randn(shape), ...m.parameters()])).toBe(true);
    }
  });

  it('TransformerBlock: input gradient', () => {
    d.manualSeed(13);
    const blk = new nn.TransformerBlock(4, 2, { dimFeedforward: 8, ...R64 });
    expect(d.gradcheck((x) => blk.forward(x), [randn([1, 3, 4])])).toBe(true);
  });
});

describe('dropout', () => {
  it('keeps 1−p of the values, scaled by 1/(1−p), reproducibly per seed', () => {
    const x = d.ones([100, 100], { device: 'reference' });
    d.manualSeed(5);
    const y = F.dropout(x, 0.3).dataSync();
    const kept = y.filter((v) => v !== 0);
    expect(Math.abs(kept.length / y.length - 0.7)).toBeLessThan(0.02);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    d.manualSeed(5);
    expect(Array.from(F.dropout(x, 0.3).dataSync())).toEqual(Array.from(y));
    expect(F.dropout(x, 0.3, false)).toBe(x);
    expect(new Set(F.dropout(x, 1).dataSync())).toEqual(new Set([0]));
  });

  it('passes gradcheck with a fixed mask (reseeded per evaluation)', () => {
    const f = (x: d.Tensor) => { d.manualSeed(9); return F.dropout(x, 0.4); };
    expect(d.gradcheck(f, [randn([4, 5])])).toBe(true);
  });

  it('gradients flow through kept elements only', () => {
    const x = d.ones([50], { device: 'reference', requiresGrad: true });
    d.manualSeed(6);
    const y = F.dropout(x, 0.5);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(y.dataSync()));
  });

  it('between stacked LSTM layers: active in train, off in eval', () => {
    d.manualSeed(4);
    const m = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5, device: 'reference' });
    const x = d.randn([5, 2, 3], { device: 'reference' });
    const a = m.call(x)[0].toArray();
    expect(m.call(x)[0].toArray()).not.toEqual(a);
    m.eval();
    const e = m.call(x)[0].toArray();
    expect(m.call(x)[0].toArray()).toEqual(e);
  });
});
