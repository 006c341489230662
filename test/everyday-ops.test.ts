// The everyday ops of issue 8 on random awkward shapes: wasm against the reference device
// (values, indices and gradients), gradcheck / gradgradcheck in f64 on reference, and the
// behaviours torch fixtures cannot pin (stability, NaN order, sorted: false, zeros in cumprod,
// randperm's seeded stream).

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { expectClose, make, randomValues, sizeOf } from './helpers/compare.js';

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

const SHAPES: number[][] = [[1], [3, 17], [2, 5, 9], [129], [4, 1, 6]];
const LOOSE = { rtol: 1e-5, atol: 1e-6 };

/** Runs `run` on the same data on both devices; compares every output and the input's gradient. */
function parity(what: string, shape: number[], seed: number, run: (x: d.Tensor) => d.Tensor[], values?: number[]): void {
  const data = values ?? randomValues(sizeOf(shape), seed);
  d.tidy(() => {
    const [ref, got] = (['reference', 'wasm'] as const).map((device) => {
      const x = make(shape, data, 'f32', device).requiresGrad_();
      const outs = run(x);
      const float = outs.find((o) => o.dtype !== 'i32' && o.requiresGrad);
      float?.backward(make([...float.shape], randomValues(float.size, seed + 1), 'f32', device));
      return { outs, grad: x.grad };
    });
    ref.outs.forEach((o, i) => {
      expect(got.outs[i].shape, `${what} out ${i} shape`).toEqual(o.shape);
      expectClose(got.outs[i].dataSync(), o.dataSync(), LOOSE, `${what} out ${i}`);
    });
    if (ref.grad) expectClose(got.grad!.dataSync(), ref.grad.dataSync(), LOOSE, `${what} grad`);
  });
}

const dims = (shape: number[]): number[] => shape.map((_, i) => i - shape.length);

describe('wasm matches the reference device', () => {
  test.each(SHAPES)('sort, argsort, topk along every dim of %j', (...shape) => {
    for (const dim of dims(shape)) {
      for (const descending of [false, true]) {
        parity(`sort ${dim} ${descending}`, shape, 1, (x) => { const r = d.sort(x, dim, { descending }); return [r.values, r.indices]; });
        parity(`argsort ties ${dim}`, shape, 2, (x) => [d.argsort(x, dim, { descending })], randomValues(sizeOf(shape), 2).map(Math.round));
      }
      for (const [k, sorted] of [[0, true], [1, false], [shape.at(dim)!, false], [Math.ceil(shape.at(dim)! / 2), true]] as const) {
        parity(`topk ${k} ${dim}`, shape, 3, (x) => { const r = d.topk(x, k, dim, { sorted }); return [r.values, r.indices]; });
      }
    }
  });

  test.each(SHAPES)('cumsum and cumprod along every dim of %j', (...shape) => {
    const withZeros = randomValues(sizeOf(shape), 4).map((v, i) => (i % 5 === 2 ? 0 : v / 2));
    for (const dim of dims(shape)) {
      parity(`cumsum ${dim}`, shape, 5, (x) => [d.cumsum(x, dim)]);
      parity(`cumprod ${dim}`, shape, 6, (x) => [d.cumprod(x, dim)], withZeros);
    }
  });

  test.each(SHAPES)('softplus, logSigmoid, clamp, maskedFill, tril, triu of %j', (...shape) => {
    const wide = randomValues(sizeOf(shape), 7, -40, 40);
    parity('softplus', shape, 7, (x) => [d.softplus(x), d.softplus(x, { beta: 3, threshold: 2 })], wide);
    parity('logSigmoid', shape, 7, (x) => [d.logSigmoid(x)], wide);
    parity('clamp', shape, 8, (x) => [d.clamp(x, d.zerosLike(x).sub(0.5), d.tensor(1, { device: x.device }))]);
    parity('maskedFill', shape, 9, (x) => [d.maskedFill(x, x.gt(0.5), -2)]);
    if (shape.length >= 2) {
      for (const k of [-2, 0, 3]) parity(`tril/triu ${k}`, shape, 10, (x) => [d.tril(x, k), d.triu(x, k)]);
    }
  });

  test('diag, diagonal, outer, einsum, meshgrid, oneHot', () => {
    for (const k of [-2, 0, 1]) {
      parity(`diag vector ${k}`, [5], 11, (x) => [d.diag(x, k)]);
      parity(`diag matrix ${k}`, [4, 7], 12, (x) => [d.diag(x, k)]);
      parity(`diagonal ${k}`, [3, 4, 5], 13, (x) => [d.diagonal(x, k, 2, 0)]);
    }
    parity('outer', [7], 14, (x) => [d.outer(x, x.mul(2))]);
    const specs: [string, number[], number[] | null][] = [
      ['ab,bc->ac', [3, 7], [7, 4]], ['abc,cd->dba', [3, 5, 7], [7, 2]], ['ab,ab->', [3, 7], [3, 7]],
      ['aab,bc->c', [3, 3, 7], [7, 4]], ['abc->cb', [3, 5, 7], null], ['ab,cb', [3, 7], [5, 7]], ['aa->a', [6, 6], null], ['...ab,...bc->...ca', [2, 3, 7], [7, 4]],
    ];
    for (const [spec, sa, sb] of specs) {
      const other = sb && make(sb, randomValues(sizeOf(sb), 15), 'f32', 'reference');
      parity(`einsum ${spec}`, sa, 16, (x) => [other ? d.einsum(spec, x, other.to(x.device)) : d.einsum(spec, x)]);
    }
    parity('meshgrid', [5], 17, (x) => d.meshgrid([x, x.slice(0, 0, 3), x.sum()], { indexing: 'xy' }));
    parity('oneHot', [6], 18, (x) => [d.oneHot(x.abs().floor().to('i32'), 4)]);
  });
});

describe('gradients against finite differences (f64, reference)', () => {
  const x64 = (shape: number[], seed: number, lo = -2, hi = 2): d.Tensor => make(shape, randomValues(sizeOf(shape), seed, lo, hi), 'f64', 'reference');

  test('sort, topk and the scans', () => {
    d.tidy(() => {
      expect(d.gradcheck((x) => d.sort(x, 1, { descending: true }).values, [x64([3, 5], 20)])).toBe(true);
      expect(d.gradcheck((x) => d.topk(x, 2, 0, { sorted: false }).values, [x64([4, 3], 21)])).toBe(true);
      expect(d.gradgradcheck((x) => d.cumsum(x, 0), [x64([3, 2], 22)])).toBe(true);
      expect(d.gradgradcheck((x) => d.cumprod(x, -1), [x64([2, 4], 23)])).toBe(true);
      const zeros = d.tensor([[0, 1.5, -2, 0.5], [0.7, 0, 0, 2], [1.1, -0.4, 0.9, 0]], { dtype: 'f64', device: 'reference' });
      expect(d.gradgradcheck((x) => d.cumprod(x, 1), [zeros])).toBe(true);
      expect(d.gradgradcheck((x) => d.cumprod(x, 0), [zeros])).toBe(true);
    });
  });

  test('softplus, logSigmoid, clamp by tensors, maskedFill', () => {
    d.tidy(() => {
      const x = x64([11], 24, -6, 6);
      expect(d.gradgradcheck((t) => d.softplus(t, { beta: 1.5, threshold: 4 }), [x])).toBe(true);
      expect(d.gradgradcheck((t) => d.logSigmoid(t), [x])).toBe(true);
      const lo = x64([3, 1], 25, -1.5, -0.5);
      const hi = x64([4], 26, 0.5, 1.5);
      expect(d.gradcheck((t, a, b) => d.clamp(t, a, b), [x64([3, 4], 27), lo, hi])).toBe(true);
      const value = d.tensor(0.3, { dtype: 'f64', device: 'reference' });
      const mask = d.tensor([[1, 0, 0, 1]], { dtype: 'i32', device: 'reference' });
      expect(d.gradcheck((t, v) => d.maskedFill(t, mask, v), [x64([3, 4], 28), value])).toBe(true);
    });
  });

  test('tril, triu, diag, diagonal, outer, einsum, meshgrid', () => {
    d.tidy(() => {
      expect(d.gradcheck((t) => d.tril(t, -1).add(d.triu(t, 2)), [x64([2, 3, 4], 29)])).toBe(true);
      expect(d.gradgradcheck((t) => d.diag(d.diag(t, 1).square(), -1), [x64([4, 5], 30)])).toBe(true);
      expect(d.gradcheck((t) => d.diagonal(t, -1, 0, 2), [x64([4, 2, 3], 31)])).toBe(true);
      expect(d.gradcheck((a, b) => d.outer(a, b), [x64([3], 32), x64([4], 33)])).toBe(true);
      expect(d.gradgradcheck((a, b) => d.einsum('bij,bjk->bik', a, b).square(), [x64([2, 3, 4], 34), x64([2, 4, 2], 35)])).toBe(true);
      expect(d.gradcheck((a, b) => d.einsum('iij,jk->ki', a, b), [x64([3, 3, 2], 36), x64([2, 4], 37)])).toBe(true);
      expect(d.gradcheck((a, b) => d.meshgrid([a, b], { indexing: 'xy' })[0].mul(d.meshgrid([a, b])[1].sum()), [x64([3], 38), x64([2], 39)])).toBe(true);
    });
  });
});

describe('semantics the fixtures do not pin', () => {
  const list = (t: d.Tensor): number[] => [...t.dataSync()];

  test('sort is stable both ways and puts NaN last ascending, first descending (as torch)', () => {
    d.tidy(() => {
      const x = d.tensor([2, NaN, 1, 2, NaN, 1], { device: 'wasm' });
      expect(list(d.argsort(x))).toEqual([2, 5, 0, 3, 1, 4]);
      const down = d.sort(x, 0, { descending: true });
      expect(list(down.indices)).toEqual([1, 4, 0, 3, 2, 5]);
      expect(list(down.values)).toEqual([NaN, NaN, 2, 2, 1, 1]);
      expect(down.indices.dtype).toBe('i32');
    });
  });

  test('f32 lines (packed keys, quickselect) order exactly as f64 lines (comparator), every k', () => {
    d.tidy(() => {
      const special = [NaN, -0, 0, Infinity, -Infinity, 1, 1, -1, NaN, 0.5, -0, 2 ** -140];
      const values = [...special, ...randomValues(40, 41).map((v) => Math.round(v * 4) / 4)];
      for (const descending of [false, true]) {
        const want = list(d.argsort(d.tensor(values, { dtype: 'f64', device: 'reference' }), 0, { descending }));
        expect(list(d.argsort(d.tensor(values, { device: 'wasm' }), 0, { descending })), `descending ${descending}`).toEqual(want);
        const x = d.tensor(values, { device: 'wasm' });
        for (let k = 0; k <= values.length; k++) {
          expect(list(d.topk(x, k, 0, { largest: descending }).indices), `k ${k}`).toEqual(want.slice(0, k));
        }
      }
    });
  });

  test('strided, broadcast and half-precision inputs sort and scan as their f32 copies', () => {
    d.tidy(() => {
      const x = d.randn([5, 3]);
      const views = [x.transpose(), x.slice(0, 1, 5, 2), d.randn([4, 1]).expand([4, 6]), x.to('f16'), x.to('bf16')];
      for (const v of views) {
        const c = v.to('f32').contiguous();
        for (const dim of [0, 1]) {
          expect(list(d.argsort(v, dim, { descending: true }))).toEqual(list(d.argsort(c, dim, { descending: true })));
          expect(list(d.topk(v, 1, dim).values.to('f32'))).toEqual(list(d.topk(c, 1, dim).values));
          expectClose(list(d.cumsum(v, dim).to('f32')), list(d.cumsum(c, dim).to(v.dtype).to('f32')), LOOSE, `cumsum ${v.dtype}`);
        }
      }
    });
  });

  test('topk with sorted: false keeps the chosen entries in index order', () => {
    d.tidy(() => {
      const x = d.tensor([[5, 1, 4, 9, 2]], { device: 'wasm' });
      expect(list(d.topk(x, 3).indices)).toEqual([3, 0, 2]);
      const r = d.topk(x, 3, -1, { sorted: false });
      expect(list(r.indices)).toEqual([0, 2, 3]);
      expect(list(r.values)).toEqual([5, 4, 9]);
      expect(list(x.topk(2, 1, { largest: false }).values)).toEqual([1, 2]);
    });
  });

  test('a 0-d tensor sorts, tops and scans as itself', () => {
    d.tidy(() => {
      const x = d.tensor(3.5, { device: 'wasm' });
      const r = d.sort(x);
      expect([r.values.shape, r.values.item(), r.indices.item()]).toEqual([[], 3.5, 0]);
      expect(d.topk(x, 1).values.item()).toBe(3.5);
      expect(d.cumprod(x, 0).item()).toBe(3.5);
    });
  });

  test('cumsum keeps i32 and rejects a sum that leaves the i32 range', () => {
    d.tidy(() => {
      const c = d.cumsum(d.tensor([1, 2, 3], { dtype: 'i32', device: 'wasm' }), 0);
      expect([c.dtype, ...list(c)]).toEqual(['i32', 1, 3, 6]);
      expect(() => d.cumsum(d.full([3], 2 ** 30, { dtype: 'i32' }), 0)).toThrow(/does not fit dtype i32/);
    });
  });

  test('randperm is a permutation, the same on every device for a seed, and seeded', () => {
    d.tidy(() => {
      d.manualSeed(3);
      const a = list(d.randperm(100));
      d.manualSeed(3);
      const b = d.randperm(100, { device: 'reference', dtype: 'f64' });
      expect(list(b)).toEqual(a);
      expect(b.dtype).toBe('f64');
      expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(list(d.randperm(100))).not.toEqual(a); // the stream moved on
      expect([d.randperm(0).shape, list(d.randperm(1))]).toEqual([[0], [0]]);
    });
  });

  test('oneHot infers the class count, meshgrid xy swaps only the first two dims', () => {
    d.tidy(() => {
      const h = d.oneHot(d.tensor([1, 3], { dtype: 'i32' }));
      expect([h.shape, list(h)]).toEqual([[2, 4], [0, 1, 0, 0, 0, 0, 0, 1]]);
      const g = d.meshgrid([d.arange(2), d.arange(3), d.arange(4)], { indexing: 'xy' });
      expect(g.map((t) => t.shape)).toEqual([[3, 2, 4], [3, 2, 4], [3, 2, 4]]);
      expect(list(g[0].slice(2, 0, 1).flatten())).toEqual([0, 1, 0, 1, 0, 1]);
    });
  });

  test('diag of a matrix is a contiguous copy (as torch.diag); diagonal is a strided view', () => {
    d.tidy(() => {
      const m = d.arange(12, undefined, 1, { dtype: 'f32' }).reshape([3, 4]);
      const copy = d.diag(m, 1);
      const view = d.diagonal(m, 1);
      expect([copy.isContiguous(), list(copy)]).toEqual([true, [1, 6, 11]]);
      expect([view.strides, list(view)]).toEqual([[5], [1, 6, 11]]);
    });
  });

  test('einsum without an arrow orders the output lowercase first, as torch', () => {
    d.tidy(() => {
      const x = d.arange(6, undefined, 1, { dtype: 'f32' }).reshape([2, 3]);
      expect(d.einsum('Ab', x).shape).toEqual([3, 2]);
      expect(list(d.einsum('ba', x))).toEqual(list(x.transpose().contiguous()));
      expect(d.einsum('ii', d.eye(3)).item()).toBe(3);
    });
  });

  test('clamp by numbers keeps its meaning; min > max gives max', () => {
    d.tidy(() => {
      const x = d.tensor([-2, 0.5, 3], { device: 'wasm' });
      expect(list(x.clamp(0, 1))).toEqual([0, 0.5, 1]);
      expect(list(d.clip(x, 2, 1))).toEqual([1, 1, 1]);
      expect(list(x.clamp(null, d.tensor([0, 0, 5])))).toEqual([-2, 0, 3]);
    });
  });

  test('tensor methods and nn.functional give what the functions give', () => {
    d.tidy(() => {
      const x = d.randn([3, 4]);
      const v = d.randn([3]);
      const pairs: [d.Tensor, d.Tensor][] = [
        [x.sort(0, { descending: true }).values, d.sort(x, 0, { descending: true }).values], [x.argsort(), d.argsort(x)],
        [x.topk(2, 0).indices, d.topk(x, 2, 0).indices], [x.cumsum(1), d.cumsum(x, 1)], [x.cumprod(0), d.cumprod(x, 0)],
        [x.softplus({ beta: 2 }), d.softplus(x, { beta: 2 })], [x.logSigmoid(), d.logSigmoid(x)], [x.clip(-0.5, v.reshape([3, 1])), d.clamp(x, -0.5, v.reshape([3, 1]))],
        [x.maskedFill(x.gt(0), 7), d.maskedFill(x, x.gt(0), 7)], [x.tril(1), d.tril(x, 1)], [x.triu(-1), d.triu(x, -1)],
        [x.diag(1), d.diag(x, 1)], [x.diagonal(0, 1, 0), d.diagonal(x, 0, 1, 0)], [v.outer(v), d.outer(v, v)],
      ];
      pairs.push([d.nn.functional.softplus(x), d.softplus(x)], [d.nn.functional.logSigmoid(x), d.logSigmoid(x)],
        [d.nn.functional.oneHot(x.argmax(1), 4), d.oneHot(x.argmax(1), 4)]);
      pairs.forEach(([m, f], i) => expect([m.shape, list(m)], `pair ${i}`).toEqual([f.shape, list(f)]));
    });
  });

  test('memory stays flat over steps that use every op and backward', () => {
    const step = () => d.tidy(() => {
      const x = d.randn([4, 6]).requiresGrad_();
      const y = d.sort(x, 1).values.cumsum(1).add(d.topk(x, 2).values.sum()).softplus().add(d.logSigmoid(x))
        .clamp(d.zeros([6]), 5).maskedFill(x.lt(0), 0).matmul(d.tril(d.ones([6, 6]), 1)).cumprod(0);
      const z = d.einsum('ij,jk->ik', y, d.diag(d.ones([6]))).add(d.outer(d.ones([4]), d.diagonal(d.eye(6)))).sum()
        .add(d.meshgrid([x.sum(1), x.sum(0)])[0].sum()).add(d.oneHot(d.randperm(4), 4).sum());
      z.backward();
    });
    step();
    const start = d.memory();
    for (let i = 0; i < 5; i++) step();
    expect(d.memory()).toEqual(start);
  });
});
