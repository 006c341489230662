// Bad input to the everyday ops of issue 8: a DescentError with the right code and a message
// naming what was expected, and nothing left behind (memory() unchanged, no RNG draw).

import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

/** fn throws a DescentError with `code` and a message matching `msg`, and memory() does not move. */
function rejects(fn: () => unknown, code: string, msg: RegExp): void {
  const before = d.memory();
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toBeInstanceOf(d.DescentError);
  expect((err as d.DescentError).code).toBe(code);
  expect((err as Error).message).toMatch(msg);
  expect(d.memory()).toEqual(before);
}

const bad = (x: unknown) => x as never;

test('sort, argsort and topk reject bad dims, k and options', () => {
  d.tidy(() => {
    const x = d.randn([2, 4]);
    rejects(() => d.sort(x, 2), 'BAD_AXIS', /axis 2 is out of range for a 2-d tensor/);
    rejects(() => d.sort(x, 0, { descending: bad('yes') }), 'BAD_OPTION', /descending must be a boolean/);
    rejects(() => d.argsort(x, 0, bad({ stable: true })), 'BAD_OPTION', /unknown option 'stable'/);
    rejects(() => d.sort(bad([1, 2])), 'BAD_ARGUMENT', /expected argument to be a Tensor/);
    rejects(() => d.topk(x, 5), 'BAD_ARGUMENT', /integer k in 0\.\.4/);
    rejects(() => d.topk(x, 1.5, 0), 'BAD_ARGUMENT', /integer k in 0\.\.2/);
    rejects(() => d.topk(x, 1, 0, { largest: bad(1) }), 'BAD_OPTION', /largest must be a boolean/);
  });
});

test('cumsum, cumprod, softplus reject bad dims and options', () => {
  d.tidy(() => {
    const x = d.randn([2, 4]);
    rejects(() => d.cumsum(x, 2), 'BAD_AXIS', /out of range/);
    rejects(() => d.cumprod(x, bad(undefined)), 'BAD_AXIS', /expected an integer axis/);
    rejects(() => d.softplus(x, { beta: 0 }), 'BAD_OPTION', /beta must be a finite nonzero number/);
    rejects(() => d.softplus(x, { threshold: NaN }), 'BAD_OPTION', /threshold must be a number/);
    rejects(() => d.softplus(x, bad({ alpha: 1 })), 'BAD_OPTION', /unknown option 'alpha'/);
    rejects(() => d.logSigmoid(bad(3)), 'BAD_ARGUMENT', /expected argument to be a Tensor/);
  });
});

test('clamp and maskedFill reject bounds, masks and values that do not fit', () => {
  d.tidy(() => {
    const x = d.randn([2, 4]);
    const [z3, z4ref, z1, z0f64, pos] = [d.zeros([3]), d.zeros([4], { device: 'reference' }), d.zeros([1]), d.zeros([], { dtype: 'f64' }), x.gt(0)];
    const [posF, ones3, ones324, xi] = [pos.to('f32'), d.ones([3], { dtype: 'i32' }), d.ones([3, 2, 4], { dtype: 'i32' }), x.to('i32')];
    rejects(() => d.clamp(x, bad('0')), 'BAD_ARGUMENT', /min to be a number, a Tensor or null/);
    rejects(() => d.clamp(x), 'BAD_ARGUMENT', /at least one of min and max/);
    rejects(() => d.clamp(x, z3), 'SHAPE_MISMATCH', /cannot be broadcast/);
    rejects(() => d.clip(x, null, z4ref), 'DEVICE_MISMATCH', /'wasm' and 'reference'/);
    rejects(() => d.maskedFill(x, posF, 1), 'BAD_DTYPE', /expected an i32 mask/);
    rejects(() => d.maskedFill(x, ones3, 1), 'SHAPE_MISMATCH', /cannot be broadcast/);
    rejects(() => d.maskedFill(x, ones324, 1), 'SHAPE_MISMATCH', /must broadcast to x's shape \[2, 4\]/);
    rejects(() => d.maskedFill(xi, pos, 0.5), 'BAD_ARGUMENT', /expected an integer/);
    rejects(() => d.maskedFill(x, pos, z1), 'SHAPE_MISMATCH', /must be 0-d/);
    rejects(() => d.maskedFill(x, pos, z0f64), 'BAD_DTYPE', /value dtype f64/);
  });
});

test('tril, triu, diag, diagonal and outer reject wrong ranks and offsets', () => {
  d.tidy(() => {
    const [v, m, cube] = [d.zeros([3]), d.zeros([3, 3]), d.zeros([2, 2, 2])];
    rejects(() => d.tril(v), 'SHAPE_MISMATCH', /at least 2 dims/);
    rejects(() => d.triu(m, 0.5), 'BAD_ARGUMENT', /integer diagonal/);
    rejects(() => d.diag(cube), 'SHAPE_MISMATCH', /a vector or a matrix/);
    rejects(() => d.diag(v, 1.5), 'BAD_ARGUMENT', /integer diagonal offset/);
    rejects(() => d.diagonal(m, 0, 1, -1), 'BAD_AXIS', /must differ/);
    rejects(() => d.outer(m, v), 'SHAPE_MISMATCH', /two vectors/);
  });
});

test('einsum rejects malformed specs and operands that do not match them', () => {
  d.tidy(() => {
    const a = d.randn([2, 3]);
    const b = d.randn([4, 5]);
    rejects(() => d.einsum('ij,jk->ik', a), 'BAD_ARGUMENT', /names 2 operand\(s\), got 1/);
    rejects(() => d.einsum('ij->k', a), 'BAD_ARGUMENT', /output letter 'k' does not appear/);
    rejects(() => d.einsum('ij->ii', a), 'BAD_ARGUMENT', /repeats a letter/);
    rejects(() => d.einsum('i1', a), 'BAD_ARGUMENT', /must be letters/);
    rejects(() => d.einsum('ij->i->j', a), 'BAD_ARGUMENT', /at most one '->'/);
    rejects(() => d.einsum('..j->j', a), 'BAD_ARGUMENT', /at most one '\.\.\.' per operand/);
    rejects(() => d.einsum('...i...', a), 'BAD_ARGUMENT', /at most one '\.\.\.' per operand/);
    rejects(() => d.einsum('i...,j->ij', a, b), 'SHAPE_MISMATCH', /operand 1 has shape \[4, 5\] but 'j' names 1 dim/);
    rejects(() => d.einsum('ij,jk->ik', a, b), 'SHAPE_MISMATCH', /letter 'j' has size 3 and 4/);
    rejects(() => d.einsum('ijk->i', a), 'SHAPE_MISMATCH', /names 3 dim\(s\)/);
    rejects(() => d.einsum('i,i,i', a, a, a), 'BAD_ARGUMENT', /1 or 2 operands, got 3/);
    rejects(() => d.einsum(bad(3), a), 'BAD_ARGUMENT', /expected a spec string/);
  });
});

test('meshgrid, oneHot and randperm reject bad inputs; a rejected randperm draws nothing', () => {
  d.tidy(() => {
    const [v, v64, m] = [d.zeros([2]), d.zeros([2], { dtype: 'f64' }), d.zeros([2, 2])];
    const [neg, empty] = [d.tensor([-1], { dtype: 'i32' }), d.zeros([0], { dtype: 'i32' })];
    rejects(() => d.meshgrid([]), 'BAD_ARGUMENT', /non-empty array/);
    rejects(() => d.meshgrid([m]), 'SHAPE_MISMATCH', /0-d or 1-d/);
    rejects(() => d.meshgrid([v], { indexing: bad('ji') }), 'BAD_OPTION', /'ij' or 'xy'/);
    rejects(() => d.meshgrid([v, v64]), 'BAD_DTYPE', /one dtype/);
    const idx = d.tensor([0, 4], { dtype: 'i32' });
    const idxF = idx.to('f32');
    rejects(() => d.oneHot(idxF, 5), 'BAD_DTYPE', /i32 class indices/);
    rejects(() => d.oneHot(idx, 3), 'INDEX_OUT_OF_RANGE', /class index 4 at flat position 1 is outside 0\.\.2/);
    rejects(() => d.oneHot(neg), 'INDEX_OUT_OF_RANGE', /class index -1/);
    rejects(() => d.oneHot(idx, -2), 'BAD_ARGUMENT', /non-negative integer or -1/);
    rejects(() => d.oneHot(empty), 'BAD_ARGUMENT', /cannot infer numClasses/);
    d.manualSeed(5);
    rejects(() => d.randperm(-1), 'BAD_ARGUMENT', /integer n/);
    rejects(() => d.randperm(4, bad({ shape: [4] })), 'BAD_OPTION', /unknown option 'shape'/);
    rejects(() => d.randperm(4, { requiresGrad: true }), 'BAD_DTYPE', /only floating-point/);
    rejects(() => d.randperm(4, { device: bad('gpu') }), 'BAD_OPTION', /unknown device/);
    const after = [...d.randperm(50).dataSync()];
    d.manualSeed(5);
    expect([...d.randperm(50).dataSync()]).toEqual(after);
  });
});
