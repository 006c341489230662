// amp: GradScaler follows torch 1.13's bookkeeping step for step (gradscaler.json from
// test/fixtures/gen_gradscaler.py), rejects misuse as torch raises; autocast follows torch's cast
// lists (autocast.json from gen_autocast.py: torch 1.13 CPU bf16 nets), nests, restores its state.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

await d.init({ device: 'wasm' });
const { amp, nn, optim } = d;

const fx = JSON.parse(readFileSync(new URL('./fixtures/gradscaler.json', import.meta.url), 'utf8')) as {
  init: d.amp.GradScalerOptions; p0: number[]; lr: number; errors: Record<string, string>;
  steps: { factor: string; scaleBefore: number; grad: string[]; param: number[]; scale: number; state: d.amp.GradScalerState }[];
};

/** Python's float repr ('inf', 'nan', '1.25') → the f32 number. */
const pyFloat = (v: string): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : Number(v));
const py = (v: string): number => Math.fround(pyFloat(v));

describe('GradScaler', () => {
  test('matches torch 1.13 step for step: skips, backoff, growth (not to Inf), newScale, clipping after unscale', () => {
    const p = d.tensor(fx.p0, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: fx.lr });
    const scaler = new amp.GradScaler(fx.init);
    fx.steps.forEach((s, i) => {
      opt.zeroGrad();
      d.tidy(() => scaler.scale(p.mul(p).sum().mul(pyFloat(s.factor))).backward());
      scaler.unscale(opt);
      expect(Array.from(p.grad!.dataSync()), `grad at step ${i}`).toEqual(s.grad.map(py));
      if (i === 4) nn.utils.clipGradNorm([p], 0.5);
      scaler.step(opt);
      expect(scaler.getScale(), `scale before update ${i}`).toBe(s.scaleBefore);
      scaler.update(i === 15 ? 2 ** 20 : undefined);
      Array.from(p.dataSync()).forEach((v, j) => expect(v, `param ${j} after step ${i}`).toBeCloseTo(s.param[j], 6));
      expect(scaler.getScale()).toBe(s.scale);
      expect(scaler.stateDict()).toEqual(s.state);
    });
    p.dispose();
  });

  test('misuse throws BAD_STATE with torch\'s words, and nothing changes', () => {
    const p = d.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    const scaler = new amp.GradScaler({ initScale: 4 });
    expect(() => scaler.update()).toThrow(/no inf checks were recorded prior to update/);
    d.tidy(() => scaler.scale(p.sum()).backward());
    scaler.unscale(opt);
    const grad = Array.from(p.grad!.dataSync());
    expect(grad).toEqual([1, 1]);
    // torch: 'unscale_() has already been called on this optimizer since the last update().'
    expect(fx.errors.unscaleTwice).toMatch(/has already been called on this optimizer since the last update\(\)/);
    expect(() => scaler.unscale(opt)).toThrow(/unscale\(\) has already been called on this optimizer since the last update\(\)/);
    expect(() => scaler.unscale(opt)).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
    expect(Array.from(p.grad!.dataSync())).toEqual(grad); // not divided twice
    scaler.step(opt);
    expect(() => scaler.step(opt)).toThrow(fx.errors.stepTwice.replace(/\.$/, ''));
    expect(() => scaler.unscale(opt)).toThrow(/unscale\(\) is being called after step\(\)/);
    expect(Array.from(p.dataSync())).toEqual([Math.fround(0.9), Math.fround(1.9)]); // one step only
    scaler.update();
    expect(scaler.getScale()).toBe(4);
    p.dispose();
  });

  test.each([
    [{ initScale: Infinity }, /initScale/], [{ initScale: NaN }, /initScale/], [{ initScale: 0 }, /initScale/],
    [{ growthFactor: 1 }, /growthFactor/], [{ backoffFactor: 1 }, /backoffFactor/], [{ growthInterval: 0 }, /growthInterval/],
    [{ growthInterval: 1.5 }, /growthInterval/], [{ enabled: 1 }, /enabled/], [{ scale: 2 }, /unknown option 'scale'/],
  ])('options %o → BAD_OPTION', (opts, msg) => {
    expect(() => new amp.GradScaler(opts as d.amp.GradScalerOptions)).toThrow(msg);
    expect(() => new amp.GradScaler(opts as d.amp.GradScalerOptions)).toThrow(d.DescentError);
  });

  test('stateDict round trip; a bad or empty state is rejected whole', () => {
    const a = new amp.GradScaler({ initScale: 1024, growthInterval: 7 });
    const b = new amp.GradScaler();
    b.loadStateDict(a.stateDict() as d.amp.GradScalerState);
    expect(b.stateDict()).toEqual({ scale: 1024, growth_factor: 2, backoff_factor: 0.5, growth_interval: 7, _growth_tracker: 0 });
    const before = b.stateDict();
    expect(() => b.loadStateDict({ ...before, _growth_tracker: -1 } as d.amp.GradScalerState)).toThrow(/_growth_tracker/);
    expect(() => b.loadStateDict({ ...before, scale: Infinity } as d.amp.GradScalerState)).toThrow(/scale/);
    expect(() => b.loadStateDict({} as d.amp.GradScalerState)).toThrow(/state dict is empty/);
    expect(b.stateDict()).toEqual(before);
    expect(() => b.update(NaN)).toThrow(/newScale/);
  });

  test('disabled: every method passes through', () => {
    const p = d.tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const scaler = new amp.GradScaler({ enabled: false });
    const loss = p.sum();
    expect(scaler.scale(loss)).toBe(loss);
    loss.backward();
    scaler.unscale(opt);
    scaler.step(opt);
    scaler.update();
    expect([scaler.getScale(), scaler.stateDict(), p.item()]).toEqual([1, {}, 0]);
    d.dispose([p, loss]);
  });
});

describe('autocast', () => {
  type Half = 'bf16' | 'f16';
  type Net = { x: number[]; xShape: number[]; params: { shape: number[]; value: number[]; grad: number[]; gradDtype: string }[]; ops: { op: string; dtype: string; shape: number[]; value: number[] }[] };
  const ac = JSON.parse(readFileSync(new URL('./fixtures/autocast.json', import.meta.url), 'utf8')) as {
    mlp: Net; conv: Net; single: { y: number[]; t: number[]; ops: Record<string, { cpu: string; f32_value: number[] }> };
  };
  const round = (t: d.Tensor, dt: Half) => (dt === 'bf16' ? t.bfloat16() : t.half()).float();
  /** Largest |got − want| over (|want| + floor): a relative error, with floor guarding zeros. */
  const relErr = (got: d.Tensor, want: number[], floor = 1e-2) => {
    const g = got.float().dataSync();
    return want.reduce((m, w, i) => Math.max(m, Math.abs(g[i] - w) / (Math.abs(w) + floor)), 0);
  };

  test.each([
    ['mlp', (p: d.Tensor[], x: d.Tensor) => {
      const h = nn.functional.linear(x, p[0], p[1]), a = nn.functional.relu(h), z = nn.functional.linear(a, p[2], p[3]);
      return [h, a, z, nn.functional.crossEntropy(z, d.tensor([0, 3, 1, 4, 2, 2], { dtype: 'i32' }))];
    }],
    ['conv', (p: d.Tensor[], x: d.Tensor) => {
      const c = nn.functional.conv2d(x, p[0], p[1], { padding: 1 }), a = nn.functional.relu(c);
      const z = nn.functional.linear(a.reshape([2, 75]), p[2], p[3]);
      return [c, a, z, nn.functional.mseLoss(z, d.linspace(-1, 1, 8).reshape([2, 4]))];
    }],
  ] as const)('%s net matches torch 1.13 CPU bf16 autocast: per-op dtypes, outputs, loss, f32 master gradients', (name, forward) => {
    const fx = ac[name];
    const params = fx.params.map((p) => d.tensor(new Float32Array(p.value), { shape: p.shape, requiresGrad: true }));
    d.tidy(() => {
      const x = d.tensor(fx.x).reshape(fx.xShape);
      const outs = amp.autocast({ dtype: 'bf16' }, () => forward(params, x));
      fx.ops.forEach((o, i) => {
        expect(outs[i].dtype, o.op).toBe(o.dtype);
        expect(outs[i].shape, o.op).toEqual(o.shape);
        expect(relErr(outs[i], o.value), o.op).toBeLessThan(2 ** -7); // within a bf16 rounding step
      });
      outs[outs.length - 1].backward();
    });
    params.forEach((p, i) => {
      expect(p.grad!.dtype).toBe(fx.params[i].gradDtype);
      // a few bf16 roundings along the backward chain (torch's order differs): judged against the largest entry
      const scale = Math.max(...fx.params[i].grad.map(Math.abs));
      expect(relErr(p.grad!, fx.params[i].grad, scale), `grad ${i}`).toBeLessThan(2 ** -7);
    });
    d.dispose(params);
  });

  test('fp32-list ops upcast bf16 inputs and return f32 (torch\'s CUDA list); promote ops take the widest dtype', () => {
    const y = d.tensor(ac.single.y).reshape([5, 6]).bfloat16(), t = d.tensor(ac.single.t).reshape([5, 6]);
    const F = nn.functional;
    const ops: Record<string, () => d.Tensor> = {
      softmax: () => F.softmax(y, -1), logSoftmax: () => F.logSoftmax(y, -1), layerNorm: () => F.layerNorm(y, [6]),
      sum: () => y.sum(1), mean: () => y.mean(0), var: () => y.var(1), exp: () => d.exp(y), log: () => y.abs().log(),
      pow: () => y.pow(3), cumsum: () => d.cumsum(y, 1), mseLoss: () => F.mseLoss(y, t),
      add: () => y.add(t), mul: () => y.mul(t), cat: () => d.cat([y, t]), relu: () => F.relu(y),
    };
    d.tidy(() => {
      for (const [name, op] of Object.entries(ops)) {
        const r = amp.autocast({ dtype: 'bf16' }, op), want = ac.single.ops[name];
        // torch's CPU list keeps softmax…cumsum in bf16 (want.cpu); descent follows the fp32 list
        expect(r.dtype, name).toBe(['relu'].includes(name) ? 'bf16' : 'f32');
        if (r.dtype === want.cpu) expect(name).toMatch(/^(mseLoss|add|mul|cat|relu)$/);
        expect(relErr(r, want.f32_value, 1e-3), name).toBeLessThan(name === 'relu' ? 2 ** -8 : 1e-5);
      }
      expect(amp.autocast({ dtype: 'bf16' }, () => d.exp(t)).dtype).toBe('f32');
      expect(d.exp(y).dtype).toBe('bf16'); // outside a region a bf16 op stays bf16
    });
    d.dispose([y, t]);
  });

  test.each(['wasm', 'reference'] as const)('matmul on %s: rounded operands, f32 accumulation, one rounding to the half dtype', (device) => {
    d.manualSeed(1);
    d.tidy(() => {
      const a = d.randn([17, 33], { device }), b = d.randn([33, 9], { device });
      for (const dt of ['bf16', 'f16'] as const) {
        const y = amp.autocast({ dtype: dt }, () => a.matmul(b));
        expect(y.dtype).toBe(dt);
        const acc = round(a, dt).matmul(round(b, dt));
        // the f32 accumulator rounded once; a different summation order may flip a last bit
        const ulp = dt === 'bf16' ? 2 ** -8 : 2 ** -11;
        expect(y.float().sub(acc).abs().sub(acc.abs().mul(ulp)).max().item()).toBeLessThanOrEqual(1e-7);
        expect(y.float().sub(acc).abs().max().item()).toBeGreaterThan(0); // the output rounding is real
      }
    });
  });

  test('linear and conv2d return the half dtype; gradients reach the f32 masters through the casts', () => {
    d.manualSeed(2);
    const lin = new nn.Linear(13, 5);
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = d.randn([4, 13]);
    const img = d.randn([2, 2, 5, 5]);
    d.tidy(() => {
      const y = amp.autocast({ dtype: 'bf16' }, () => lin.call(x));
      expect(y.dtype).toBe('bf16');
      // bias rounded as torch casts it, added to the f32 accumulator, the sum rounded once
      const want = round(x, 'bf16').matmul(round(lin.weight, 'bf16').transpose(0, 1)).add(round(lin.bias as d.Tensor, 'bf16')).bfloat16();
      expect(y.float().sub(want.float()).abs().max().item()).toBeLessThanOrEqual(2 ** -8 * want.float().abs().max().item());
      y.float().sum().backward();
      expect([lin.weight.grad!.dtype, lin.bias!.grad!.dtype]).toEqual(['f32', 'f32']);
      // dL/dW = 1ᵀ·x̃ with x̃ the rounded input, rounded to bf16 on its way through W's cast, as in torch
      const gw = round(d.ones([4, 5]).transpose(0, 1).matmul(round(x, 'bf16')), 'bf16');
      expect(lin.weight.grad!.sub(gw).abs().max().item()).toBe(0);
      const yc = amp.autocast({ dtype: 'f16' }, () => conv.call(img));
      expect(yc.dtype).toBe('f16');
      const wantc = nn.functional.conv2d(round(img, 'f16'), round(conv.weight, 'f16'), round(conv.bias!, 'f16'), { padding: 1 });
      expect(yc.float().sub(wantc).abs().max().item()).toBeLessThanOrEqual(2 ** -11 * wantc.abs().max().item());
    });
    lin.dispose(); conv.dispose(); d.dispose([x, img]);
  });

  test('regions nest and switch dtype, enabled: false turns it off, the outer setting returns (also after a throw)', () => {
    d.manualSeed(3);
    d.tidy(() => {
      const a = d.randn([8, 8]), b = d.randn([8, 8]);
      const plain = a.matmul(b);
      amp.autocast({ dtype: 'bf16' }, () => {
        const off = amp.autocast({ enabled: false }, () => a.matmul(b));
        expect([off.dtype, off.sub(plain).abs().max().item()]).toEqual(['f32', 0]);
        expect(amp.autocast({ dtype: 'f16' }, () => a.matmul(b)).dtype).toBe('f16');
        expect(a.matmul(b).dtype).toBe('bf16');
        expect(() => amp.autocast({ enabled: false }, () => { throw new Error('inner'); })).toThrow('inner');
        expect(amp.autocastDtype()).toBe('bf16');
      });
      expect(amp.autocastDtype()).toBe(null);
      const f64 = amp.autocast({}, () => a.to('f64').matmul(b.to('f64')));
      expect(f64.dtype).toBe('f64'); // f64 is left alone
    });
  });

  test('a parameter used twice in a region is cast once; the cast goes with the outermost region', () => {
    d.manualSeed(5);
    const lin = new nn.Linear(64, 64);
    const x = d.randn([1, 64]);
    const outside = d.memory().wasm;
    d.tidy(() => {
      const [y1, y2] = amp.autocast({ dtype: 'bf16' }, () => {
        const m0 = d.memory().wasm.bytes;
        const first = lin.call(x);
        const m1 = d.memory().wasm.bytes;
        const second = amp.autocast({ dtype: 'bf16' }, () => lin.call(x)); // nested: same cache
        const m2 = d.memory().wasm.bytes;
        expect((m1 - m0) - (m2 - m1)).toBe(2 * (64 * 64 + 64)); // no second bf16 weight and bias
        return [first, second];
      });
      y1.float().sum().add(y2.float().sum()).backward(); // after the region: the tape kept the cast
      const gw = round(d.ones([1, 64]).transpose(0, 1).matmul(round(x, 'bf16')), 'bf16');
      expect(lin.weight.grad!.sub(gw.mul(2)).abs().max().item()).toBe(0);
    });
    lin.zeroGrad();
    expect(d.memory().wasm.tensors).toBe(outside.tensors);
    lin.dispose(); x.dispose();
  });

  test('a cast made under noGrad is not cached: a later differentiable use still reaches the parameter', () => {
    d.manualSeed(6);
    const lin = new nn.Linear(7, 3);
    const x = d.randn([2, 7]);
    d.tidy(() => {
      const y = amp.autocast({ dtype: 'bf16' }, () => {
        d.noGrad(() => lin.call(x));
        return lin.call(x);
      });
      y.float().sum().backward();
      const gw = round(d.ones([2, 3]).transpose(0, 1).matmul(round(x, 'bf16')), 'bf16');
      expect(lin.weight.grad!.sub(gw).abs().max().item()).toBe(0);
    });
    lin.dispose(); x.dispose();
  });

  test('a training loop in a region keeps memory() flat', () => {
    d.manualSeed(4);
    const lin = new nn.Linear(9, 4);
    const x = d.randn([5, 9]), target = d.randn([5, 4]);
    const step = () => d.tidy(() => {
      lin.zeroGrad();
      amp.autocast({ dtype: 'bf16' }, () => nn.functional.mseLoss(nn.functional.softmax(lin.call(x), -1), target)).backward();
    });
    step();
    const before = d.memory().wasm;
    for (let i = 0; i < 5; i++) step();
    expect(d.memory().wasm).toEqual(before);
    lin.dispose(); d.dispose([x, target]);
  });

  test.each([
    [{ dtype: 'f64' }, /dtype 'bf16' or 'f16', got string f64/],
    [{ dtype: 'fp8e4m3' }, /dtype 'bf16' or 'f16'/],
    [{ enabled: 'yes' }, /enabled to be a boolean/],
    [{ cacheEnabled: true }, /unknown option 'cacheEnabled'/],
    [null, /expected options/],
  ])('%o → DescentError, fn not run', (opts, msg) => {
    let ran = false;
    expect(() => amp.autocast(opts as d.amp.AutocastOptions, () => { ran = true; })).toThrow(msg);
    expect(() => amp.autocast(opts as d.amp.AutocastOptions, () => { ran = true; })).toThrow(d.DescentError);
    expect(ran).toBe(false);
    expect(amp.autocastDtype()).toBe(null);
  });

  test('a body that is not a function → DescentError, the region never opens', () => {
    expect(() => amp.autocast({ dtype: 'bf16' }, 42 as unknown as () => void)).toThrow(/expected a function to run, got number 42/);
    expect(() => amp.autocast({ dtype: 'bf16' }, 42 as unknown as () => void)).toThrow(d.DescentError);
    expect(amp.autocastDtype()).toBe(null);
  });
});
