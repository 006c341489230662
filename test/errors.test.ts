// Bad input: a DescentError with a code and a message naming expected vs got; after a rejected
// call no tensor has changed and memory() is as before; no wasm trap reaches the user.

import { describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

await d.init({ device: 'wasm' });

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  const before = JSON.stringify(d.memory());
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected a DescentError ${code}`).toBeInstanceOf(d.DescentError);
  expect((err as d.DescentError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
  expect(JSON.stringify(d.memory()), 'memory() unchanged after a rejected call').toBe(before);
}

describe.each(['wasm', 'reference'] as const)('errors on %s', (device) => {
  const a = d.tensor([[1, 2, 3], [4, 5, 6]], { device });
  const two = d.ones([2], { device });
  const ones13 = d.ones([1, 3], { device });
  const empty03 = d.zeros([0, 3], { device });
  const aT = a.transpose();
  const snapshot = () => Array.from(a.dataSync());

  test('shape mismatch names both shapes', () => {
    rejects(() => a.add(two), 'SHAPE_MISMATCH', /\[2, 3\] and \[2\]/);
    rejects(() => a.matmul(a), 'SHAPE_MISMATCH', /inner dims differ: \[2, 3\] · \[2, 3\]/);
    rejects(() => a.reshape([4, 2]), 'SHAPE_MISMATCH', /\[4, 2\] is invalid for a tensor of 6 elements/);
    rejects(() => d.cat([a, aT], 0), 'SHAPE_MISMATCH', /\[2, 3\] and \[3, 2\]/);
    rejects(() => a.expand([4, 3]), 'SHAPE_MISMATCH', /cannot expand shape \[2, 3\] to \[4, 3\]/);
    rejects(() => two.reshape([3]), 'SHAPE_MISMATCH', /invalid for a tensor of 2 elements/);
    rejects(() => empty03.max(0), 'SHAPE_MISMATCH', /zero-size/);
    expect(snapshot()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('bad axis', () => {
    rejects(() => a.sum(2), 'BAD_AXIS', /axis 2 is out of range for a 2-d tensor \(expected -2\.\.1\)/);
    rejects(() => a.sum([0, 0]), 'BAD_AXIS', /repeated/);
    rejects(() => a.transpose(0, 1.5), 'BAD_AXIS', /integer axis/);
    rejects(() => a.permute([0]), 'BAD_AXIS', /expected 2 dims/);
    rejects(() => a.argmax(-3), 'BAD_AXIS', /out of range/);
  });

  test('bad dtype', () => {
    rejects(() => d.zeros([2], { dtype: 'f8' as d.DType, device }), 'BAD_DTYPE', /expected a dtype .* got f8/);
    rejects(() => a.to('int64' as d.DType), 'BAD_DTYPE', /got int64/);
    rejects(() => d.randn([2], { dtype: 'i32', device }), 'BAD_DTYPE', /floating dtype, got i32/);
    rejects(() => d.zeros([2], { dtype: 'i32', requiresGrad: true, device }), 'BAD_DTYPE', /only floating-point/);
    const i1 = d.tensor([1], { dtype: 'i32', device });
    const m1 = d.tensor([-1], { dtype: 'i32', device });
    rejects(() => i1.pow(m1), 'INVALID_DATA', /negative integer powers/);
    d.dispose([i1, m1]);
  });

  test('device mix names both devices', () => {
    const other = device === 'wasm' ? 'reference' : 'wasm';
    const b = d.tensor([1, 2, 3], { device: other });
    rejects(() => a.add(b), 'DEVICE_MISMATCH', new RegExp(`'${device}' and '${other}'`));
    const b2 = b.reshape([1, 3]);
    rejects(() => d.cat([a, b2]), 'DEVICE_MISMATCH', /one device/);
    d.dispose([b, b2]);
  });

  test('use after dispose', () => {
    const t = d.tensor([1, 2], { device });
    const v = t.reshape([2, 1]);
    t.dispose();
    expect(v.toArray()).toEqual([[1], [2]]); // the view keeps the storage alive
    rejects(() => t.add(1), 'DISPOSED', /used after dispose/);
    rejects(() => t.dataSync(), 'DISPOSED', /used after dispose/);
    rejects(() => d.add(v, t), 'DISPOSED', /used after dispose/);
    v.dispose();
    t.dispose(); // idempotent
  });

  test('invalid data: ragged arrays, non-numbers, bad indices', () => {
    rejects(() => d.tensor([[1, 2], [3]], { device }), 'INVALID_DATA', /ragged nested array: expected length 2 at \[1\], got length 1/);
    rejects(() => d.tensor([[1, 2], 3] as unknown as number[][], { device }), 'INVALID_DATA', /ragged/);
    rejects(() => d.tensor([1, 'x'] as unknown as number[], { device }), 'INVALID_DATA', /expected a number at \[1\], got string x/);
    rejects(() => d.tensor({} as unknown as number[], { device }), 'INVALID_DATA', /got Object/);
    rejects(() => a.indexSelect(0, [0, 2]), 'INDEX_OUT_OF_RANGE', /index 2 is out of range for a dimension of size 2/);
    rejects(() => a.indexSelect(1, [-1]), 'INDEX_OUT_OF_RANGE', /index -1/);
    rejects(() => a.indexSelect(1, [0.5]), 'INVALID_DATA', /finite integers/);
    rejects(() => a.indexSelect(1, [NaN]), 'INVALID_DATA', /finite integers/);
    const fidx = d.tensor([[0.5, 1, 1], [0, 0, 0]], { device });
    rejects(() => a.gather(1, fidx), 'INVALID_DATA', /finite integers, got number 0.5/);
    const big = d.tensor([[0, 3, 0]], { dtype: 'i32', device });
    rejects(() => a.gather(1, big), 'INDEX_OUT_OF_RANGE', /index 3/);
    rejects(() => a.scatterAdd(1, big, ones13), 'INDEX_OUT_OF_RANGE', /index 3/);
    expect(snapshot()).toEqual([1, 2, 3, 4, 5, 6]);
    d.dispose([fidx, big]);
  });

  test('unknown options and wrong argument types', () => {
    rejects(() => d.zeros([2], { dtpye: 'f32' } as unknown as d.CreateOptions), 'BAD_OPTION', /unknown option 'dtpye'; expected one of 'dtype', 'device', 'requiresGrad'/);
    rejects(() => a.sum(0, { keepDims: true } as unknown as d.ReduceOptions), 'BAD_OPTION', /unknown option 'keepDims'/);
    rejects(() => a.var(0, { correction: -1 }), 'BAD_OPTION', /correction/);
    rejects(() => d.zeros([2, -1], { device }), 'BAD_ARGUMENT', /non-negative integers/);
    rejects(() => d.add('1' as unknown as number, a), 'BAD_ARGUMENT', /Tensor or a number, got string 1/);
    rejects(() => d.matmul(a, [1, 2] as unknown as d.Tensor), 'BAD_ARGUMENT', /expected b to be a Tensor, got an array/);
    rejects(() => a.clamp('0' as unknown as number), 'BAD_ARGUMENT', /min to be a number/);
    rejects(() => d.arange(0, 5, 0), 'BAD_ARGUMENT', /step must be nonzero/);
    rejects(() => a.slice(0, 0, 2, 0), 'BAD_ARGUMENT', /positive integer/);
    rejects(() => d.manualSeed(-1), 'BAD_ARGUMENT', /non-negative safe integer/);
    rejects(() => d.tidy(5 as unknown as () => void), 'BAD_ARGUMENT', /expected a function/);
  });
});

test('init rejects unknown devices and options', async () => {
  await expect(d.init({ device: 'tpu' as d.Device })).rejects.toThrow(/unknown device 'tpu'/);
  await expect(d.init({ devce: 'wasm' } as unknown as d.InitOptions)).rejects.toThrow(/unknown option 'devce'/);
  await expect(d.init({ device: 'webgpu' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  await d.init({ device: 'wasm' });
});

describe('creation beyond memory and non-function callbacks', () => {
  test.each(['wasm', 'reference'] as const)('creation ops that cannot fit are OUT_OF_MEMORY on %s, not a RangeError', (device) => {
    const huge = [1e6, 1e6];
    rejects(() => d.zeros(huge, { device }), 'OUT_OF_MEMORY', /zeros: 1000000000000 elements of f32/);
    rejects(() => d.ones(huge, { device }), 'OUT_OF_MEMORY', /ones/);
    rejects(() => d.randn(huge, { device }), 'OUT_OF_MEMORY', /randn/);
    rejects(() => d.rand(huge, { device }), 'OUT_OF_MEMORY', /rand/);
    rejects(() => d.randint(0, 5, huge, { device }), 'OUT_OF_MEMORY', /randint/);
    rejects(() => d.arange(0, 1e12, 1, { device }), 'OUT_OF_MEMORY', /arange/);
    rejects(() => d.linspace(0, 1, 1e12, { device }), 'OUT_OF_MEMORY', /linspace/);
    rejects(() => d.eye(1e6, 1e6, { device }), 'OUT_OF_MEMORY', /eye/);
  });

  test('a rejected randn does not advance the random stream', () => {
    d.manualSeed(7);
    const want = d.randn([3], { device: 'reference' });
    d.manualSeed(7);
    rejects(() => d.randn([1e6, 1e6]), 'OUT_OF_MEMORY', /randn/);
    const got = d.randn([3], { device: 'reference' });
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    d.dispose([want, got]);
  });

  test('noGrad and enableGrad of a non-function are BAD_ARGUMENT, not a TypeError', () => {
    rejects(() => d.noGrad(5 as never), 'BAD_ARGUMENT', /noGrad: expected a function to run, got number/);
    rejects(() => d.enableGrad(null as never), 'BAD_ARGUMENT', /enableGrad: expected a function to run, got null/);
  });

  test('a webgpu tensor before init({ device: webgpu }) says how to start the device', () => {
    rejects(() => d.tensor([1], { device: 'webgpu' }), 'NOT_INITIALIZED', /call `await init\(\{ device: 'webgpu' \}\)` first/);
  });

  test('a rejected logicalAnd or argmax leaves no tensor alive', () => {
    const a = d.ones([2, 3]), b = d.ones([3, 2]), empty = d.zeros([0]);
    rejects(() => d.logicalAnd(a, b), 'SHAPE_MISMATCH', /cannot be broadcast/);
    rejects(() => empty.argmax(), 'SHAPE_MISMATCH', /zero-size dimension/);
    d.dispose([a, b, empty]);
  });
});
