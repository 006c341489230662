// gradcheck for every primitive op of ts/ops (and the composites built on them), first and
// second order, against central differences in f64 on the reference device.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
d.manualSeed(7);
beforeAll(async () => {
  await d.init({ device: 'wasm' }); // for the device-move case; every other input is on 'reference'
  d.manualSeed(7);
});
const rn = (shape: number[]) => d.randn(shape, ref);
/** Values in [lo, hi): keeps logs, roots and powers on their smooth domain. */
const ru = (shape: number[], lo = 0.5, hi = 2) => d.rand(shape, ref).mul(hi - lo).add(lo);
const idx = (data: number[] | number[][]) => d.tensor(data, { device: 'reference', dtype: 'i32' });

type Case = [name: string, fn: (...xs: d.Tensor[]) => d.Tensor, inputs: () => d.Tensor[], opts?: d.GradcheckOptions];

/** Second order through the public gradgradcheck (vᵀJ checked against finite differences). */
const gradgradcheck = (fn: (...xs: d.Tensor[]) => d.Tensor, inputs: d.Tensor[], opts?: d.GradcheckOptions): boolean =>
  d.gradgradcheck(fn, inputs, opts);

const unary: Case[] = [
  ...(['neg', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'gelu', 'silu', 'square', 'expm1', 'erf'] as const)
    .map((op): Case => [op, (x) => x[op](), () => [rn([2, 3])]]),
  ...(['log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal'] as const).map((op): Case => [op, (x) => x[op](), () => [ru([2, 3])]]),
  ['abs', (x) => x.abs(), () => [ru([5], 0.1, 1).mul(d.tensor([1, -1, 1, -1, 1], ref))]],
  ['relu', (x) => x.relu(), () => [ru([4], 0.1, 1).mul(d.tensor([1, -1, 1, -1], ref))]],
  ['gelu at 0', (x) => x.gelu(), () => [d.tensor([0, 1e-3, -2], ref)]],
  ...(['sign', 'floor', 'ceil', 'round'] as const)
    .map((op): Case => [op, (x) => x[op](), () => [d.tensor([0.3, -1.2, 2.7, -0.4], ref)]]),
];

const binary: Case[] = [
  ...(['add', 'sub', 'mul', 'div'] as const).flatMap((op): Case[] => [
    [`${op} same shape`, (a, b) => a[op](b), () => [rn([2, 3]), ru([2, 3])]],
    [`${op} broadcast [2,1,3]·[4,1]`, (a, b) => a[op](b), () => [rn([2, 1, 3]), ru([4, 1])]],
    [`${op} with a number`, (a) => a[op](1.5), () => [rn([3])]],
  ]),
  ['pow tensor^tensor', (a, b) => a.pow(b), () => [ru([2, 3]), rn([2, 3])]],
  ['pow broadcast exponent', (a, b) => a.pow(b), () => [ru([2, 3]), rn([3])]],
  ['pow x^3 (negative base)', (a) => a.pow(3), () => [rn([4])]],
  ['number^x', (a) => d.pow(2, a), () => [rn([4])]],
  ['x^0 at 0', (a) => a.pow(0), () => [d.tensor([0, 1.5], ref)]],
  ['x^y, y = 0 at x = 0', (a, b) => a.pow(b), () => [d.tensor([0, 0.5, 2], { ...ref, requiresGrad: true }), d.tensor([0, 0, 1], ref)]],
  ['maximum', (a, b) => a.maximum(b), () => [rn([3, 2]), rn([2])]],
  ['minimum', (a, b) => a.minimum(b), () => [rn([3, 2]), rn([3, 1])]],
];

const selects: Case[] = [
  ['where (broadcast)', (a, b) => d.where(idx([1, 0, 1]), a, b), () => [rn([2, 3]), rn([3])]],
  ['where with a number', (a) => d.where(a.gt(0), a, 0.5), () => [rn([5])]],
  ['clamp both', (a) => a.clamp(-0.5, 0.5), () => [d.tensor([-1, -0.2, 0.1, 0.7], ref)]],
  ['clamp min only', (a) => a.clamp(0), () => [d.tensor([-1, 0.2, 0.1, 0.7], ref)]],
];

const reductions: Case[] = [
  ['sum all', (x) => x.sum(), () => [rn([2, 3])]],
  ['sum axes [0,2] keepdim', (x) => x.sum([0, 2], { keepdim: true }), () => [rn([2, 3, 2])]],
  ['prod axis 1', (x) => x.prod(1), () => [ru([2, 3])]],
  ['prod all', (x) => x.prod(), () => [ru([4])]],
  ['prod with one zero per row', (x) => x.prod(1), () => [d.tensor([[0, 2, -1.5], [0.5, 0, 3]], ref)]],
  ['prod with two zeros', (x) => x.prod(0, { keepdim: true }), () => [d.tensor([[0, 2], [0, 3], [1.5, 0.5]], ref)]],
  ['prod with three zeros', (x) => x.prod(), () => [d.tensor([0, 2, 0, 0], ref)]],
  ['max all', (x) => x.max(), () => [rn([2, 3])]],
  ['max axis -1', (x) => x.max(-1), () => [rn([3, 4])]],
  ['min axis 0 keepdim', (x) => x.min(0, { keepdim: true }), () => [rn([3, 4])]],
  ['mean axis 1', (x) => x.mean(1), () => [rn([2, 5])]],
  ['var (correction 1)', (x) => x.var(1), () => [rn([2, 5])]],
  ['var correction 0', (x) => x.var(null, { correction: 0 }), () => [rn([6])]],
  ['std axis 0 keepdim', (x) => x.std(0, { keepdim: true }), () => [rn([4, 2])]],
  ['norm p=2 all', (x) => x.norm(), () => [rn([2, 3])]],
  ['norm p=2 axis 1', (x) => x.norm(2, 1), () => [rn([2, 3])]],
  ['norm p=1', (x) => x.norm(1, 1), () => [ru([2, 3]).mul(d.tensor([1, -1, 1], ref))]],
  ['norm p=inf', (x) => x.norm(Infinity, 1), () => [rn([2, 3])]],
  ['norm p=-inf', (x) => x.norm(-Infinity), () => [rn([5])]],
  ['norm p=3', (x) => x.norm(3, 0), () => [rn([4, 2])]],
  ['logsumexp axis 1', (x) => x.logsumexp(1), () => [rn([3, 4])]],
  ['logsumexp big values', (x) => x.logsumexp(0, { keepdim: true }), () => [rn([4, 2]).mul(300)]],
];

const shapes: Case[] = [
  ['reshape', (x) => x.reshape([3, 2]), () => [rn([2, 3])]],
  ['reshape of a transpose (copy)', (x) => x.transpose().reshape([6]), () => [rn([2, 3])]],
  ['view', (x) => x.view([6]), () => [rn([2, 3])]],
  ['flatten', (x) => x.flatten(1), () => [rn([2, 2, 2])]],
  ['squeeze/unsqueeze', (x) => x.unsqueeze(1).squeeze(2), () => [rn([3, 1])]],
  ['transpose', (x) => x.transpose(0, 2), () => [rn([2, 3, 2])]],
  ['permute', (x) => x.permute([2, 0, 1]), () => [rn([2, 3, 2])]],
  ['slice with step', (x) => x.slice(1, 1, null, 2), () => [rn([2, 5])]],
  ['slice negative', (x) => x.slice(0, -2), () => [rn([4, 2])]],
  ['narrow', (x) => x.narrow(1, 1, 2), () => [rn([2, 4])]],
  ['expand', (x) => x.expand([2, 3, 4]), () => [rn([3, 1])]],
  ['contiguous of a view', (x) => x.transpose().contiguous(), () => [rn([2, 3])]],
  ['clone', (x) => x.clone(), () => [rn([3])]],
  // f32 rounding (~1e-7) needs a wide step for the finite differences.
  ['to f32 and back', (x) => x.to('f32').to('f64').mul(1), () => [ru([3], 1, 2)], { eps: 1e-2, atol: 1e-4 }],
  ['to wasm and back', (x) => x.to('wasm').exp().to('reference'), () => [rn([2, 2])]],
  ['cat dim 1', (a, b) => d.cat([a, b, a], 1), () => [rn([2, 1]), rn([2, 3])]],
  ['stack dim -1', (a, b) => d.stack([a, b], -1), () => [rn([2, 3]), rn([2, 3])]],
  ['split', (x) => { const [p, q] = x.split([1, 2], 1); return p.mul(q.sum(1, { keepdim: true })); }, () => [rn([2, 3])]],
  ['chunk', (x) => d.cat(x.chunk(2, 0).map((c, i) => c.mul(i + 1))), () => [rn([5, 2])]],
];

const indexing: Case[] = [
  ['gather dim 1', (x) => x.gather(1, idx([[0, 2, 2], [1, 1, 0]])), () => [rn([2, 3])]],
  ['gather dim 0', (x) => x.gather(0, idx([[1, 0, 1]])), () => [rn([2, 3])]],
  ['indexSelect repeats', (x) => x.indexSelect(0, [2, 0, 2]), () => [rn([3, 2])]],
  ['scatterAdd (x and src)', (x, s) => x.scatterAdd(1, idx([[0, 0], [2, 1]]), s), () => [rn([2, 3]), rn([2, 2])]],
];

const linalg: Case[] = [
  ['matmul 2-D', (a, b) => a.matmul(b), () => [rn([2, 3]), rn([3, 4])]],
  ['matmul by a transposed row-major b (Linear)', (a, w) => a.matmul(w.transpose(0, 1)), () => [rn([5, 3]), rn([4, 3])]],
  ['matmul batched', (a, b) => a.matmul(b), () => [rn([2, 2, 3]), rn([2, 3, 2])]],
  ['matmul broadcast batch', (a, b) => a.matmul(b), () => [rn([2, 1, 2, 3]), rn([3, 3, 2])]],
  ['matmul vector·vector', (a, b) => a.matmul(b), () => [rn([3]), rn([3])]],
  ['matmul matrix·vector', (a, b) => a.matmul(b), () => [rn([2, 3]), rn([3])]],
  ['matmul vector·batched', (a, b) => a.matmul(b), () => [rn([3]), rn([2, 3, 2])]],
];

const groups: [string, Case[]][] = [
  ['unary', unary], ['binary', binary], ['where/clamp', selects], ['reductions', reductions],
  ['shape ops', shapes], ['indexing', indexing], ['matmul', linalg],
];

for (const [group, cases] of groups) {
  describe(group, () => {
    test.each(cases)('%s', (_name, fn, inputs, opts) => {
      expect(d.gradcheck(fn, inputs(), opts)).toBe(true);
    });
    test.each(cases)('%s (second order)', (_name, fn, inputs, opts) => {
      expect(gradgradcheck(fn, inputs(), opts)).toBe(true);
    });
  });
}

test('every input of a multi-input op is checked, including broadcast ones', () => {
  const f = (a: d.Tensor, b: d.Tensor, c: d.Tensor) => a.mul(b).add(c).tanh().sum(0);
  expect(d.gradcheck(f, [rn([3, 2]), rn([2]), rn([3, 1])])).toBe(true);
});
