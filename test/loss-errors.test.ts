// Losses: error cases (wrong target shape or dtype, class index out of range, labelSmoothing
// outside [0, 1], unknown options and reductions, BCE input outside [0, 1]), the loss modules,
// and gradcheck of every loss in f64 (including w.r.t. float targets where torch defines it).

import { describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

const F = d.nn.functional;
const ref = { device: 'reference', dtype: 'f64' } as const;
const x = () => d.tensor([[0.2, -1, 0.5], [1.5, 0.1, -0.3]], ref);
const labels = (v: number[]) => d.tensor(v, { device: 'reference', dtype: 'i32' });
const code = (c: string) => expect.objectContaining({ code: c });

describe('loss errors', () => {
  test('wrong target shape', () => {
    expect(() => F.mseLoss(x(), d.zeros([2, 2], ref))).toThrow(code('SHAPE_MISMATCH'));
    expect(() => F.crossEntropy(x(), labels([0, 1, 2]))).toThrow(code('SHAPE_MISMATCH'));
    expect(() => F.crossEntropy(x(), d.zeros([2, 2], ref))).toThrow(/probability target must have the input's shape/);
    expect(() => F.nllLoss(x(), labels([0]))).toThrow(/target shape \[1\] must be \[2\]/);
    expect(() => F.multiMarginLoss(d.zeros([2, 3, 4], ref), labels([0, 1]))).toThrow(code('SHAPE_MISMATCH'));
    expect(() => F.crossEntropy(x(), labels([0, 1]), { weight: d.ones([2], ref) })).toThrow(/one per class/);
  });

  test('a target or weight on another device is DEVICE_MISMATCH on every path (the fused f32 wasm one included)', async () => {
    await d.init();
    const onRef = labels([0, 1]);
    const before = d.memory().wasm.tensors;
    for (const dtype of ['f32', 'f64'] as const) {
      const logits = d.zeros([2, 3], { dtype });
      expect(() => F.crossEntropy(logits, onRef)).toThrow(code('DEVICE_MISMATCH'));
      expect(() => F.crossEntropy(logits, d.tensor([0, 1], { dtype: 'i32' }), { weight: d.ones([3], ref) })).toThrow(code('DEVICE_MISMATCH'));
      expect(() => F.nllLoss(logits, onRef)).toThrow(code('DEVICE_MISMATCH'));
      d.dispose(logits);
    }
    expect(d.memory().wasm.tensors).toBe(before + 2); // only the two targets made inside the loop
  });

  test('wrong target dtype', () => {
    expect(() => F.nllLoss(x(), d.tensor([0, 1], ref))).toThrow(code('BAD_DTYPE'));
    expect(() => F.multiMarginLoss(x(), d.tensor([0, 1], ref))).toThrow(/dtype i32/);
    expect(() => F.mseLoss(x(), d.zeros([2, 3], { device: 'reference', dtype: 'i32' }))).toThrow(code('BAD_DTYPE'));
    expect(() => F.crossEntropy(d.zeros([2, 3], { device: 'reference', dtype: 'i32' }), labels([0, 1]))).toThrow(code('BAD_DTYPE'));
  });

  test('class index out of range (ignoreIndex is allowed)', () => {
    expect(() => F.crossEntropy(x(), labels([0, 3]))).toThrow(code('INDEX_OUT_OF_RANGE'));
    expect(() => F.nllLoss(x(), labels([-1, 0]))).toThrow(/target -1 at flat position 0 is out of range for 3 classes/);
    expect(() => F.multiMarginLoss(x(), labels([5, 0]))).toThrow(code('INDEX_OUT_OF_RANGE'));
    expect(F.crossEntropy(x(), labels([-100, 0])).item()).toBeCloseTo(Math.log(Math.exp(1.5) + Math.exp(0.1) + Math.exp(-0.3)) - 1.5, 12);
    expect(() => F.crossEntropy(x(), labels([7, 0]), { ignoreIndex: 7 })).not.toThrow();
  });

  test('labelSmoothing outside [0, 1], bad options, unknown option names', () => {
    expect(() => F.crossEntropy(x(), labels([0, 1]), { labelSmoothing: 1.5 })).toThrow(code('BAD_OPTION'));
    expect(() => F.crossEntropy(x(), labels([0, 1]), { labelSmoothing: -0.1 })).toThrow(/labelSmoothing must be a number in \[0, 1\]/);
    expect(() => F.mseLoss(x(), x(), { reduction: 'avg' as never })).toThrow(/reduction must be one of 'none', 'mean', 'sum'/);
    expect(() => F.mseLoss(x(), x(), { reduce: true } as never)).toThrow(/unknown option 'reduce'/);
    expect(() => F.crossEntropy(x(), labels([0, 1]), { label_smoothing: 0.1 } as never)).toThrow(code('BAD_OPTION'));
    expect(() => F.huberLoss(x(), x(), { delta: 0 })).toThrow(/delta must be a number > 0/);
    expect(() => F.smoothL1Loss(x(), x(), { beta: -1 })).toThrow(code('BAD_OPTION'));
    expect(() => F.multiMarginLoss(x(), labels([0, 1]), { p: 3 as never })).toThrow(/p must be 1 or 2/);
    expect(() => F.klDiv(x(), x(), { reduction: 'batchmean', logTarget: 1 as never })).toThrow(code('BAD_OPTION'));
    expect(() => F.crossEntropy(x(), F.softmax(x(), 1), { ignoreIndex: 1 })).toThrow(/ignoreIndex is not supported with probability targets/);
    expect(() => new d.nn.CrossEntropyLoss({ smoothing: 0.1 } as never)).toThrow(code('BAD_OPTION'));
  });

  test('binaryCrossEntropy needs probabilities', () => {
    expect(() => F.binaryCrossEntropy(d.tensor([0.5, 1.2], ref), d.tensor([0, 1], ref))).toThrow(code('INVALID_DATA'));
    expect(() => F.binaryCrossEntropy(d.tensor([0.5, 0.2], ref), d.tensor([0, 1], ref), { weight: d.ones([3], ref) }))
      .toThrow(code('SHAPE_MISMATCH'));
  });
});

test('loss modules forward to the functional forms', () => {
  const y = labels([2, 0]);
  expect(new d.nn.CrossEntropyLoss({ labelSmoothing: 0.2, reduction: 'sum' }).call(x(), y).item())
    .toBeCloseTo(F.crossEntropy(x(), y, { labelSmoothing: 0.2, reduction: 'sum' }).item(), 14);
  const t = d.tensor([[0, 1, 0.5], [1, 0, 0.25]], ref);
  const pairs: [d.nn.Module<[d.Tensor, d.Tensor]>, d.Tensor][] = [
    [new d.nn.MSELoss(), F.mseLoss(x(), t)], [new d.nn.L1Loss({ reduction: 'sum' }), F.l1Loss(x(), t, { reduction: 'sum' })],
    [new d.nn.SmoothL1Loss({ beta: 0.5 }), F.smoothL1Loss(x(), t, { beta: 0.5 })], [new d.nn.HuberLoss({ delta: 0.5 }), F.huberLoss(x(), t, { delta: 0.5 })],
    [new d.nn.BCEWithLogitsLoss(), F.binaryCrossEntropyWithLogits(x(), t)], [new d.nn.KLDivLoss({ reduction: 'batchmean' }), F.klDiv(x(), t, { reduction: 'batchmean' })],
  ];
  for (const [m, want] of pairs) expect(m.call(x(), t).item()).toBeCloseTo(want.item(), 14);
  expect(new d.nn.NLLLoss().call(x(), y).item()).toBeCloseTo(-(0.5 + 1.5) / 2, 14);
  expect(new d.nn.MultiMarginLoss().call(x(), y).item()).toBeCloseTo(F.multiMarginLoss(x(), y).item(), 14);
  expect(new d.nn.HingeEmbeddingLoss().call(x(), d.tensor([[1, -1, 1], [-1, 1, -1]], ref)).item()).toBeGreaterThan(0);
  expect(new d.nn.BCELoss().call(d.sigmoid(x()), t).item()).toBeCloseTo(F.binaryCrossEntropyWithLogits(x(), t).item(), 12);
});

describe('gradcheck of every loss (f64)', () => {
  const pr = () => d.tensor([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]], { ...ref, requiresGrad: true });
  const tt = () => d.tensor([[0.1, 1, 0.5], [0, 0.3, 0.8]], { ...ref, requiresGrad: true });
  const xi = () => d.tensor([[0.2, -1, 0.5], [1.5, 0.1, -0.3]], { ...ref, requiresGrad: true });
  const w = d.tensor([0.5, 2, 1], ref);
  const cases: [string, (a: d.Tensor, b: d.Tensor) => d.Tensor, () => d.Tensor[]][] = [
    ['mseLoss', (a, b) => F.mseLoss(a, b), () => [xi(), tt()]],
    ['l1Loss', (a, b) => F.l1Loss(a, b, { reduction: 'sum' }), () => [xi(), tt()]],
    ['smoothL1Loss', (a, b) => F.smoothL1Loss(a, b, { beta: 0.5 }), () => [xi(), tt()]],
    ['huberLoss', (a, b) => F.huberLoss(a, b, { delta: 0.4, reduction: 'none' }), () => [xi(), tt()]],
    ['binaryCrossEntropy', (a, b) => F.binaryCrossEntropy(a, b, { weight: w }), () => [pr(), tt()]],
    ['binaryCrossEntropyWithLogits', (a, b) => F.binaryCrossEntropyWithLogits(a, b, { weight: w, posWeight: w.add(1) }), () => [xi(), tt()]],
    ['hingeEmbeddingLoss', (a) => F.hingeEmbeddingLoss(a, d.tensor([[1, -1, 1], [-1, -1, 1]], ref)), () => [xi()]],
    ['multiMarginLoss p=2', (a) => F.multiMarginLoss(a, labels([1, 2]), { p: 2, weight: w, margin: 0.8 }), () => [xi()]],
    ['nllLoss', (a) => F.nllLoss(a, labels([1, -100]), { weight: w }), () => [xi()]],
    ['crossEntropy smoothing+weight', (a) => F.crossEntropy(a, labels([2, 0]), { weight: w, labelSmoothing: 0.3 }), () => [xi()]],
    ['crossEntropy probabilities', (a, b) => F.crossEntropy(a, b, { labelSmoothing: 0.1 }), () => [xi(), tt()]],
    ['klDiv', (a, b) => F.klDiv(a, b, { reduction: 'batchmean' }), () => [xi(), pr()]],
    ['klDiv logTarget', (a, b) => F.klDiv(a, b, { logTarget: true }), () => [xi(), xi()]],
  ];
  test.each(cases)('%s', (_n, fn, inputs) => {
    expect(d.gradcheck(fn, inputs())).toBe(true);
  });
});
