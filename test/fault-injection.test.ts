// Fault injection: the wasm allocator's test-only hook fails the n-th allocation, for every n a
// call makes, over ops, the backward pass and optimizer steps. Each failure must surface as
// OUT_OF_MEMORY, leave the inputs' bytes (and parameters, gradients and optimizer state) as they
// were, and bring memory() back to its baseline.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { failNthAllocation } from '../ts/backend/wasm/memory.js';

const F = d.nn.functional;

beforeAll(async () => {
  await d.init({ threads: 1 });
});

/** Bytes of every tensor (and .grad) in `watch`, to prove a failed call wrote nothing. */
const snapshot = (watch: d.Tensor[]): string => JSON.stringify(watch.map((t) => [Array.from(t.dataSync()), t.grad ? Array.from(t.grad.dataSync()) : null]));

/**
 * Runs `call` with the n-th allocation failing, n = 1, 2, … until a run makes fewer than n
 * allocations (then it succeeds and the loop ends). Returns how many failures were injected.
 */
function everyFailure(call: () => unknown, watch: d.Tensor[], extra: () => string = () => ''): number {
  let n = 1;
  for (; n < 10000; n++) {
    const mem = JSON.stringify(d.memory());
    const bytes = snapshot(watch) + extra();
    failNthAllocation(n);
    let err: unknown = null;
    let out: unknown;
    try {
      out = call();
    } catch (e) {
      err = e;
    } finally {
      failNthAllocation(0);
    }
    if (err === null) {
      d.dispose(out);
      return n - 1;
    }
    expect(err, `allocation ${n}: ${String(err)}`).toBeInstanceOf(d.DescentError);
    expect((err as d.DescentError).code).toBe('OUT_OF_MEMORY');
    expect(JSON.stringify(d.memory()), `memory after failing allocation ${n}`).toBe(mem);
    expect(snapshot(watch) + extra(), `nothing written when allocation ${n} failed`).toBe(bytes);
  }
  throw new Error('the call never finished');
}

describe('every op fails cleanly at every allocation', () => {
  d.manualSeed(3);
  const make = () => ({
    a: d.randn([5, 7]), b: d.randn([7]), m: d.randn([7, 3]), t: d.tensor([0, 2, 1, 0, 2], { dtype: 'i32' }),
    img: d.randn([2, 3, 6, 6]), w: d.randn([4, 3, 3, 3]), a64: d.randn([5, 7], { dtype: 'f64' }),
    col: d.tensor([[0], [2], [1], [6], [3]], { dtype: 'i32' }), mask: d.tidy(() => d.randn([5, 7]).gt(0)), aT: d.randn([7, 5]).transpose(), y: d.randn([5, 7]), onRef: d.randn([5, 7], { device: 'reference' }),
  });
  type In = ReturnType<typeof make>;
  const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu', 'gelu', 'silu', 'square', 'reciprocal', 'round'] as const;
  const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt'] as const;
  const calls: [string, (x: In) => unknown][] = [
    ...UNARY.map((op) => [op, (x: In) => (d as unknown as Record<string, (t: d.Tensor) => d.Tensor>)[op](x.a)] as [string, (x: In) => unknown]),
    ...BINARY.map((op) => [`${op} (broadcast)`, (x: In) => (d as unknown as Record<string, (p: d.Tensor, q: d.Tensor) => d.Tensor>)[op](x.a, x.b)] as [string, (x: In) => unknown]),
    ['matmul', (x) => x.a.matmul(x.m)],
    ['sum', (x) => x.a.sum(1)], ['mean', (x) => x.a.mean(0)], ['max', (x) => x.a.max(1)], ['argmax', (x) => x.a.argmax(1)],
    ['prod', (x) => x.a.prod(0)], ['var', (x) => x.a.var(1)], ['std', (x) => x.a.std(0)], ['norm', (x) => x.a.norm(3, 1)],
    ['logsumexp', (x) => x.a.logsumexp(1)], ['contiguous of a transpose', (x) => x.aT.contiguous()],
    ['to f64', (x) => x.a.to('f64')], ['clone', (x) => x.a.clone()], ['cat', (x) => d.cat([x.a, x.a], 0)],
    ['stack', (x) => d.stack([x.b, x.b])], ['gather', (x) => x.a.gather(1, x.col)], ['indexSelect', (x) => x.a.indexSelect(1, x.t)],
    ['scatterAdd', (x) => x.a.scatterAdd(1, x.col, x.a)], ['where', (x) => d.where(x.mask, x.a, x.b)], ['clamp', (x) => x.a.clamp(-0.5, 0.5)],
    ['softmax', (x) => F.softmax(x.a, 1)], ['logSoftmax', (x) => F.logSoftmax(x.a, 0)],
    ['crossEntropy (fused)', (x) => F.crossEntropy(x.a, x.t)], ['crossEntropy (unfused f64)', (x) => F.crossEntropy(x.a64, x.t)],
    ['crossEntropy (labelSmoothing)', (x) => F.crossEntropy(x.a, x.t, { labelSmoothing: 0.1 })],
    ['conv2d', (x) => F.conv2d(x.img, x.w, null, { padding: 1 })], ['maxPool2d', (x) => F.maxPool2d(x.img, 2)],
    ['layerNorm', (x) => F.layerNorm(x.a, [7])], ['mseLoss', (x) => F.mseLoss(x.a, x.y)],
    ['copyInto across dtype (in place)', (x) => { d.copyInto(x.y, x.a64); return null; }],
    ['copyInto across device (in place)', (x) => { d.copyInto(x.y, x.onRef); return null; }],
    ['fill_ of a strided view (in place)', (x) => { d.fill_(x.aT, 3); return null; }],
  ];
  for (const [name, call] of calls) {
    test(name, () => {
      const x = make();
      const inputs = Object.values(x);
      expect(everyFailure(() => call(x), inputs)).toBeGreaterThan(0);
      d.dispose(inputs);
    });
  }
});

test('backward fails cleanly at every allocation: no gradient half-accumulated', () => {
  d.manualSeed(4);
  const model = new d.nn.Sequential(new d.nn.Linear(6, 8), new d.nn.Tanh(), new d.nn.Linear(8, 3));
  const x = d.randn([5, 6]);
  const y = d.tensor([0, 1, 2, 1, 0], { dtype: 'i32' });
  const ps = model.parameters();
  const forwardBackward = (): null => {
    const loss = d.tidy(() => F.crossEntropy(model.call(x), y)); // tidy: the logits handle is ours to free
    try {
      loss.backward();
    } finally {
      loss.dispose();
    }
    return null;
  };
  const failures = everyFailure(forwardBackward, ps);
  expect(failures).toBeGreaterThan(5);
  // again with gradients there: a failure half-way must not add into some of them
  expect(everyFailure(forwardBackward, ps)).toBeGreaterThan(failures);
  d.dispose([x, y]);
  model.dispose();
});

describe('every optimizer step fails cleanly at every allocation', () => {
  const { optim } = d;
  const ctors: [string, (ps: d.Tensor[]) => { step(): unknown; stateDict(): unknown }][] = [
    ['SGD momentum nesterov', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true })],
    ['Adam amsgrad', (ps) => new optim.Adam(ps, { lr: 0.1, amsgrad: true })],
    ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.1 })],
    ['RMSprop', (ps) => new optim.RMSprop(ps, { lr: 0.1, momentum: 0.5 })],
    ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 0.1 })],
    ['Adadelta', (ps) => new optim.Adadelta(ps)],
    ['NAdam', (ps) => new optim.NAdam(ps)],
    ['RAdam', (ps) => new optim.RAdam(ps)],
    ['Adamax', (ps) => new optim.Adamax(ps)],
    ['Lion', (ps) => new optim.Lion(ps, { lr: 0.01 })],
    ['Muon', (ps) => new optim.Muon(ps.filter((p) => p.ndim === 2), { lr: 0.01 })],
  ];
  for (const [name, make] of ctors) {
    for (const dtype of ['f32', 'f64'] as const) {
      test(`${name} ${dtype}`, () => {
        d.manualSeed(5);
        const ps = [d.randn([4, 3], { dtype, requiresGrad: true }), d.randn([3], { dtype, requiresGrad: true })];
        ps.forEach((p) => { p.grad = d.randnLike(p); });
        const opt = make(ps);
        const state = (): string => JSON.stringify(opt.stateDict());
        expect(everyFailure(() => opt.step(), ps, state), 'first step: no state is left behind').toBeGreaterThan(0);
        expect(everyFailure(() => opt.step(), ps, state), 'later step: the state is not corrupted').toBeGreaterThan(0);
        ps.forEach((p) => p.grad?.dispose());
        d.dispose(ps);
        (opt as unknown as { state: Map<unknown, unknown> }).state.clear();
      });
    }
  }
});
