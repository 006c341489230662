// Property-based fuzzing (fast-check): random op calls with random shapes, dtypes, devices,
// values (specials included) and arguments. Each call either equals the same call on the
// reference device (within the dtype's tolerance) or throws a DescentError on both devices alike;
// after a rejected call memory() and every input's bytes are unchanged. Fixed seed in CI;
// FUZZ_RUNS=N (and FUZZ_SEED) run longer. Shrunk counterexamples become tests in the subject's file.

import fc from 'fast-check';
import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { expectClose } from './helpers/compare.js';

const F = d.nn.functional;
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

interface Args { axis: number; keepdim: boolean; p: number; lo: number; hi: number; k: number; reduction: 'mean' | 'sum' | 'none' }
type Call = (xs: d.Tensor[], a: Args) => d.Tensor;
const ns = d as unknown as Record<string, (...x: unknown[]) => d.Tensor>;

/** [arity, call]: the ops under test, called the way a user would. */
const OPS: Record<string, [number, Call]> = {
  ...Object.fromEntries(['neg', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu',
    'gelu', 'silu', 'sign', 'square', 'reciprocal', 'floor', 'ceil', 'round'].map((n) => [n, [1, (xs) => ns[n](xs[0])]])),
  ...Object.fromEntries(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge']
    .map((n) => [n, [2, (xs) => ns[n](xs[0], xs[1])]])),
  ...Object.fromEntries(['sum', 'prod', 'mean', 'max', 'min', 'logsumexp', 'var', 'std']
    .map((n) => [n, [1, (xs, a) => ns[n](xs[0], a.axis, { keepdim: a.keepdim })]])),
  argmax: [1, (xs, a) => d.argmax(xs[0], a.axis, { keepdim: a.keepdim })],
  norm: [1, (xs, a) => d.norm(xs[0], a.p, a.axis)],
  clamp: [1, (xs, a) => d.clamp(xs[0], a.lo, a.hi)],
  where: [3, (xs) => d.where(xs[0], xs[1], xs[2])],
  matmul: [2, (xs) => d.matmul(xs[0], xs[1])],
  cat: [2, (xs, a) => d.cat([xs[0], xs[1]], a.axis)],
  stack: [2, (xs, a) => d.stack([xs[0], xs[1]], a.axis)],
  transpose: [1, (xs, a) => d.tidy(() => xs[0].transpose(a.axis, a.k).contiguous())], // tidy: the view is ours
  reshape: [1, (xs, a) => xs[0].reshape([a.k, -1])],
  slice: [1, (xs, a) => d.tidy(() => xs[0].slice(a.axis, a.k, a.k + 2).contiguous())],
  softmax: [1, (xs, a) => F.softmax(xs[0], a.axis)],
  logSoftmax: [1, (xs, a) => F.logSoftmax(xs[0], a.axis)],
  mseLoss: [2, (xs, a) => F.mseLoss(xs[0], xs[1], { reduction: a.reduction })],
  l1Loss: [2, (xs, a) => F.l1Loss(xs[0], xs[1], { reduction: a.reduction })],
  crossEntropy: [2, (xs, a) => F.crossEntropy(xs[0], xs[1], { reduction: a.reduction })],
  nllLoss: [2, (xs, a) => F.nllLoss(xs[0], xs[1], { reduction: a.reduction })],
  smoothL1Loss: [2, (xs, a) => F.smoothL1Loss(xs[0], xs[1], { reduction: a.reduction, beta: a.hi })],
  binaryCrossEntropyWithLogits: [2, (xs, a) => F.binaryCrossEntropyWithLogits(xs[0], xs[1], { reduction: a.reduction })],
  hingeEmbeddingLoss: [2, (xs, a) => F.hingeEmbeddingLoss(xs[0], xs[1], { reduction: a.reduction, margin: a.lo })],
  klDiv: [2, (xs, a) => F.klDiv(xs[0], xs[1], { reduction: a.reduction })],
  gather: [2, (xs, a) => d.gather(xs[0], a.axis, xs[1])],
  indexSelect: [2, (xs, a) => d.indexSelect(xs[0], a.axis, xs[1])],
  scatterAdd: [3, (xs, a) => d.scatterAdd(xs[0], a.axis, xs[1], xs[2])],
  expand: [1, (xs, a) => d.tidy(() => xs[0].expand([a.k + 1, ...xs[0].shape]).contiguous())],
  squeeze: [1, (xs, a) => d.tidy(() => xs[0].squeeze(a.axis).contiguous())],
  layerNorm: [1, (xs, a) => F.layerNorm(xs[0], [...xs[0].shape].slice(a.k < 0 ? 0 : Math.min(a.k, xs[0].ndim)))],
  linear: [3, (xs) => F.linear(xs[0], xs[1], xs[2])],
};

const SPECIALS = [0, -0, 1, -1, Infinity, -Infinity, NaN, 0.5];
const dims = fc.array(fc.constantFrom(0, 1, 1, 2, 3, 4), { maxLength: 3 });
const operand = fc.record({
  shape: dims,
  dtype: fc.constantFrom<d.DType>('f32', 'f32', 'f64', 'i32'),
  device: fc.constantFrom<d.Device>('wasm', 'wasm', 'wasm', 'reference'),
  seed: fc.nat(),
  special: fc.boolean(),
});
const callArb = fc.record({
  op: fc.constantFrom(...Object.keys(OPS)),
  inputs: fc.array(operand, { minLength: 3, maxLength: 3 }),
  sameShape: fc.boolean(),
  grad: fc.boolean(),
  args: fc.record({
    axis: fc.integer({ min: -3, max: 3 }), keepdim: fc.boolean(), p: fc.constantFrom(1, 2, 3, Infinity, 0),
    lo: fc.constantFrom(-1, 0, 0.5), hi: fc.constantFrom(0, 1, 2), k: fc.integer({ min: -1, max: 3 }),
    reduction: fc.constantFrom<'mean' | 'sum' | 'none'>('mean', 'sum', 'none'),
  }),
});
type Spec = typeof operand extends fc.Arbitrary<infer T> ? T : never;
type Case = typeof callArb extends fc.Arbitrary<infer T> ? T : never;

function values(s: Spec, n: number): number[] {
  let a = s.seed >>> 0;
  const next = (): number => { a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return a / 2 ** 32; };
  return Array.from({ length: n }, () => (s.special && next() < 0.3 ? SPECIALS[Math.floor(next() * SPECIALS.length)] : 4 * next() - 2));
}

function build(s: Spec, shape: number[], device: d.Device, requiresGrad: boolean): d.Tensor {
  const n = shape.reduce((x, y) => x * y, 1);
  const v = values(s, n);
  if (s.dtype === 'i32') return d.tensor(Int32Array.from(v, (x) => (Number.isFinite(x) ? Math.round(x + 1) : 0)), { shape, device });
  return d.tensor(s.dtype === 'f64' ? Float64Array.from(v) : Float32Array.from(v), { shape, device, dtype: s.dtype, requiresGrad });
}

/** Backward of Σ out·g (g = 1, 1.5, 2, …) on both devices; the inputs' gradients must agree. */
function compareGrads(op: string, got: d.Tensor, want: d.Tensor, xs: d.Tensor[], refs: d.Tensor[], tol: { rtol: number; atol: number }): void {
  if (!got.requiresGrad) return;
  for (const out of [got, want]) {
    const g = d.tensor(Float64Array.from({ length: out.size }, (_, i) => 1 + 0.5 * (i % 3)), { dtype: out.dtype, device: out.device, shape: [...out.shape] });
    out.backward(g);
    g.dispose();
  }
  xs.forEach((x, i) => {
    if (x.grad === null) return expect(refs[i].grad, `${op}: grad of input ${i} only on reference`).toBeNull();
    expectClose(x.grad.dataSync(), refs[i].grad!.dataSync(), tol, `${op}: grad of input ${i}`);
  });
}

const memory = (): string => JSON.stringify(Object.entries(d.memory()).sort(([a], [b]) => a.localeCompare(b)));
const bytesOf = (xs: d.Tensor[]): string => JSON.stringify(xs.map((t) => Array.from(t.dataSync(), (v) => (Number.isNaN(v) ? 'NaN' : v))));
const TOL: Record<string, { rtol: number; atol: number }> = { f64: { rtol: 1e-9, atol: 1e-9 }, f32: { rtol: 1e-4, atol: 1e-4 }, i32: { rtol: 0, atol: 0 } };

/** Runs a call; returns the result's values, or the DescentError, and checks what a rejection promises. */
function attempt(op: string, xs: d.Tensor[], a: Args): { out: d.Tensor } | { err: d.DescentError } {
  const mem = memory();
  const bytes = bytesOf(xs);
  try {
    return { out: OPS[op][1](xs, a) };
  } catch (e) {
    expect(e, `${op} threw a non-DescentError: ${String(e)}`).toBeInstanceOf(d.DescentError);
    expect(memory(), `${op}: memory() after a rejected call`).toBe(mem);
    expect(bytesOf(xs), `${op}: inputs after a rejected call`).toBe(bytes);
    return { err: e as d.DescentError };
  }
}

const tally = { compared: 0, rejected: 0, mixed: 0 };

function check(c: Case): void {
  const arity = OPS[c.op][0];
  const specs = c.inputs.slice(0, arity);
  const shapes = specs.map((s) => (c.sameShape ? specs[0].shape : s.shape));
  const xs = specs.map((s, i) => build(s, shapes[i], s.device, c.grad));
  const refs = specs.map((s, i) => build(s, shapes[i], 'reference', c.grad));
  try {
    const got = attempt(c.op, xs, c.args);
    const want = attempt(c.op, refs, c.args);
    const mixed = new Set(specs.map((s) => s.device)).size > 1;
    if (mixed) {
      expect('err' in got, `${c.op} on mixed devices must be rejected`).toBe(true);
      tally.mixed++;
      if ('out' in want) want.out.dispose();
      return;
    }
    if ('err' in want || 'err' in got) {
      expect('err' in got ? got.err.code : 'ok', `${c.op}: devices disagree on rejecting`).toBe('err' in want ? want.err.code : 'ok');
      if ('out' in got) got.out.dispose();
      if ('out' in want) want.out.dispose();
      tally.rejected++;
      return;
    }
    expect(got.out.shape).toEqual(want.out.shape);
    expect(got.out.dtype).toBe(want.out.dtype);
    // f32 anywhere in the inputs bounds the accuracy, whatever the result's dtype
    const tol = specs.some((sp) => sp.dtype === 'f32') && got.out.dtype !== 'i32' ? TOL.f32 : TOL[got.out.dtype];
    expectClose(got.out.dataSync(), want.out.dataSync(), tol, c.op);
    compareGrads(c.op, got.out, want.out, xs, refs, tol);
    d.dispose([got.out, want.out]);
    tally.compared++;
  } finally {
    for (const t of [...xs, ...refs]) t.grad?.dispose();
    d.dispose([...xs, ...refs]);
  }
}

beforeAll(async () => {
  await d.init();
});

test(`random op calls equal the reference device or are rejected cleanly (${RUNS} runs, seed ${SEED})`, () => {
  const start = memory();
  fc.assert(fc.property(callArb, (c) => {
    const before = memory();
    check(c);
    expect(memory(), 'every tensor of the run freed').toBe(before);
  }), { seed: SEED, numRuns: RUNS });
  expect(memory()).toBe(start);
  console.log(`fuzz: ${JSON.stringify(tally)}`);
  expect(tally.compared, 'the generator must reach the numbers, not only the checks').toBeGreaterThan(RUNS / 4);
});
