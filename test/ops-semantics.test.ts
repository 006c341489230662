// Op-layer semantics at the edges, as torch defines them: 0-d inputs, scalar operands, empty
// tensors, integer creation, devices of index tensors, and the argument checks that name the op.

import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

test('indexSelect rejects an index tensor on another device', () => {
  const x = d.tensor([[1, 2], [3, 4]], { device: 'reference' });
  const idx = d.tensor([1], { dtype: 'i32', device: 'wasm' });
  expect(() => d.indexSelect(x, 0, idx)).toThrow(/one device/);
  d.dispose([x, idx]);
});

test('reference max/min reduce a large block (no call-stack overflow) and propagate NaN', () => {
  const x = d.arange(300000, undefined, 1, { dtype: 'f32', device: 'reference' });
  expect(d.max(x).item()).toBe(299999);
  expect(d.min(x).item()).toBe(0);
  const n = d.tensor([[1, NaN, 3], [-1, -2, -0.5]], { device: 'reference' });
  expect(d.max(n, 1).toArray()).toEqual([NaN, -0.5]);
  expect(d.min(n, 1).toArray()).toEqual([NaN, -2]);
  d.dispose([x, n]);
});

test('where takes two scalars (torch.where(cond, 1.5, 2)): f32, or i32 when both are integers', () => {
  const c = d.tensor([[1, 0], [0, 2]]);
  const start = d.memory().wasm;
  const y = d.where(c, 1.5, -2);
  expect(y.dtype).toBe('f32');
  expect(y.toArray()).toEqual([[1.5, -2], [-2, 1.5]]);
  const k = d.where(c, 3, 4);
  expect(k.dtype).toBe('i32');
  expect(k.toArray()).toEqual([[3, 4], [4, 3]]);
  expect(() => d.where(c, 'x' as unknown as number, 1)).toThrow(/expected a to be a Tensor or a number, got string x/);
  d.dispose([y, k]);
  expect(d.memory().wasm).toEqual(start);
  c.dispose();
});

test('shape ops check their dims like torch: cat of 0-d, transpose of 1-D, unsqueeze and narrow messages', () => {
  const a = d.tensor(1);
  const b = d.tensor(2);
  const v = d.tensor([1, 2]);
  const start = d.memory().wasm;
  expect(() => d.cat([a, b])).toThrow(/cat: expected tensors of at least 1 dim, got a 0-d tensor at position 0/);
  expect(() => d.transpose(v, 3, 7)).toThrow(/transpose: axis 3 is out of range for a 1-d tensor/);
  expect(() => d.unsqueeze(v, 5)).toThrow('unsqueeze: axis 5 is out of range for a 1-d tensor (expected -2..1)');
  expect(() => d.narrow(v, 0, 0.5, 1)).toThrow(/narrow: range start 0.5 length 1/);
  expect(d.memory().wasm).toEqual(start);
  const kept = [v.transpose(), d.transpose(v, 0, -1), d.transpose(a, 0, -1), d.unsqueeze(v, -2), d.stack([a, b])];
  expect(kept.map((t) => t.shape)).toEqual([[2], [2], [], [1, 2], [2]]);
  d.dispose([a, b, v, kept]);
});

test('mean/var/std check their own arguments: DescentErrors that name the op; keepdim must be a boolean', () => {
  const x = d.tensor([[1, 2], [3, 5]]);
  expect(() => d.mean(null as unknown as d.Tensor)).toThrow('mean: expected argument to be a Tensor, got null');
  expect(() => d.var(null as unknown as d.Tensor)).toThrow('var: expected argument to be a Tensor, got null');
  expect(() => d.std(x, 5)).toThrow(/^std: axis 5 is out of range for a 2-d tensor/);
  expect(() => x.mean(2)).toThrow(/^mean: axis 2 is out of range/);
  expect(() => x.sum(0, { keepdim: 'yes' } as never)).toThrow("sum: keepdim must be a boolean, got string yes");
  expect(() => x.argmax(0, { keepdim: 1 } as never)).toThrow('argmax: keepdim must be a boolean, got number 1');
  expect(() => d.std(x, 0, { correction: -1 })).toThrow('std: correction must be a number ≥ 0, got -1');
  const r = [x.mean(-1), d.var(x, 0, { correction: 0 }), d.std(x, [0, 1], { keepdim: true }), d.mean(d.tensor([1, 2], { dtype: 'i32' }))];
  expect(r[0].toArray()).toEqual([1.5, 4]);
  expect(r[1].toArray()).toEqual([1, 2.25]);
  expect(r[2].shape).toEqual([1, 1]);
  expect(r[2].item()).toBeCloseTo(Math.sqrt(8.75 / 3), 6);
  expect(r[3].toArray()).toEqual(1.5);
  d.dispose([x, r]);
});

test('*Like creators reject a non-tensor with a DescentError', () => {
  for (const [name, f] of [['zerosLike', d.zerosLike], ['onesLike', d.onesLike], ['randLike', d.randLike], ['randnLike', d.randnLike]] as const) {
    expect(() => f(null as unknown as d.Tensor)).toThrow(`${name}: expected argument to be a Tensor, got null`);
  }
  expect(() => d.fullLike(undefined as unknown as d.Tensor, 1)).toThrow('fullLike: expected argument to be a Tensor, got undefined');
  const x = d.tensor([[1, 2]], { dtype: 'f64' });
  const r = [d.zerosLike(x), d.fullLike(x, 7, { dtype: 'f32' })];
  expect(r.map((t) => [t.dtype, t.shape, t.toArray()])).toEqual([['f64', [1, 2], [[0, 0]]], ['f32', [1, 2], [[7, 7]]]]);
  d.dispose([x, r]);
});

test('0-d tensors cannot be sliced, narrowed, split or chunked, as torch', () => {
  const s = d.tensor(3);
  const start = d.memory().wasm;
  expect(() => d.slice(s, 0, 0, 1)).toThrow('slice: cannot slice a 0-d tensor (expected at least 1 dim)');
  expect(() => d.narrow(s, 0, 0, 1)).toThrow('narrow: cannot narrow a 0-d tensor');
  expect(() => d.split(s, 1)).toThrow('split: cannot split a 0-d tensor');
  expect(() => d.chunk(s, 1)).toThrow('chunk: cannot chunk a 0-d tensor');
  expect(d.memory().wasm).toEqual(start);
  s.dispose();
});

test("sliceScatter (public) validates its arguments and still serves as slice's adjoint", () => {
  const g = d.tensor([[1, 2], [3, 4]]);
  const bad: [number[], number, number, number, RegExp][] = [
    [[2, 2], -1, 0, 2, /does not fit the slice \[0::2\] of dim 1 in \[2, 2\]/],
    [[3, 5], 1, 0, 1, /does not fit/],
    [[2, 5], 2, 0, 1, /sliceScatter: axis 2 is out of range/],
    [[2, 5], 1, -1, 1, /expected an integer start ≥ 0 and step > 0, got -1 and 1/],
    [[5], 0, 0, 1, /to have src's rank 2/],
  ];
  const before = d.memory().wasm;
  for (const [shape, dim, st, step, msg] of bad) expect(() => d.sliceScatter(g, shape, dim, st, step)).toThrow(msg);
  expect(d.memory().wasm).toEqual(before);
  const ok = d.sliceScatter(g, [2, 5], 1, 1, 3);
  expect(ok.toArray()).toEqual([[0, 1, 0, 0, 2], [0, 3, 0, 0, 4]]);
  const x = d.arange(10, undefined, 1, { dtype: 'f64', requiresGrad: true });
  const [gx] = d.gradients(d.slice(x, 0, -7, null, 3).mul(d.tensor([1, 2, 3], { dtype: 'f64' })).sum(), [x]);
  expect(gx.toArray()).toEqual([0, 0, 0, 1, 0, 0, 2, 0, 0, 3]);
  d.dispose([g, ok, x, gx]);
});

test('0-d inputs: argmax/argmin along axis 0 give 0 (as torch); index ops say they need ≥ 1 dim', () => {
  const s = d.tensor(5);
  const r = [d.argmax(s, 0), d.argmin(s, -1), d.argmax(s, 0, { keepdim: true })];
  expect(r.map((t) => [t.shape, t.item()])).toEqual([[[], 0], [[], 0], [[], 0]]);
  expect(() => d.argmax(s, 1)).toThrow(/argmax: axis 1 is out of range for a 0-d tensor/);
  const src = d.tensor([1]);
  const start = d.memory().wasm;
  expect(() => d.gather(s, 0, [0])).toThrow('gather: expected a tensor of at least 1 dim, got a 0-d tensor');
  expect(() => d.indexSelect(s, 0, [0])).toThrow('indexSelect: expected a tensor of at least 1 dim, got a 0-d tensor');
  expect(() => d.scatterAdd(s, 0, [0], src)).toThrow('scatterAdd: expected a tensor of at least 1 dim, got a 0-d tensor');
  expect(d.memory().wasm).toEqual(start);
  d.dispose([s, src, r]);
});

test('flatten of a 0-d tensor checks its dims and gives shape [1]', () => {
  const s = d.tensor(5);
  expect(() => d.flatten(s, 2)).toThrow(/flatten: axis 2 is out of range for a 0-d tensor/);
  const r = [d.flatten(s), d.flatten(s, 0, -1)];
  expect(r.map((t) => t.shape)).toEqual([[1], [1]]);
  d.dispose([s, r]);
});

test('cat skips 1-D empty tensors (torch\'s legacy rule, for out = cat([out, x]) from tensor([])), by position', () => {
  const e = d.tensor([], { dtype: 'f64' });
  const a = d.ones([2, 2]);
  const b = d.ones([1, 2]);
  const r = [d.cat([e, a]), d.cat([a, e, b]), d.cat([e, d.ones([2, 3])], 1), d.cat([e, e])];
  expect(r.map((t) => t.shape)).toEqual([[2, 2], [3, 2], [2, 3], [0]]);
  expect(r[0].dtype).toBe('f64'); // the skipped tensor still takes part in dtype promotion
  expect(() => d.cat([e, a], 2)).toThrow(/cat: axis 2 is out of range for a 2-d tensor/);
  const x = d.tensor([1, 2], { requiresGrad: true });
  const z = d.tensor([], { requiresGrad: true });
  const [gx, gz] = d.gradients(d.cat([x, z, x]).mul(d.tensor([1, 2, 3, 4])).sum(), [x, z]);
  expect(gx.toArray()).toEqual([4, 6]);
  expect(gz.shape).toEqual([0]);
  d.dispose([e, a, b, r, x, z, gx, gz]);
});

test('i32 creation rejects values that overflow int32 or are not finite, and truncates fractions', () => {
  const start = d.memory().wasm;
  expect(() => d.tensor([1, 3e9], { dtype: 'i32' })).toThrow('tensor: value 3000000000 at flat position 1 does not fit dtype i32');
  expect(() => d.tensor([NaN], { dtype: 'i32' })).toThrow(/value NaN at flat position 0 does not fit/);
  expect(() => d.tensor(new Float64Array([Infinity]), { dtype: 'i32' })).toThrow(/value Infinity/);
  expect(() => d.full([2], -3e9, { dtype: 'i32' })).toThrow(/full: value -3000000000/);
  expect(() => d.arange(2 ** 31 - 1, 2 ** 31 + 1)).toThrow(/arange: value 2147483648 at flat position 1/);
  expect(d.memory().wasm).toEqual(start);
  const r = [d.tensor([1.7, -2.5, 2 ** 31 - 1, -(2 ** 31)], { dtype: 'i32' }), d.full([1], 7.9, { dtype: 'i32' })];
  expect(r.map((t) => t.toArray())).toEqual([[1, -2, 2147483647, -2147483648], [7]]);
  d.dispose(r);
});

test.each(['wasm', 'reference'] as const)('scatterAdd uses the leading index-shaped block of a larger src (%s)', (device) => {
  d.tidy(() => {
    const x = d.zeros([3, 4], { dtype: 'f64', device });
    const src = d.arange(1, 16, 1, { dtype: 'f64', device }).reshape([3, 5]);
    const idx = d.tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: 'i32', device });
    // torch 1.13: x.scatter_add(0, idx, src)
    expect(x.scatterAdd(0, idx, src).toArray()).toEqual([[1, 0, 0, 13], [0, 2, 8, 0], [6, 7, 3, 0]]);
  });
  const idx = d.tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: 'i32', device: 'reference' });
  expect(d.gradcheck((x: d.Tensor, s: d.Tensor) => x.scatterAdd(0, idx, s),
    [d.randn([3, 4], { dtype: 'f64', device: 'reference' }), d.randn([3, 5], { dtype: 'f64', device: 'reference' })])).toBe(true);
  const tooSmall = d.zeros([1, 4], { device });
  const big = d.zeros([3, 4], { device });
  expect(() => big.scatterAdd(0, d.tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: 'i32', device }), tooSmall)).toThrow(/≤ src's \[1, 4\]/);
  d.dispose([idx, tooSmall, big]);
});

test.each(['wasm', 'reference'] as const)('norm p = 0 counts nonzeros with a zero gradient (%s)', (device) => {
  const v = d.tensor([[0, 2, 0], [1, 0, -3]], { device, requiresGrad: true });
  const all = v.norm(0);
  expect(all.item()).toBe(3); // torch.linalg.vector_norm(v, 0)
  expect(all.dtype).toBe('f32');
  expect(v.norm(0, 1).toArray()).toEqual([1, 2]);
  all.backward();
  expect(Array.from(v.grad!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  expect(() => v.norm(-1)).toThrow(/p ≥ 0/);
});

test('copyInto writes into any view, converting dtype and device, and leaves memory() flat', () => {
  const dst = d.zeros([3, 4], { dtype: 'f64', device: 'reference' });
  const before = d.memory();
  const src = d.tensor([[1.5, -2], [3, 4.25], [5, 6]], { device: 'wasm' });
  const middle = dst.slice(1, 1, 3);
  expect(d.copyInto(middle, src)).toBe(middle);
  d.dispose([src, middle]);
  expect(dst.toArray()).toEqual([[0, 1.5, -2, 0], [0, 3, 4.25, 0], [0, 5, 6, 0]]);
  expect(d.memory()).toEqual(before);
  dst.dispose();
});

test('copyInto rejects another shape with a DescentError naming both, and writes nothing', () => {
  const dst = d.zeros([2, 2]);
  const src = d.ones([4]);
  expect(() => d.copyInto(dst, src)).toThrow(/expected src of shape \[2, 2\] \(dst's\), got \[4\]/);
  expect(() => d.copyInto(dst, [1, 2] as never)).toThrow(d.DescentError);
  expect(dst.toArray()).toEqual([[0, 0], [0, 0]]);
  d.dispose([dst, src]);
});

test.each(['wasm', 'reference'] as const)('fill_ sets a whole tensor or a strided view, converting like a copy (%s)', (device) => {
  const t = d.zeros([2, 3], { device });
  d.fill_(t, 2.5);
  expect(t.toArray()).toEqual([[2.5, 2.5, 2.5], [2.5, 2.5, 2.5]]);
  d.fill_(t.slice(1, 0, null, 2), -1);
  expect(t.toArray()).toEqual([[-1, 2.5, -1], [-1, 2.5, -1]]);
  const i = d.zeros([3], { dtype: 'i32', device });
  d.fill_(i, 7.9);
  expect(i.toArray()).toEqual([7, 7, 7]);
  expect(() => d.fill_(t, '1' as never)).toThrow(/fill_: expected a number/);
  d.dispose([t, i]);
});
