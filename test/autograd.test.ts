// Autograd engine: backward, accumulation, graph release and its errors, grad mode, lifetime of
// saved tensors (disposed handles, tidy) and a leak test over 10,000 recorded ops.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference' } as const;
const leaf = (data: number[] | number[][]) => d.tensor(data, { ...ref, dtype: 'f64', requiresGrad: true });
const close = (t: d.Tensor | null, want: number[]) => {
  expect(t).not.toBeNull();
  const got = Array.from(t!.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 10));
};

test('backward of a scalar fills leaf grads; non-leaf grads are not kept', () => {
  const x = leaf([1, 2, 3]);
  const w = leaf([0.5, -1, 2]);
  const h = x.mul(w);
  const y = h.sum();
  y.backward();
  close(x.grad, [0.5, -1, 2]);
  close(w.grad, [1, 2, 3]);
  expect(h.grad).toBeNull();
  expect(h.gradFn?.name).toBe('mul');
  const x2 = leaf([1, 2, 3]);
  const h2 = x2.mul(2).retainGrad();
  h2.square().sum().backward();
  close(h2.grad, [4, 8, 12]);
  close(x2.grad, [8, 16, 24]);
});

test('grads accumulate across backward calls and are assignable', () => {
  const x = leaf([1, 2]);
  x.square().sum().backward();
  x.mul(3).sum().backward();
  close(x.grad, [5, 7]);
  x.grad = null;
  x.sum().backward();
  close(x.grad, [1, 1]);
  const mine = d.tensor([10, 10], { ...ref, dtype: 'f64' });
  x.grad = mine;
  x.sum().backward();
  close(x.grad, [11, 11]);
  expect(x.grad).toBe(mine); // accumulated in place, as PyTorch's grad.add_
  close(mine, [11, 11]);
});

test('accumulation replaces a .grad that is part of a graph instead of writing into it', () => {
  const x = leaf([1, 2]);
  x.square().sum().backward(null, { createGraph: true });
  const g1 = x.grad!; // 2x, recorded
  x.sum().backward();
  expect(x.grad).not.toBe(g1);
  close(x.grad, [3, 5]);
  expect(g1.isDisposed).toBe(true); // the engine owned it: replaced means freed
});

test('a tensor used twice gets the sum of both paths (diamond graph)', () => {
  const x = leaf([3]);
  const a = x.mul(2);
  const y = a.mul(a).add(a.exp()).sum(); // 4x² + e^{2x}
  y.backward();
  close(x.grad, [8 * 3 + 2 * Math.exp(6)]);
});

test('non-scalar backward needs a gradient of the output shape', () => {
  const x = leaf([1, 2, 3]);
  const y = x.mul(2);
  expect(() => y.backward()).toThrow(expect.objectContaining({ code: 'AUTOGRAD' }));
  expect(() => y.backward(d.ones([2], ref))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  y.backward(d.tensor([1, 0, -1], { ...ref, dtype: 'f64' }));
  close(x.grad, [2, 0, -2]);
});

test('errors: no grad required, freed graph, unknown option', () => {
  const c = d.tensor([1, 2], ref);
  expect(() => c.sum().backward()).toThrow(expect.objectContaining({ code: 'AUTOGRAD' }));
  const x = leaf([1, 2]);
  const y = x.exp().sum();
  y.backward();
  expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
  const z = x.exp().sum();
  z.backward(null, { retainGraph: true });
  z.backward();
  close(x.grad, [Math.E + 2 * Math.E, Math.exp(2) * 3]);
  expect(() => x.sum().backward(null, { retain: true } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('noGrad records nothing, enableGrad re-enables, detach cuts the graph', () => {
  const x = leaf([1, 2]);
  const y = d.noGrad(() => x.mul(2));
  expect(y.requiresGrad).toBe(false);
  expect(y.gradFn).toBeNull();
  const z = d.noGrad(() => d.enableGrad(() => x.mul(2)));
  expect(z.requiresGrad).toBe(true);
  const w = x.detach();
  expect(w.requiresGrad).toBe(false);
  x.mul(w).sum().backward();
  close(x.grad, [1, 2]);
});

test('requiresGrad_ turns a leaf on; refused on i32 and when switching off a non-leaf', () => {
  const x = d.tensor([1, 2], ref).requiresGrad_();
  expect(x.requiresGrad).toBe(true);
  expect(() => d.tensor([1], { ...ref, dtype: 'i32' }).requiresGrad_()).toThrow(expect.objectContaining({ code: 'BAD_DTYPE' }));
  expect(() => x.mul(2).requiresGrad_(false)).toThrow(expect.objectContaining({ code: 'AUTOGRAD' }));
});

test('saved tensors survive dispose() and tidy until the graph is released', () => {
  const x = leaf([1, 2, 3]);
  const start = d.memory().reference;
  d.tidy(() => {
    const loss = d.tidy(() => x.exp().mul(x.sin()).sum()); // its intermediates are disposed here
    const e = x.mul(1);
    const y = e.exp().sum();
    e.dispose();
    expect(e.isDisposed).toBe(true);
    expect(() => e.add(1)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    loss.backward();
    y.backward();
  });
  const want = [1, 2, 3].map((v) => Math.exp(v) * Math.sin(v) + Math.exp(v) * Math.cos(v) + Math.exp(v));
  close(x.grad, want);
  x.grad!.dispose();
  x.grad = null;
  expect(d.memory().reference).toEqual(start);
});

test('disposing an output releases the graph it owns (no backward needed)', () => {
  const x = leaf([1, 2, 3]);
  const start = d.memory().reference;
  const out = d.tidy(() => x.tanh().mul(2).exp().sum());
  expect(d.memory().reference.tensors).toBeGreaterThan(start.tensors + 1);
  out.dispose();
  expect(d.memory().reference).toEqual(start);
});

test.each(['reference', 'wasm'] as const)('10,000 recorded ops with backward inside tidy leave memory flat (%s)', async (device) => {
  if (device === 'wasm') await d.init({ device: 'wasm' });
  const w = d.randn([8, 8], { device, requiresGrad: true });
  const b = d.zeros([8], { device, requiresGrad: true });
  const start = d.memory()[device];
  for (let i = 0; i < 100; i++) {
    d.tidy(() => {
      let x = d.randn([4, 8], { device });
      for (let j = 0; j < 20; j++) x = x.matmul(w).add(b).tanh().mul(0.9);
      const loss = x.square().mean();
      loss.backward();
    });
  }
  expect(w.grad?.shape).toEqual([8, 8]);
  w.grad!.dispose();
  b.grad!.dispose();
  w.grad = b.grad = null;
  expect(d.memory()[device]).toEqual(start);
  w.dispose();
  b.dispose();
});

test('freeing a leaf frees the gradient the engine gave it', () => {
  const start = d.memory().reference;
  const x = leaf([1, 2]);
  d.tidy(() => x.square().sum().backward());
  expect(d.memory().reference.tensors).toBe(start.tensors + 2);
  x.dispose();
  expect(d.memory().reference).toEqual(start);
});

test('createGraph records the backward pass: second derivatives', () => {
  const x = leaf([0.5, -1.5]);
  const y = x.pow(3).sum();
  y.backward(null, { createGraph: true });
  const g = x.grad!; // 3x²
  close(g, [0.75, 6.75]);
  expect(g.requiresGrad).toBe(true);
  x.grad = null;
  g.sum().backward();
  close(x.grad, [3, -9]); // 6x
});

test('where, gather and scatterAdd keep their condition/index alive for backward', () => {
  const x = leaf([1, -2, 3]);
  const start = d.memory().reference;
  d.tidy(() => {
    const loss = d.tidy(() => {
      const cond = x.gt(0);
      const idx = d.tensor([[2, 0]], { ...ref, dtype: 'i32' });
      const a = d.where(cond, x, x.mul(-3));
      const b = x.reshape([1, 3]).gather(1, idx).sum();
      const c = d.zeros([1, 3], { ...ref, dtype: 'f64' }).scatterAdd(1, idx, x.reshape([1, 3]).slice(1, 0, 2)).sum();
      cond.dispose();
      idx.dispose();
      return a.sum().add(b).add(c);
    });
    loss.backward();
  });
  close(x.grad, [1 + 1 + 1, -3 + 0 + 1, 1 + 1 + 0]);
  x.grad!.dispose();
  x.grad = null;
  expect(d.memory().reference).toEqual(start);
});

test('a gradient takes its leaf dtype when dtypes mix (f32 leaf · f64 tensor)', () => {
  const x = d.tensor([1, 2], { ...ref, dtype: 'f32', requiresGrad: true });
  const w = d.tensor([0.5, 0.25], { ...ref, dtype: 'f64', requiresGrad: true });
  x.mul(w).sum().backward();
  expect(x.grad!.dtype).toBe('f32');
  expect(w.grad!.dtype).toBe('f64');
  close(x.grad, [0.5, 0.25]);
  close(w.grad, [1, 2]);
});

test('saved tensors already disposed are freed during the backward pass, not after it', async () => {
  const { attach } = await import('../ts/autograd/tape.js');
  let seen = -1;
  const probe = (t: d.Tensor) => attach(d.noGrad(() => t.clone()), [t], (g) => {
    seen = d.memory().reference.bytes; // the probe sits next to the leaf: its VJP runs last
    return [g];
  }, 'probe');
  const x = d.randn([1000], { ...ref, dtype: 'f64', requiresGrad: true });
  const start = d.memory().reference.bytes;
  const loss = d.tidy(() => {
    let h = probe(x);
    for (let i = 0; i < 10; i++) h = h.exp().mul(0.5).tanh();
    return h.sum();
  });
  const atStart = d.memory().reference.bytes;
  expect(atStart - start).toBeGreaterThan(30 * 8000); // the graph holds ~30 vectors of 8 kB
  loss.backward();
  expect(seen).toBeLessThan(start + 10 * 8000); // most were freed before the last VJP ran
  loss.dispose();
  x.grad!.dispose();
  x.grad = null;
  expect(d.memory().reference.bytes).toBe(start);
});

test('composed ops still differentiate after their temporaries are freed', () => {
  const x = d.tensor([[1, 2], [3, 5]], { requiresGrad: true });
  const start = d.memory().wasm;
  const s = d.std(x, 1);
  const l = d.logsumexp(x, 0);
  const sl = s.add(l);
  const y = sl.sum();
  y.backward();
  // std over a row [a, b] (correction 1): d/dx = (x - mean) / std; logsumexp over a column: softmax.
  const sm = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));
  const want = [-0.5 / Math.SQRT1_2 + sm(1, 3), 0.5 / Math.SQRT1_2 + sm(2, 5), -1 / Math.SQRT2 + sm(3, 1), 1 / Math.SQRT2 + sm(5, 2)];
  Array.from(x.grad!.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(want[k], 5));
  d.dispose([s, l, sl, y, x.grad]);
  x.grad = null;
  expect(d.memory().wasm).toEqual(start);
  x.dispose();
});

test('norm(x, p) gradients match torch at zero elements and zero norms, for any p', () => {
  const grad = (p: number, data: number[]) => d.tidy(() => {
    const x = d.tensor(data, { dtype: 'f64', requiresGrad: true });
    const [g] = d.gradients(d.norm(x, p), [x]);
    return Array.from(g.dataSync());
  });
  // torch 1.13: torch.norm(x, p).backward() on these inputs.
  expect(grad(3, [0, 0])).toEqual([0, 0]);
  expect(grad(0.5, [0, 1])).toEqual([0, 1]);
  expect(grad(2, [0, 0])).toEqual([0, 0]);
  const g3 = grad(3, [1, -2, 0]);
  [0.2311204247835449, -0.9244816991341795, 0].forEach((v, i) => expect(g3[i]).toBeCloseTo(v, 12));
  const g15 = grad(1.5, [1, -2, 0.5]);
  [0.6206870223051937, -0.8777840049329767, 0.43889200246648835].forEach((v, i) => expect(g15[i]).toBeCloseTo(v, 12));
  // The VJP differentiates again (finite-difference checked), with a zero element where the
  // second derivative exists there (p ≥ 2; for p < 2 it is infinite at 0).
  for (const [p, z] of [[2, 0], [3, 0], [1.5, 0.4]]) {
    const x = d.tensor([0.7, -1.3, z], { dtype: 'f64', requiresGrad: true });
    expect(d.gradgradcheck((z: d.Tensor) => d.norm(z, p), [x])).toBe(true);
    x.dispose();
  }
});

test('grad/valueAndGrad reject an unknown option with a DescentError naming it', () => {
  const f = (a: d.Tensor, b: d.Tensor) => a.mul(b).sum();
  expect(() => d.grad(f, { argnum: 1 } as never)).toThrow("valueAndGrad: unknown option 'argnum'; expected one of 'argnums'");
  expect(() => d.grad(f, { argnums: '1' } as never)).toThrow(/argnums must be an integer or an array of integers, got string 1/);
  const a = d.tensor([1, 2]);
  const b = d.tensor([3, 4]);
  const g = d.grad(f, { argnums: 1 })(a, b) as d.Tensor;
  expect(g.toArray()).toEqual([1, 2]);
  d.dispose([a, b, g]);
});

test('gradients() needs an array of inputs: anything else is a DescentError', () => {
  const x = d.tensor([1, 2], { requiresGrad: true });
  const y = x.square().sum();
  expect(() => d.gradients(y, x as unknown as d.Tensor[])).toThrow(/gradients: expected inputs to be an array of tensors, got Tensor\(\[2\], f32/);
  expect(() => d.gradients(y, null as unknown as d.Tensor[])).toThrow('gradients: expected inputs to be an array of tensors, got null');
  const [g] = d.gradients(y, [x]);
  expect(g.toArray()).toEqual([2, 4]);
  d.dispose([x, y, g]);
});

test('backward runs no GEMM for an input that needs no grad and gives a Linear weight its gradient in its own layout, uncopied', async () => {
  await d.init({ device: 'wasm' });
  d.manualSeed(11);
  const onWasm = { x: d.randn([37, 13]), w: d.randn([9, 13], { requiresGrad: true }), g: d.randn([37, 9]) };
  const onRef = { x: onWasm.x.to('reference'), w: onWasm.w.to('reference').detach().requiresGrad_(), g: onWasm.g.to('reference') };
  const p = d.startProfile();
  d.tidy(() => d.nn.functional.linear(onWasm.x, onWasm.w).backward(onWasm.g));
  const r = p.stop();
  expect(r.calls.matmul).toBe(2); // forward and dW; x needs no dX
  expect(r.calls.copy ?? 0).toBe(0); // dW lands contiguous in W's [out, in] layout
  expect(onWasm.w.grad!.isContiguous()).toBe(true);
  d.tidy(() => d.nn.functional.linear(onRef.x, onRef.w).backward(onRef.g));
  const got = onWasm.w.grad!.dataSync(), want = onRef.w.grad!.dataSync();
  want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
  d.dispose([...Object.values(onWasm), ...Object.values(onRef)]);
});
