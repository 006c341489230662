// d.quantize (fake quantization with a straight-through gradient) and the ready gradient
// quantizers of optim.quantizers: values representable in the format and equal to the conversion
// reference, the same bits on every device (webgpu: without a read, stochastic rounding included),
// unbiased stochastic variants, clean rejection.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { narrow, widen } from '../ts/minifloat.js';
import { getRngState } from '../ts/ops/random.js';
import { gpuTol, initSoftwareGpu, sameOnGpu } from './helpers/gpu.js';

await d.init({ device: 'wasm' });
beforeAll(() => initSoftwareGpu().then(() => d.init({ device: 'wasm' }))); // wasm stays the default device
const { optim } = d;

function values(n: number): Float32Array {
  d.manualSeed(9);
  const x = d.randn([n]).mul(d.rand([n]).mul(30).sub(15).mul(Math.LN2).exp()); // magnitudes 2^-15 .. 2^15
  const out = x.dataSync() as Float32Array;
  x.dispose();
  return out;
}

describe('float formats', () => {
  test.each(['f16', 'bf16', 'fp8e4m3', 'fp8e5m2'] as const)('%s: equals the host reference, on both devices', (format) => {
    const x = values(517);
    for (const saturate of format.startsWith('fp8') ? [false, true] : [false]) {
      const want = Array.from(x, (v) => widen(format, narrow(format, v, saturate)));
      for (const device of ['wasm', 'reference'] as const) {
        d.tidy(() => {
          const q = d.quantize(d.tensor(x, { device }).reshape([11, 47]), { format, saturate: saturate || undefined });
          expect([q.dtype, q.device, q.shape]).toEqual(['f32', device, [11, 47]]);
          expect(Array.from(q.dataSync())).toEqual(want);
        });
      }
    }
  });

  test('stochastic rounding gives the same bits on wasm and reference for one seed', () => {
    const x = values(300);
    const run = (device: 'wasm' | 'reference') => d.tidy(() => {
      d.manualSeed(1);
      return Array.from(d.quantize(d.tensor(x, { device }), { format: 'bf16', rounding: 'stochastic' }).dataSync());
    });
    const a = run('wasm');
    expect(run('reference')).toEqual(a);
    expect(a).not.toEqual(Array.from(x, (v) => widen('bf16', narrow('bf16', v))));
  });
});

describe('int8', () => {
  test('nearest: symmetric grid of max|x|/127, error at most half a step', () => {
    const x = values(200);
    const q = d.tidy(() => d.quantize(d.tensor(x), { format: 'int8' }).dataSync());
    const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127;
    for (let i = 0; i < x.length; i++) {
      const k = q[i] / Math.fround(scale);
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-3);
      expect(Math.abs(k)).toBeLessThanOrEqual(127.001);
      expect(Math.abs(q[i] - x[i])).toBeLessThanOrEqual(scale / 2 * (1 + 1e-6));
    }
  });

  test('stochastic: unbiased', () => {
    const base = [0.3, -1.7, 12.7, 5];
    const copies = 20000; // one call: the mean over copies of each value estimates E[Q(x)]
    d.manualSeed(2);
    const q = d.tidy(() => d.quantize(d.tensor(Array.from({ length: 4 * copies }, (_, i) => base[i % 4])), { format: 'int8', rounding: 'stochastic' }).dataSync());
    const step = 12.7 / 127; // σ of one draw ≤ step/2
    base.forEach((v, j) => {
      let s = 0;
      for (let i = j; i < q.length; i += 4) s += q[i];
      expect(Math.abs(s / copies - v)).toBeLessThan(4 * step / 2 / Math.sqrt(copies));
    });
  });
});

test('the gradient passes straight through, in the input dtype', () => {
  const x = d.tensor([0.1, 1000.3, -3e-6], { dtype: 'f64', requiresGrad: true });
  const y = d.quantize(x, { format: 'fp8e4m3' });
  y.mul(d.tensor([1, 2, 3], { dtype: 'f32' })).sum().backward();
  expect(x.grad!.dtype).toBe('f64');
  expect(Array.from(x.grad!.dataSync())).toEqual([1, 2, 3]);
  d.dispose([x, y]);
});

describe('gradient quantizers', () => {
  const base = [0.5, -2, 0.01, 3, 0, -0.7, 1.5, 0.2];
  const copies = 500; // the mean over copies and draws of each base coordinate estimates E[Q(g)]
  const g = d.tensor(Array.from({ length: 8 * copies }, (_, i) => base[i % 8]));
  const maxBias = (q: (t: d.Tensor) => d.Tensor, draws: number) => {
    d.manualSeed(4);
    const sum = new Float64Array(8);
    for (let r = 0; r < draws; r++) d.tidy(() => q(g).dataSync()).forEach((v, i) => { sum[i % 8] += v; });
    return Math.max(...base.map((v, j) => Math.abs(sum[j] / (copies * draws) - v)));
  };

  test('randomK keeps coordinates with probability k/n scaled by n/k, unbiased', () => {
    const q = optim.quantizers.randomK(1000); // p = 1/4
    d.manualSeed(3);
    const one = d.tidy(() => q(g).dataSync());
    one.forEach((v, i) => expect(v === 0 || v === Math.fround(base[i % 8]) * 4, `coordinate ${i}: ${v}`).toBe(true));
    const kept = one.filter((v) => v !== 0).length; // 3500 nonzero coordinates · 1/4 ≈ 875 ± 26
    expect(kept).toBeGreaterThan(770);
    expect(kept).toBeLessThan(980);
    expect(maxBias(q, 10)).toBeLessThan(0.25); // σ of the mean ≈ 3·√3/√5000 ≈ 0.073
  });

  test('qsgd puts |g|/‖g‖ on s levels, unbiased', () => {
    const q = optim.quantizers.qsgd(4);
    const norm = Math.hypot(...g.dataSync());
    expect(norm).toBeGreaterThan(80);
    d.manualSeed(5);
    d.tidy(() => q(g).dataSync()).forEach((v) => {
      const level = Math.abs(v) / norm * 4;
      expect(Math.abs(level - Math.round(level))).toBeLessThan(1e-3);
    });
    expect(maxBias(q, 10)).toBeLessThan(0.5); // one level is ‖g‖/4 ≈ 22; σ of the mean ≈ 11/√5000 ≈ 0.16
  });

  test('cast drives an SGD step from Q(g); memory stays flat', () => {
    const p = d.tensor([1.0001, 2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    opt.gradientQuantizer = optim.quantizers.cast({ format: 'bf16' });
    const live = () => d.memory().wasm?.tensors ?? 0;
    let before = 0;
    for (let i = 0; i < 5; i++) {
      if (i === 1) before = live();
      opt.zeroGrad();
      d.tidy(() => p.mul(d.tensor([1.00390625 * 0.5, 1])).sum().backward()); // grad 0.501953125: 9 significant bits
      opt.step();
    }
    expect(live()).toBe(before);
    // bf16 keeps 8 significant bits: 0.501953125 rounds to 0.5 (ties to even)
    expect(p.dataSync()[0]).toBeCloseTo(1.0001 - 5 * 0.5, 5);
    d.dispose([p]);
  });

  test('bad arguments are rejected when the quantizer is made', () => {
    expect(() => optim.quantizers.randomK(0)).toThrow(/k to be an integer ≥ 1, got number 0/);
    expect(() => optim.quantizers.qsgd(1.5)).toThrow(/levels to be an integer ≥ 1/);
    expect(() => optim.quantizers.cast({ format: 'int4' as 'int8' })).toThrow(/expected format 'f16', 'bf16', 'fp8e4m3', 'fp8e5m2', 'int8', got string int4/);
  });
});

describe('bad input → DescentError, nothing created, stream untouched', () => {
  test.each([
    ['an i32 tensor', () => d.quantize(d.tensor([1, 2], { dtype: 'i32' }), { format: 'f16' }), /floating tensor .* got i32/],
    ['an unknown format', () => d.quantize(d.tensor([1]), { format: 'fp4' as 'f16' }), /expected format .* got string fp4/],
    ['saturate with f16', () => d.quantize(d.tensor([1]), { format: 'f16', saturate: true }), /saturate applies to the fp8 formats, got format 'f16'/],
    ['a bad rounding', () => d.quantize(d.tensor([1]), { format: 'bf16', rounding: 'down' as 'nearest' }), /rounding 'nearest' or 'stochastic'/],
    ['an unknown option', () => d.quantize(d.tensor([1]), { format: 'bf16', scale: 2 } as object as d.QuantizeOptions), /unknown option 'scale'/],
    ['no options', () => d.quantize(d.tensor([1]), undefined as unknown as d.QuantizeOptions), /expected options/],
  ])('%s', (_, call, msg) => {
    d.manualSeed(8);
    const rng = getRngState();
    d.tidy(() => {
      const live = d.memory().wasm?.tensors ?? 0;
      expect(call).toThrow(d.DescentError);
      expect(call).toThrow(msg);
      expect(d.memory().wasm?.tensors ?? 0).toBe(live + 2); // only the two input tensors made by the calls
    });
    expect(getRngState()).toEqual(rng);
  });
});

describe('on webgpu', () => {
  // every binade of the fp8 formats and beyond (subnormals, ties, overflow), random and special values
  const values = (seed: number): number[] => {
    const out = [NaN, Infinity, -Infinity, 0, -0, 448, 464, 465, -480, 57344, 61440, 1e30, 2 ** -9, 3 * 2 ** -10, 2 ** -16, 1.5 * 2 ** -16, 0.5625, 1.0625, 2.5, 1e-8, 65504, 65520];
    let s = seed;
    for (let i = 0; i < 300; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const m = 1 + (s % 4096) / 4096;
      out.push((i % 2 ? -1 : 1) * m * 2 ** ((i % 44) - 22));
    }
    return out;
  };
  const formats = ['f16', 'bf16', 'fp8e4m3', 'fp8e5m2'] as const;

  test.each(formats)('nearest into %s: the reference device\'s values bit for bit, without a read', async (format) => {
    const v = values(7);
    const sat = format.startsWith('fp8') ? [false, true] : [false];
    await Promise.all(sat.map((saturate) => sameOnGpu(`${format} saturate=${saturate}`,
      (dev) => d.quantize(d.tensor(v, { device: dev, dtype: 'f32' }), { format, saturate }), gpuTol('exact'))));
  });

  test.each(['nearest', 'stochastic'] as const)('int8 %s: the reference device\'s values to f32 rounding (same draws), without a read', async (rounding) => {
    const v = values(11).filter(Number.isFinite);
    await sameOnGpu(`int8 ${rounding}`, (dev) => {
      d.manualSeed(5);
      return d.quantize(d.tensor(v, { device: dev, dtype: 'f32' }), { format: 'int8', rounding });
    }, gpuTol('div'));
    await sameOnGpu('int8 poisoned by inf', (dev) => d.quantize(d.tensor([1, Infinity, -2], { device: dev, dtype: 'f32' }), { format: 'int8' }), gpuTol('exact'));
    await sameOnGpu('int8 of zeros', (dev) => d.quantize(d.tensor([0, -0, 0], { device: dev, dtype: 'f32' }), { format: 'int8' }), gpuTol('exact'));
  });

  // f32 bit patterns: every exponent (f32 subnormals, NaN payloads of both signs), the binades
  // around each format's range, and the edges: ties, largest finite values, first overflows
  const EDGES = new Uint32Array(Float32Array.of(Infinity, -Infinity, 0, -0, 448, 464, 465, -480, 57344, 61440, 65504, 65519, 65520,
    3.3895313892515355e38, 3.4028234663852886e38, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 2 ** -9, 3 * 2 ** -10, 2 ** -16, 1.5 * 2 ** -16,
    2 ** -133, 1e-40, -1e-45, 0.5625, 1.0625, 2.5, 1 + 2 ** -8).buffer);
  const NANS = [0x7fc00000, 0xffc00000, 0x7fc00001, 0xffa00000, 0x7f800001]; // quiet and signalling, both signs, payloads
  function bitPatterns(n: number, seed: number): Float32Array {
    const bits = new Uint32Array(n);
    let s = seed;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const r = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) >>> 0;
      const exp = 127 - 30 + ((r >>> 23) % 50); // 2^-30 .. 2^19, or every exponent for one value in three
      bits[i] = i % 3 === 0 ? r : (((r & 1) << 31) | (exp << 23) | (r & 0x7fffff)) >>> 0;
    }
    bits.set([...NANS, ...EDGES].slice(0, n));
    return new Float32Array(bits.buffer);
  }
  const bitsOf = (f: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(f).buffer));

  test.each(formats)('stochastic into %s: the wasm kernels\' bits for the same seed, on sizes 1, 7, 1000, 65537, without a read', async (format) => {
    for (const saturate of format.startsWith('fp8') ? [false, true] : [false]) {
      for (const n of [1, 7, 1000, 65537]) {
        const x = bitPatterns(n, n);
        const run = (device: 'wasm' | 'webgpu') => d.tidy(() => {
          d.manualSeed(n);
          return d.quantize(d.tensor(x, { device }), { format, rounding: 'stochastic', saturate });
        });
        const want = run('wasm');
        const rng = getRngState();
        const got = run('webgpu');
        expect(getRngState(), 'the webgpu path draws as many words').toEqual(rng);
        expect(bitsOf(await got.data()), `${format} saturate=${saturate} n=${n}`).toEqual(bitsOf(want.dataSync()));
        d.dispose([want, got]);
      }
    }
  });

  test('stochastic rounding on webgpu is unbiased and lands on a neighbour', async () => {
    const v = 1 + 2 ** -9 + 2 ** -11; // between the bf16 neighbours 1 and 1 + 2^-7: p(up) = (2^-9 + 2^-11) / 2^-7 = 0.3125
    const copies = 20000;
    d.manualSeed(6);
    const q = await d.tidy(() => d.quantize(d.full([copies], v, { device: 'webgpu' }), { format: 'bf16', rounding: 'stochastic' })).data();
    expect(new Set(q)).toEqual(new Set([1, 1 + 2 ** -7]));
    const mean = Array.from(q).reduce((a, b) => a + b, 0) / copies;
    expect(Math.abs(mean - v)).toBeLessThan(4 * Math.sqrt(0.3125 * 0.6875 / copies) * 2 ** -7);
  });

  test('the gradient passes straight through on webgpu; bad input changes nothing', async () => {
    const x = d.tensor([0.3, -7], { device: 'webgpu', requiresGrad: true });
    d.manualSeed(3);
    d.quantize(x, { format: 'f16', rounding: 'stochastic' }).mul(d.tensor([2, 3], { device: 'webgpu' })).sum().backward();
    expect(Array.from(await x.grad!.data())).toEqual([2, 3]);
    const before = d.memory().webgpu.tensors;
    const rng = getRngState();
    expect(() => d.quantize(x, { format: 'fp8e4m3', rounding: 'up' as 'nearest' })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => d.quantize(x, { format: 'f16', rounding: 'stochastic', saturate: true })).toThrow(/saturate applies to the fp8 formats/);
    expect(d.memory().webgpu.tensors).toBe(before);
    expect(getRngState()).toEqual(rng);
    d.dispose([x, x.grad]);
  });
});
