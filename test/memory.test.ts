// Lifetime: tidy frees what it made, views share reference-counted storage, and memory()
// returns to where it started after 10,000 ops.

import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

test.each(['wasm', 'reference'] as const)('10,000 ops inside tidy leave memory flat (%s)', (device) => {
  const w = d.randn([16, 16], { device });
  const start = d.memory()[device];
  for (let i = 0; i < 100; i++) {
    d.tidy(() => {
      let x = d.randn([8, 16], { device });
      for (let j = 0; j < 25; j++) {
        x = x.matmul(w).tanh().add(1).mul(0.5).transpose().contiguous().transpose().reshape([8, 16]);
        x = d.cat([x.slice(0, 0, 4), x.slice(0, 4)]).sum(1, { keepdim: true }).expand([8, 16]).div(16);
      }
      return x.mean();
    }).dispose();
  }
  expect(d.memory()[device]).toEqual(start);
  w.dispose();
});

test('tidy keeps what fn returns (arrays, objects, Maps), moves it to the outer scope', () => {
  const start = d.memory().wasm;
  const outer = d.tidy(() => {
    const inner = d.tidy(() => {
      const a = d.ones([3]);
      const b = a.add(1);
      return { b, list: [b.mul(2)], m: new Map([['c', b.sub(1)]]) };
    });
    expect(inner.b.toArray()).toEqual([2, 2, 2]);
    return inner.list[0];
  });
  expect(outer.toArray()).toEqual([4, 4, 4]);
  expect(d.memory().wasm.tensors).toBe(start.tensors + 1);
  outer.dispose();
  expect(d.memory().wasm).toEqual(start);
});

test('keep() exempts a tensor; dispose() frees nested containers; errors inside tidy still free', () => {
  const start = d.memory().wasm;
  let kept: d.Tensor | null = null;
  d.tidy(() => {
    kept = d.keep(d.zeros([4]));
    d.ones([4]);
  });
  expect(d.memory().wasm.tensors).toBe(start.tensors + 1);
  d.dispose({ kept, more: [d.ones([2])] });
  expect(d.memory().wasm).toEqual(start);
  expect(() => d.tidy(() => { d.ones([9]); throw new Error('boom'); })).toThrow('boom');
  expect(d.memory().wasm).toEqual(start);
});

test('views share storage: bytes are freed with the last view', () => {
  const start = d.memory().wasm;
  const x = d.zeros([1000]);
  const r = x.reshape([10, 100]);
  const v = r.transpose();
  x.dispose();
  r.dispose();
  expect(d.memory().wasm.bytes).toBe(start.bytes + 4000);
  v.dispose();
  expect(d.memory().wasm).toEqual(start);
});

test('Symbol.dispose frees at scope exit', () => {
  const start = d.memory().wasm;
  {
    using t = d.ones([5]);
    expect(d.tidy(() => t.sum().item())).toBe(5);
  }
  expect(d.memory().wasm.bytes).toBe(start.bytes);
});

test.each(['wasm', 'reference'] as const)('composites keep no intermediate after backward and dispose (%s)', (device) => {
  const F = d.nn.functional;
  const x = d.randn([4, 3], { device, requiresGrad: true });
  const target = d.tensor([0, 1, 2, 0], { dtype: 'i32', device });
  const zero = d.zerosLike(x);
  const lin = new d.nn.Linear(3, 2, { device });
  const grads = [x, ...lin.parameters()];
  const start = d.memory()[device];
  const calls: [string, () => d.Tensor][] = [
    ['unfused crossEntropy', () => F.crossEntropy(x, target, { labelSmoothing: 0.1 })],
    ['crossEntropy', () => F.crossEntropy(x, target)],
    ['layerNorm', () => F.layerNorm(x, [3])],
    ['softmax', () => F.softmax(x, 1)],
    ['mseLoss', () => F.mseLoss(x, zero)],
    ['Linear.call', () => lin.call(x)],
    ['binaryCrossEntropyWithLogits', () => F.binaryCrossEntropyWithLogits(x, zero)],
    ['std', () => x.std(0)],
  ];
  for (const [name, call] of calls) {
    const out = call();
    const seed = d.onesLike(out);
    out.backward(seed);
    d.dispose([out, seed]);
    for (const t of grads) { t.grad?.dispose(); t.grad = null; }
    expect(d.memory()[device], name).toEqual(start);
  }
  d.dispose([x, target, zero]);
  lin.dispose();
});
