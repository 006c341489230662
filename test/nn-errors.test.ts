// Bad input to layers and functional ops: a DescentError with a stable code whose message names
// what was expected and what came (shapes, channels, dtypes, options).
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { DescentError } from '../ts/errors.js';
import { expectError } from './helpers/expect-error.js';
import * as optim from '../ts/optim/index.js';

const { nn } = d;
const F = nn.functional;
const REF = { device: 'reference' } as const;

function throwsCode(fn: () => unknown, code: string, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected a DescentError').toBeInstanceOf(DescentError);
  expect((err as DescentError).code, (err as Error).message).toBe(code);
  for (const p of parts) expect((err as Error).message).toMatch(p);
}

describe('wrong input shapes name the expectation and the input', () => {
  it('Linear: feature count', () => {
    const m = new nn.Linear(5, 2, REF);
    throwsCode(() => m.call(d.zeros([3, 4], REF)), 'SHAPE_MISMATCH', /5 features/, /\[3, 4\]/);
  });

  it('Conv2d: channel count and rank', () => {
    const m = new nn.Conv2d(4, 6, 3, { groups: 2, ...REF });
    throwsCode(() => m.call(d.zeros([1, 3, 8, 8], REF)), 'SHAPE_MISMATCH', /4 channels/, /\[1, 3, 8, 8\]/, /3 channels/);
    throwsCode(() => m.call(d.zeros([8, 8], REF)), 'SHAPE_MISMATCH', /\[N, C, H, W\]/, /\[8, 8\]/);
    throwsCode(() => m.call(d.zeros([1, 4, 2, 2], REF)), 'SHAPE_MISMATCH', /does not fit/, /\[1, 4, 2, 2\]/);
    throwsCode(() => new nn.Conv2d(3, 6, 3, { groups: 2 }), 'BAD_OPTION', /divisible by groups 2/);
    throwsCode(() => new nn.Conv2d(3, 6, 3, { padding: 'same', stride: 2 }), 'BAD_OPTION', /'same' needs stride 1/, /\[2, 2\]/);
  });

  it('BatchNorm: channels, rank, and a single value per channel in training', () => {
    const bn = new nn.BatchNorm2d(3, REF);
    throwsCode(() => bn.call(d.zeros([2, 4, 2, 2], REF)), 'SHAPE_MISMATCH', /3 channels/, /\[2, 4, 2, 2\]/);
    throwsCode(() => new nn.BatchNorm1d(3, REF).call(d.zeros([2, 3, 2, 2], REF)), 'SHAPE_MISMATCH', /\[N, C\] or \[N, C, L\]/);
    throwsCode(() => bn.call(d.zeros([1, 3, 1, 1], REF)), 'SHAPE_MISMATCH', /more than 1 value per channel/);
    expect(bn.numBatchesTracked!.item()).toBe(0); // the rejected calls left no trace
  });

  it('LayerNorm, Embedding, RNN and attention', () => {
    throwsCode(() => new nn.LayerNorm([4, 5], REF).call(d.zeros([2, 5, 4], REF)), 'SHAPE_MISMATCH', /ending in \[4, 5\]/, /\[2, 5, 4\]/);
    const emb = new nn.Embedding(10, 3, REF);
    throwsCode(() => emb.call(d.zeros([2], REF)), 'BAD_DTYPE', /i32 indices/, /f32/);
    throwsCode(() => emb.call(d.tensor([3, 10], { dtype: 'i32', ...REF })), 'INDEX_OUT_OF_RANGE', /index 10/, /size 10/);
    throwsCode(() => new nn.LSTM(3, 4, REF).call(d.zeros([5, 2, 2], REF)), 'SHAPE_MISMATCH', /3 features/, /\[5, 2, 2\]/);
    throwsCode(() => new nn.RNN(3, 4, REF).call(d.zeros([5, 2, 3], REF), d.zeros([2, 2, 4], REF)), 'SHAPE_MISMATCH', /\[1, 2, 4\]/, /\[2, 2, 4\]/);
    const mha = new nn.MultiheadAttention(8, 2, REF);
    const x = d.zeros([5, 2, 8], REF);
    throwsCode(() => mha.call(x, d.zeros([5, 2, 6], REF), x), 'SHAPE_MISMATCH', /embedDim 8/, /\[5, 2, 6\]/);
    throwsCode(() => mha.call(x, x, x, { attnMask: d.zeros([4, 4], REF) }), 'SHAPE_MISMATCH', /\[5, 5\]/, /\[4, 4\]/);
    throwsCode(() => new nn.MultiheadAttention(10, 3), 'BAD_ARGUMENT', /divisible by numHeads 3/);
  });

  it('functional ops check their weights', () => {
    const x = d.zeros([2, 4, 5, 5], REF);
    throwsCode(() => F.conv2d(x, d.zeros([6, 4, 3], REF)), 'SHAPE_MISMATCH', /4-d weight/, /\[6, 4, 3\]/);
    throwsCode(() => F.conv2d(x, d.zeros([6, 4, 3, 3], REF), d.zeros([5], REF)), 'SHAPE_MISMATCH', /bias of shape \[6\]/, /\[5\]/);
    throwsCode(() => F.linear(d.zeros([2, 3], REF), d.zeros([4, 3], REF), d.zeros([3], REF)), 'SHAPE_MISMATCH', /\[4\]/, /\[3\]/);
    throwsCode(() => F.maxPool2d(x, 3, { padding: 2 }), 'BAD_OPTION', /at most half the kernel/);
    throwsCode(() => F.scaledDotProductAttention(d.zeros([2, 3, 4], REF), d.zeros([2, 5, 3], REF), d.zeros([2, 5, 4], REF)), 'SHAPE_MISMATCH', /\[2, 5, 3\]/);
  });
});

describe('bad options', () => {
  it('unknown option names and out-of-range values', () => {
    throwsCode(() => new nn.Linear(2, 2, { bais: false } as never), 'BAD_OPTION', /unknown option 'bais'/);
    throwsCode(() => new nn.Dropout(1.5), 'BAD_OPTION', /p must be in \[0, 1\]/, /1\.5/);
    throwsCode(() => new nn.BatchNorm1d(2, { momentum: 2 }), 'BAD_OPTION', /momentum/);
    throwsCode(() => new nn.Conv2d(2, 2, 0), 'BAD_OPTION', /kernelSize/);
    throwsCode(() => new nn.Linear(0, 2), 'BAD_ARGUMENT', /inFeatures must be a positive integer, got 0/);
    throwsCode(() => new nn.Linear(2, 2, { dtype: 'i32' }), 'BAD_DTYPE', /floating/);
    throwsCode(() => new nn.RNN(2, 2, { nonlinearity: 'sigmoid' as never }), 'BAD_OPTION', /'tanh' or 'relu'/);
    throwsCode(() => new nn.Embedding(4, 2, { paddingIdx: 4 }), 'BAD_OPTION', /paddingIdx/);
    throwsCode(() => new nn.ModuleList().forward(), 'UNSUPPORTED', /no forward/);
  });

  it('disposed parameters are reported, not read', () => {
    const m = new nn.Linear(2, 2, REF);
    m.dispose();
    throwsCode(() => m.call(d.zeros([1, 2], REF)), 'DISPOSED', /dispose/);
  });
});

describe('a rejected layer call leaves no tensor alive', () => {
  it('Linear on another device, Embedding out of range, with and without a graph', async () => {
    await d.init();
    const lin = new nn.Linear(3, 2);
    const emb = new nn.Embedding(4, 2);
    const onRef = d.ones([2, 3], REF);
    const bad = d.tensor([5], { dtype: 'i32' });
    const before = JSON.stringify(d.memory());
    for (const grad of [true, false]) {
      lin.weight.requiresGrad = grad; // recording a graph took another path (no tidy) before
      emb.weight.requiresGrad = grad;
      throwsCode(() => lin.call(onRef), 'DEVICE_MISMATCH');
      throwsCode(() => emb.call(bad), 'INDEX_OUT_OF_RANGE');
      expect(JSON.stringify(d.memory())).toBe(before);
    }
    d.dispose([onRef, bad]);
    lin.dispose();
    emb.dispose();
  });
});

describe('pool layers check their options where they are built', () => {
  const cases: [string, () => unknown, string][] = [
    ['MaxPool2d padding -1', () => new nn.MaxPool2d(2, { padding: -1 }), 'padding'],
    ['MaxPool2d padding over half the kernel', () => new nn.MaxPool2d(2, { padding: 2 }), 'padding'],
    ['MaxPool2d stride 0', () => new nn.MaxPool2d(2, { stride: 0 }), 'stride'],
    ['MaxPool2d dilation 0', () => new nn.MaxPool2d(2, { dilation: 0 }), 'dilation'],
    ['MaxPool2d ceilMode string', () => new nn.MaxPool2d(2, { ceilMode: 'yes' as never }), 'ceilMode'],
    ['AvgPool2d padding -1', () => new nn.AvgPool2d(2, { padding: -1 }), 'padding'],
    ['AvgPool2d divisorOverride 0', () => new nn.AvgPool2d(2, { divisorOverride: 0 }), 'divisorOverride'],
    ['AvgPool2d countIncludePad string', () => new nn.AvgPool2d(2, { countIncludePad: 'no' as never }), 'countIncludePad'],
  ];
  for (const [name, f, word] of cases) it(name, () => expectError(f, word === 'divisorOverride' ? 'BAD_ARGUMENT' : 'BAD_OPTION', word));

  it("avgPool2d's countIncludePad must be a boolean, not merely truthy", () => {
    expectError(() => nn.functional.avgPool2d(d.ones([1, 1, 3, 3]), 3, { padding: 1, countIncludePad: 'no' as never }), 'BAD_OPTION', 'countIncludePad');
  });
});

describe('attention call options are checked, not silently ignored', () => {
  it('TransformerBlock.call rejects an unknown option, so a misspelt causal flag cannot pass unseen', () => {
    const block = new nn.TransformerBlock(4, 2);
    expectError(() => block.call(d.randn([1, 3, 4]), { causal: false } as never), 'BAD_OPTION', "'causal'");
    expectError(() => block.call(d.randn([1, 3, 4]), { isCausal: 'no' as never }), 'BAD_OPTION', 'isCausal');
  });
  it('MultiheadAttention flags must be booleans', () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const x = d.randn([3, 1, 4]);
    for (const k of ['needWeights', 'averageAttnWeights', 'isCausal']) {
      expectError(() => mha.call(x, x, x, { [k]: 'no' } as never), 'BAD_OPTION', k);
    }
    expect(mha.call(x, x, x, { needWeights: false })[1]).toBeNull();
  });
});

describe('zeroGrad and loadStateDict flags', () => {
  it('Module.zeroGrad({ setToNone: false }) zero-fills the gradients and keeps them', () => {
    const m = new nn.Linear(2, 3);
    m.call(d.ones([1, 2])).sum().backward();
    const live = d.memory().reference.tensors;
    m.zeroGrad({ setToNone: false });
    expect(d.memory().reference.tensors).toBe(live);
    for (const p of m.parameters()) expect(Array.from(p.grad!.dataSync()).every((v) => v === 0)).toBe(true);
    m.zeroGrad();
    for (const p of m.parameters()) expect(p.grad).toBeNull();
    expectError(() => m.zeroGrad({ setToNon: true } as never), 'BAD_OPTION', 'setToNon');
  });
  it('setToNone and strict must be booleans, not merely truthy', () => {
    const m = new nn.Linear(2, 2);
    const o = new optim.SGD(m.parameters());
    expectError(() => o.zeroGrad({ setToNone: 'no' as never }), 'BAD_OPTION', 'setToNone');
    expectError(() => m.zeroGrad({ setToNone: 'no' as never }), 'BAD_OPTION', 'setToNone');
    expectError(() => m.loadStateDict({ weight: d.zeros([2, 2]) }, { strict: 'no' as never }), 'BAD_OPTION', 'strict');
  });
});

describe('train()/eval() reach Dropout and BatchNorm nested in Sequentials', () => {
  it('eval: deterministic output and frozen running stats; train: stats update again', () => {
    const bn = new nn.BatchNorm1d(4, { dtype: 'f64', device: 'reference' });
    const drop = new nn.Dropout(0.5);
    const model = new nn.Sequential(new nn.Linear(4, 4, { dtype: 'f64', device: 'reference' }), new nn.Sequential(new nn.Sequential(drop, bn)));
    const x = d.randn([8, 4], { dtype: 'f64', device: 'reference' });
    model.eval();
    expect([drop.training, bn.training]).toEqual([false, false]);
    const y1 = Array.from(model.call(x).dataSync()), y2 = Array.from(model.call(x).dataSync());
    expect(y1).toEqual(y2);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    model.train();
    model.call(x);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    expect(Array.from(bn.runningMean!.dataSync()).some((v) => v !== 0)).toBe(true);
  });
});
