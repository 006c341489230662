// Every Backend primitive on the webgpu device (the software adapter) against the reference
// device: awkward shapes (0-size, 1-dims, odd sizes, > one tile), transposed, strided and
// broadcast views, special values, dtype conversions bit for bit. Tolerances: helpers/gpu.ts.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { UNARY_OPS } from '../ts/backend/backend.js';
import { LAYOUTS, type Layout, expectClose, input, make, sizeOf } from './helpers/compare.js';
import { gpuTol, initSoftwareGpu, sameOnGpu } from './helpers/gpu.js';

beforeAll(initSoftwareGpu);

// (the conformance suite adds more sizes per primitive; these exercise the op layer above it)
const SHAPES: number[][] = [[], [0], [3, 7], [2, 1, 3, 4]];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 88, -88, 100, -100, 0.5, 1.5, 2.5, -2.5, 3, -3];
const DOMAIN: Partial<Record<string, [number, number]>> = {
  log: [0.01, 20], sqrt: [0, 20], rsqrt: [0.01, 20], log1p: [-0.99, 20], reciprocal: [0.1, 5],
};

describe('elementwise', () => {
  test.each(UNARY_OPS)('unary %s', async (op) => {
    const [lo, hi] = DOMAIN[op] ?? [-6, 6];
    let seed = 1;
    const jobs: Promise<void>[] = [];
    for (const shape of SHAPES) {
      for (const layout of LAYOUTS) {
        seed++;
        jobs.push(sameOnGpu(`${op} ${JSON.stringify(shape)} ${layout}`, (dev) => d[op](input(shape, layout, 'f32', dev, seed, lo, hi)) as d.Tensor, gpuTol(op)));
      }
    }
    const finite = ['sin', 'cos'].includes(op) ? SPECIAL.filter((v) => Math.abs(v) < 1e3) : SPECIAL;
    jobs.push(sameOnGpu(`${op} special`, (dev) => d[op](make([finite.length], finite, 'f32', dev)) as d.Tensor, gpuTol(op)));
    await Promise.all(jobs);
  });

  test('unary on i32 keeps integers (neg, abs, sign, square wraps, relu)', async () => {
    const v = [0, 1, -1, 7, -7, 46341, -2147483647, 2147483647];
    await Promise.all((['neg', 'abs', 'sign', 'square', 'relu'] as const).map((op) =>
      sameOnGpu(`${op} i32`, (dev) => d[op](make([v.length], v, 'i32', dev)), gpuTol('exact'))));
  });

  test.each(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const)('binary %s', async (op) => {
    const jobs: Promise<void>[] = [];
    let seed = 100;
    const pairs: [number[], number[]][] = [[[], []], [[0], [1]], [[3, 7], [7]], [[3, 1], [1, 5]], [[2, 3, 4], [3, 1]]];
    for (const [sa, sb] of pairs) {
      for (const layout of LAYOUTS) {
        seed += 2;
        const lo = op === 'pow' ? 0.1 : -4;
        jobs.push(sameOnGpu(`${op} ${JSON.stringify(sa)}·${JSON.stringify(sb)} ${layout}`,
          (dev) => d[op](input(sa, layout, 'f32', dev, seed, lo, 4), input(sb, 'contiguous', 'f32', dev, seed + 1, -3, 3)),
          op === 'add' || op === 'sub' || op === 'mul' || ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maximum', 'minimum'].includes(op) ? gpuTol('exact') : gpuTol(op)));
      }
    }
    const a = [NaN, 1, -0, Infinity, -2, 0, -3, 2.5, 4];
    const b = [1, NaN, 0, -Infinity, 3, 0, 2, 2, -0.5];
    jobs.push(sameOnGpu(`${op} special`, (dev) => d[op](make([9], a, 'f32', dev), make([9], b, 'f32', dev)), gpuTol(op)));
    const ia = [5, -7, 2147483647, 3, 0, -2];
    const ib = [3, 2, 1, 4, 0, 3];
    if (op !== 'div') jobs.push(sameOnGpu(`${op} i32`, (dev) => d[op](make([6], ia, 'i32', dev), make([6], ib, 'i32', dev)), gpuTol('exact')));
    await Promise.all(jobs);
  });

  test('where broadcasts cond, a and b', async () => {
    await sameOnGpu('where', (dev) => d.where(d.gt(input([3, 1, 5], 'contiguous', 'f32', dev, 7), 0),
      input([1, 4, 5], 'contiguous', 'f32', dev, 8), input([4, 1], 'transposed', 'f32', dev, 9)), gpuTol('exact'));
    await sameOnGpu('where i32', (dev) => d.where(make([4], [1, 0, 0, 1], 'i32', dev),
      make([4], [1, 2, 3, 4], 'i32', dev), make([4], [-1, -2, -3, -4], 'i32', dev)), gpuTol('exact'));
  });
});

describe('dtype conversions are bit-exact', () => {
  const values = [0, -0, 1, -1, 0.1, 1 / 3, 65504, 65520, 65519.99, 1e-8, 6e-8, 2.98e-8, 3e-5, -5.96e-8, 1e38, -3.4e38,
    Infinity, -Infinity, NaN, 2147483647.5, -2147483649, 3e9, 16777217, 1.00390625, 1.005859375, 123456.789];
  const dts: d.DType[] = ['f32', 'i32', 'f16', 'bf16'];
  for (const from of dts) {
    for (const to of dts) {
      test(`${from} → ${to}`, async () => {
        const src = from === 'i32' ? [0, 1, -1, 16777217, -16777219, 2147483647, -2147483648, 33554435, 123456789] : values;
        await sameOnGpu(`${from}→${to}`, (dev) => d.tensor(Float64Array.from(src), { dtype: 'f64', device: 'reference' })
          .to(from).to(dev).to(to), gpuTol('exact'));
        // strided source and destination halves at odd offsets
        await sameOnGpu(`${from}→${to} strided`, (dev) => d.tensor(Float64Array.from(src), { dtype: 'f64', device: 'reference' })
          .to(from).to(dev).slice(0, 1, null, 2).to(to), gpuTol('exact'));
      });
    }
  }

  test('full and zeros fill every dtype', async () => {
    for (const dtype of ['f32', 'i32', 'f16', 'bf16'] as const) {
      for (const n of [0, 1, 3, 1001]) {
        await sameOnGpu(`full ${dtype} ${n}`, (dev) => d.full([n], -2.7, { dtype, device: dev }), gpuTol('exact'));
      }
    }
  });

  test('cat writes halves into odd offsets of one storage', async () => {
    await sameOnGpu('cat f16', (dev) => d.cat([make([3], [1, 2, 3], 'f16', dev), make([1], [4], 'f16', dev), make([5], [5, 6, 7, 8, 9], 'f16', dev)]), gpuTol('exact'));
  });
});

describe('reductions', () => {
  const cases: [number[], Layout, number | number[] | undefined][] = [
    [[7], 'contiguous', undefined], [[0], 'contiguous', undefined], [[129], 'strided', 0], [[3, 7], 'transposed', 1],
    [[3, 7], 'contiguous', 0], [[17, 300], 'contiguous', 1], [[2, 3, 4], 'broadcast', [0, 2]], [[2, 0, 3], 'contiguous', 1],
    [[5, 1000], 'strided', 1],
  ];
  test.each(['sum', 'prod', 'max', 'min', 'argmax', 'argmin', 'mean'] as const)('%s', async (op) => {
    const jobs = cases.filter(([s, , ax]) => !(sizeOf(s) === 0 && op !== 'sum' && op !== 'prod') && !(op.startsWith('arg') && Array.isArray(ax)))
      .map(([shape, layout, axis], i) => sameOnGpu(`${op} ${JSON.stringify(shape)} ${layout} ${axis}`, (dev) => {
        const x = input(shape, layout, 'f32', dev, 300 + i, op === 'prod' ? 0.9 : -3, op === 'prod' ? 1.1 : 3);
        return op === 'argmax' || op === 'argmin' ? d[op](x, axis as number | undefined) : d[op](x, axis);
      }, gpuTol(op === 'mean' ? 'sum' : op)));
    await Promise.all(jobs);
  });

  test('max/min propagate NaN; argmax/argmin: NaN wins, first of ties', async () => {
    const rows = [[1, NaN, 3, NaN], [2, 5, 5, 1], [-1, -1, -1, -1], [Infinity, -Infinity, 0, Infinity]];
    for (const op of ['max', 'min', 'argmax', 'argmin'] as const) {
      await sameOnGpu(op, (dev) => d[op](make([4, 4], rows.flat(), 'f32', dev), 1), gpuTol('exact'));
    }
    // ties spread over more than one workgroup thread
    const long = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? 9 : i % 5));
    await sameOnGpu('argmax long ties', (dev) => d.argmax(make([300], long, 'f32', dev)), gpuTol('exact'));
    await sameOnGpu('sum i32 wraps', (dev) => d.sum(make([3], [2147483647, 1, 5], 'i32', dev)), gpuTol('exact'));
  });
});

describe('matmul', () => {
  const shapes: [number[], number[], Layout][] = [
    [[1, 1], [1, 1], 'contiguous'], [[3, 5], [5, 7], 'contiguous'], [[17, 1], [1, 129], 'contiguous'],
    [[65, 70], [70, 63], 'contiguous'], [[65, 70], [70, 63], 'transposed'], [[130, 33], [33, 129], 'strided'],
    [[2, 3, 17, 9], [9, 5], 'contiguous'], [[4, 1, 7, 3], [1, 5, 3, 66], 'transposed'], [[3, 0], [0, 4], 'contiguous'],
    [[0, 3], [3, 4], 'contiguous'],
    // vec4 reads along k (row-major a, transposed b) and along m/n (transposed a, row-major b), batched
    [[36, 20], [20, 44], 'contiguous'], [[36, 20], [20, 44], 'transposed'], [[3, 2, 12, 8], [8, 16], 'contiguous'],
  ];
  test.each(shapes)('%j · %j %s', async (sa, sb, layout) => {
    await sameOnGpu('matmul', (dev) => d.matmul(input(sa, layout, 'f32', dev, 11), input(sb, layout, 'f32', dev, 12)), gpuTol('matmul'));
  });

  test('128×128 tiles (8×8 per thread, ≥ 256 full tiles): vec4 reads of a, per-element reads of b', async () => {
    await sameOnGpu('matmul 128-tiles', (dev) => d.matmul(input([256, 128, 4], 'contiguous', 'f32', dev, 13),
      input([4, 130], 'strided', 'f32', dev, 14)), gpuTol('matmul'));
  });
});

describe('gather and scatterAdd', () => {
  test('gather along each dim, strided source, broadcast index', async () => {
    const idx = [[0, 2, 1], [1, 1, 0]];
    for (const dim of [0, 1]) {
      await sameOnGpu(`gather ${dim}`, (dev) => d.gather(input([3, 4], 'transposed', 'f32', dev, 21), dim, d.tensor(idx, { dtype: 'i32', device: dev })), gpuTol('exact'));
    }
    await sameOnGpu('indexSelect', (dev) => d.indexSelect(input([5, 6], 'strided', 'f32', dev, 22), 1, [5, 0, 0, 3]), gpuTol('exact'));
    await sameOnGpu('gather i32', (dev) => d.gather(make([5], [9, 8, 7, 6, 5], 'i32', dev), 0, [4, 4, 0]), gpuTol('exact'));
  });

  test('scatterAdd accumulates repeated indices in index order', async () => {
    const index = [[0, 1, 0, 0], [2, 2, 2, 1]];
    for (const dim of [0, 1]) {
      await sameOnGpu(`scatterAdd ${dim}`, (dev) => d.scatterAdd(input([3, 4], 'contiguous', 'f32', dev, 31), dim,
        d.tensor(dim === 0 ? index : [[0, 1, 0, 0], [2, 2, 2, 1], [3, 3, 0, 0]], { dtype: 'i32', device: dev }),
        input([3, 5], 'transposed', 'f32', dev, 32)), gpuTol('sum'));
    }
  });
});

/** Losses of `steps` Adam steps of a small MLP on `device`, from the same seeded start. */
async function trainMlp(device: d.Device, steps: number): Promise<{ losses: number[]; tensors: number[] }> {
  d.manualSeed(7);
  const f = { device, dtype: 'f32' as const };
  const model = new d.nn.Sequential(new d.nn.Linear(10, 33, f), new d.nn.ReLU(), new d.nn.Linear(33, 5, f));
  const x = d.randn([67, 10], f);
  const y = d.randint(0, 5, [67], { device });
  const opt = new d.optim.Adam(model.parameters(), { lr: 0.01 });
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let i = 0; i < steps; i++) {
    // torch's closure form: step() evaluates the loss, then updates
    const loss = d.tidy(() => opt.step(() => {
      opt.zeroGrad();
      const l = d.nn.functional.crossEntropy(model.forward(x), y);
      l.backward();
      return l;
    }) as d.Tensor);
    losses.push((await loss.data())[0]);
    loss.dispose();
    tensors.push(d.memory()[device].tensors);
  }
  return { losses, tensors };
}

describe('training', () => {
  test('an MLP trained with Adam gives the same losses on webgpu as on wasm, and memory stays flat', async () => {
    const gpu = await trainMlp('webgpu', 8);
    const cpu = await trainMlp('wasm', 8);
    expect(gpu.losses[7]).toBeLessThan(gpu.losses[0] * 0.95);
    expectClose(gpu.losses, cpu.losses, gpuTol('training'), 'losses');
    // never more live tensors than the step before (the GC may free other tests' leftovers meanwhile)
    gpu.tensors.slice(2).forEach((n, i) => expect(n, `tensors per step ${gpu.tensors}`).toBeLessThanOrEqual(gpu.tensors[i + 1]));
  });

  test('gradients of a composite graph match the reference', async () => {
    const run = async (dev: d.Device): Promise<Float32Array[]> => {
      const w = input([7, 5], 'contiguous', 'f32', dev, 41).requiresGrad_();
      const x = input([3, 7], 'transposed', 'f32', dev, 42);
      const loss = d.sum(d.tanh(d.matmul(x, w)).mul(d.nn.functional.softmax(d.matmul(x, w), 1)));
      loss.backward();
      return [Float32Array.from(await loss.data()), Float32Array.from(await w.grad!.data())];
    };
    const [got, want] = [await run('webgpu'), await run('reference')];
    got.forEach((g, i) => expectClose(g, want[i], gpuTol('training'), `output ${i}`));
  });
});

describe('gradient clipping on the device', () => {
  /** Parameters on `device` whose gradients are the same seeded values on every device. */
  const withGrads = (device: d.Device): d.Tensor[] => [[3, 5], [7], [2, 1, 4]].map((shape, i) => {
    const p = d.zeros(shape, { device, requiresGrad: true });
    p.grad = input(shape, 'contiguous', 'f32', device, 50 + i, -4, 4);
    return p;
  });

  test.each([[2, 1.5], [Infinity, 0.5], [1.5, 1e3]])('clipGradNormTensor p=%s maxNorm=%s: total and gradients as on reference, no host read', async (p, maxNorm) => {
    const run = async (device: d.Device): Promise<Float32Array> => {
      const ps = withGrads(device);
      const total = d.optim.clipGradNormTensor(ps, maxNorm, p);
      const values = [total, ...ps.map((q) => q.grad!)].map(async (t) => Array.from(await t.data()));
      const out = Float32Array.from((await Promise.all(values)).flat());
      d.dispose([total, ...ps]);
      return out;
    };
    expectClose(await run('webgpu'), await run('reference'), gpuTol('sum'), `clip p=${p}`);
  });

  test('clipGradValue clamps on the device', async () => {
    await sameOnGpu('clipGradValue', (dev) => {
      const [p] = withGrads(dev);
      d.optim.clipGradValue(p, 1.25);
      return p.grad!;
    }, gpuTol('exact'));
  });

  test('clipGradNorm (a number, read on the host) refuses webgpu gradients and leaves them alone', () => {
    const ps = withGrads('webgpu');
    const grads = ps.map((p) => p.grad);
    expect(() => d.optim.clipGradNorm(ps, 1)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('clipGradNormTensor') }));
    expect(ps.map((p) => p.grad)).toEqual(grads);
    d.dispose(ps);
  });
});

describe('device behaviour', () => {
  test('f64 is refused with BAD_DTYPE and nothing is allocated', () => {
    const before = d.memory().webgpu;
    expect(() => d.zeros([3], { dtype: 'f64', device: 'webgpu' })).toThrow(expect.objectContaining({ code: 'BAD_DTYPE', message: expect.stringMatching(/f64.*f32/) }));
    expect(d.memory().webgpu).toEqual(before);
  });

  test('dataSync reads host-known values; GPU-only values ask for await t.data()', async () => {
    const t = d.tensor([1, 2, 3], { device: 'webgpu' });
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    const u = t.mul(2);
    expect(() => u.dataSync()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('await t.data()') }));
    expect(() => u.sum().item()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(Array.from(await u.data())).toEqual([2, 4, 6]);
    expect(Array.from(u.dataSync())).toEqual([2, 4, 6]); // read once, now known on the host
  });

  test('indices computed on the GPU from floats cannot be validated synchronously', () => {
    const x = d.tensor([[1, 5], [7, 2]], { device: 'webgpu' });
    const before = d.memory().webgpu.tensors;
    const idx = d.argmax(x, 1, { keepdim: true });
    expect(() => d.gather(x, 1, idx)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    idx.dispose();
    expect(d.memory().webgpu.tensors).toBe(before);
  });

  test('dispose returns buffers to the pool: memory() is flat and GPU bytes are reused', async () => {
    const before = d.memory().webgpu;
    const reserved: number[] = [];
    for (let i = 0; i < 20; i++) {
      const b = d.tidy(() => {
        const a = d.randn([100, 50], { device: 'webgpu' });
        return d.matmul(a, a.transpose(0, 1)).relu();
      });
      expect(d.memory().webgpu.bytes).toBe(before.bytes + 4 * 100 * 100);
      await b.data();
      b.dispose();
      expect(d.memory().webgpu).toEqual(before);
      reserved.push(d.backendInfo()!.webgpu!.reservedBytes);
    }
    expect(new Set(reserved.slice(1)).size, `GPU bytes reserved per step: ${reserved}`).toBe(1);
  });

  test('the seeded Philox stream gives the same numbers on webgpu as on wasm', async () => {
    const draw = async (device: d.Device): Promise<number[]> => {
      d.manualSeed(1234);
      const t = d.tidy(() => d.cat([d.randn([1001], { device }), d.rand([7], { device })]));
      const v = Array.from(await t.data());
      t.dispose();
      return v;
    };
    expect(await draw('webgpu')).toEqual(await draw('wasm'));
  });

  test('a buffer larger than the adapter allows is OUT_OF_MEMORY, and nothing is allocated', () => {
    const before = d.memory().webgpu;
    expect(() => d.zeros([2 ** 31 - 1], { device: 'webgpu' })).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    expect(d.memory().webgpu).toEqual(before);
  });

  test('t.to() moves between devices in both directions', async () => {
    const a = d.tensor([[1.5, -2], [3, 4]], { device: 'wasm' });
    const g = a.to('webgpu');
    expect(g.device).toBe('webgpu');
    const back = (await g.mul(3).data());
    expect(Array.from(back)).toEqual([4.5, -6, 9, 12]);
  });

  test('a lost device becomes DEVICE_LOST errors, and init() brings a fresh one', async () => {
    const t = d.tensor([1, 2], { device: 'webgpu' });
    const info = d.backendInfo()!.webgpu!;
    expect(info.software).toBe(true);
    const { getBackend } = await import('../ts/engine.js');
    const gpu = getBackend('webgpu') as unknown as { ctx: { device: GPUDevice } };
    gpu.ctx.device.destroy();
    // device.lost resolves asynchronously: wait for it (a fixed pause is too short on a loaded machine)
    for (let i = 0; i < 500 && !d.backendInfo()!.webgpu!.lost; i++) await new Promise((r) => setTimeout(r, 10));
    expect(() => t.add(1)).toThrow(expect.objectContaining({ code: 'DEVICE_LOST', message: expect.stringContaining('init') }));
    await initSoftwareGpu();
    expect(d.backendInfo()!.webgpu!.lost).toBe(false);
    expect(() => t.add(1)).toThrow(expect.objectContaining({ code: 'DEVICE_LOST' }));
    t.dispose();
    expect(Array.from(await d.tensor([1, 2], { device: 'webgpu' }).add(1).data())).toEqual([2, 3]);
  });

  test("init({ adapter: 'hardware' }) uses a hardware adapter or says none was found", async () => {
    const r = await d.init({ device: 'webgpu', adapter: 'hardware' }).then(() => 'ok', (e: d.DescentError) => e);
    if (r === 'ok') expect(d.backendInfo()!.webgpu!.software).toBe(false);
    else expect(r).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining("adapter: 'software'") });
    await initSoftwareGpu();
    await expect(d.init({ device: 'webgpu', adapter: 'fast' as never })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
