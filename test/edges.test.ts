// Every public op at its non-differentiable and degenerate points (0, ±0, ties, ±inf, NaN, empty
// and size-1 dims, all-ignored targets) against PyTorch 1.13: forward values and the gradients of
// sum(out · g), on the reference and wasm devices, in f64 and f32. Fixture: gen_edges.py.
// Where torch raises, descent must throw a DescentError (and leave memory() as it was).

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { expectClose } from './helpers/compare.js';

interface Enc { shape: number[]; data: (number | string)[]; int?: boolean; grad?: boolean }
interface Result { out?: Enc; grads?: (Enc | null)[]; error?: string }
interface Case { op: string; args: Record<string, unknown>; inputs: Enc[]; f64: Result; f32: Result }

const fx = JSON.parse(readFileSync(new URL('./fixtures/edges.json', import.meta.url), 'utf8')) as { cases: Case[] };
const F = d.nn.functional;
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const values = (e: Enc): number[] => e.data.map(num);

type Op = (xs: d.Tensor[], a: Record<string, unknown>) => d.Tensor;
const unary = (name: string): Op => (xs) => (d as unknown as Record<string, (x: d.Tensor) => d.Tensor>)[name](xs[0]);
const binary = (name: string): Op => (xs) => (d as unknown as Record<string, (a: d.Tensor, b: d.Tensor) => d.Tensor>)[name](xs[0], xs[1]);
const reduce = (name: string): Op => (xs, a) => (d as unknown as Record<string, (x: d.Tensor, ax: number) => d.Tensor>)[name](xs[0], a.axis as number);
const loss = (name: string): Op => (xs, a) => (F as unknown as Record<string, (x: d.Tensor, y: d.Tensor, o: object) => d.Tensor>)[name](xs[0], xs[1], a);

const OPS: Record<string, Op> = {
  ...Object.fromEntries(['neg', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu',
    'gelu', 'silu', 'sign', 'square', 'reciprocal', 'floor', 'ceil', 'round'].map((n) => [n, unary(n)])),
  ...Object.fromEntries(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'].map((n) => [n, binary(n)])),
  ...Object.fromEntries(['sum', 'prod', 'mean', 'max', 'min', 'logsumexp'].map((n) => [n, reduce(n)])),
  where: (xs) => d.tidy(() => d.where(d.gt(xs[0], 0), xs[1], xs[2])),
  clamp: (xs, a) => d.clamp(xs[0], a.min as number | null, a.max as number | null),
  var: (xs, a) => d.var(xs[0], a.axis as number, { correction: a.correction as number }),
  std: (xs, a) => d.std(xs[0], a.axis as number, { correction: a.correction as number }),
  norm: (xs, a) => d.norm(xs[0], num(a.p as number | string), a.axis as number),
  softmax: (xs, a) => F.softmax(xs[0], a.dim as number),
  logSoftmax: (xs, a) => F.logSoftmax(xs[0], a.dim as number),
  ...Object.fromEntries(['mseLoss', 'l1Loss', 'smoothL1Loss', 'huberLoss', 'binaryCrossEntropyWithLogits', 'binaryCrossEntropy',
    'hingeEmbeddingLoss', 'klDiv', 'multiMarginLoss', 'nllLoss', 'crossEntropy'].map((n) => [n, loss(n)])),
};

const TOL = { f64: { rtol: 1e-9, atol: 1e-12 }, f32: { rtol: 2e-5, atol: 2e-6 } };

beforeAll(async () => {
  await d.init();
});

function replay(c: Case, device: d.Device, dtype: 'f64' | 'f32'): void {
  const want = c[dtype];
  if (c.op === 'linspace') {
    const a = c.args as { start: number; end: number; steps: number };
    const t = d.linspace(a.start, a.end, a.steps, { device, dtype });
    expectClose(t.dataSync(), values(want.out!), TOL[dtype], 'linspace');
    t.dispose();
    return;
  }
  const xs = c.inputs.map((e) => (e.int
    ? d.tensor(Int32Array.from(values(e)), { shape: e.shape, device })
    : d.tensor(dtype === 'f64' ? Float64Array.from(values(e)) : Float32Array.from(values(e)),
      { shape: e.shape, device, requiresGrad: e.grad !== false })));
  const before = JSON.stringify(d.memory());
  try {
    if (want.error !== undefined) {
      expect(() => OPS[c.op](xs, c.args), `torch raises: ${want.error}`).toThrow(d.DescentError);
      expect(JSON.stringify(d.memory())).toBe(before);
      return;
    }
    const out = OPS[c.op](xs, c.args);
    expect(out.shape).toEqual(want.out!.shape);
    expectClose(out.dataSync(), values(want.out!), TOL[dtype], 'forward');
    if (want.grads === undefined) return void out.dispose();
    const g = d.tensor(Array.from({ length: out.size }, (_, i) => 1 + 0.5 * (i % 3)), { device, dtype }).reshape(out.shape);
    out.backward(g);
    want.grads.forEach((wg, i) => {
      if (wg === null) return;
      const got = xs[i].grad;
      expect(got, `input ${i} has a gradient`).not.toBeNull();
      expectClose(got!.dataSync(), values(wg), TOL[dtype], `grad of input ${i}`);
    });
    d.dispose([out, g]);
  } finally {
    for (const x of xs) { x.grad?.dispose(); x.dispose(); }
  }
}

const label = (c: Case): string => `${c.op} ${JSON.stringify(c.args)} ${c.inputs.map((e) => `[${e.shape}]${JSON.stringify(e.data).slice(0, 40)}`).join(' ')}`;

// One test per device and dtype (the per-test overhead of 672 tiny tests was most of the time);
// every differing case is listed, not only the first.
describe.each(['reference', 'wasm'] as const)('edges equal PyTorch on %s', (device) => {
  test.each(['f64', 'f32'] as const)(`${fx.cases.length} cases in %s`, (dtype) => {
    const failures: string[] = [];
    for (const c of fx.cases) {
      try {
        replay(c, device, dtype);
      } catch (e) {
        failures.push(`${label(c)}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
