// amp: GradScaler follows torch 1.13's bookkeeping step for step (gradscaler.json from
// test/fixtures/gen_gradscaler.py), rejects misuse as torch raises; autocast rounds matmul
// operands (linear, conv2d) to bf16/f16 with f32 accumulation, nests, and restores its state.

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
  const round = (t: d.Tensor, dt: 'bf16' | 'f16') => (dt === 'bf16' ? t.bfloat16() : t.half()).float();

  test.each(['wasm', 'reference'] as const)('matmul on %s: operands rounded, f32 accumulation and result', (device) => {
    d.manualSeed(1);
    d.tidy(() => {
      const a = d.randn([17, 33], { device }), b = d.randn([33, 9], { device });
      for (const dt of ['bf16', 'f16'] as const) {
        const y = amp.autocast({ dtype: dt }, () => a.matmul(b));
        expect(y.dtype).toBe('f32');
        const want = round(a, dt).matmul(round(b, dt));
        expect(y.sub(want).abs().max().item()).toBeLessThan(1e-5);
        expect(y.sub(a.matmul(b)).abs().max().item()).toBeGreaterThan(1e-4); // the rounding is real
      }
    });
  });

  test('linear and conv2d run on rounded operands; gradients reach the f32 masters', () => {
    d.manualSeed(2);
    const lin = new nn.Linear(13, 5);
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = d.randn([4, 13]);
    const img = d.randn([2, 2, 5, 5]);
    d.tidy(() => {
      const y = amp.autocast({ dtype: 'bf16' }, () => lin.call(x));
      const want = round(x, 'bf16').matmul(round(lin.weight, 'bf16').transpose(0, 1)).add(lin.bias as d.Tensor);
      expect(y.sub(want).abs().max().item()).toBeLessThan(1e-5);
      y.sum().backward();
      expect(lin.weight.grad!.dtype).toBe('f32');
      // dL/dW = 1ᵀ·x̃ with x̃ the rounded input; it reaches W through the bf16 cast of W, so it is
      // rounded to bf16 on the way, as in torch
      const gw = round(d.ones([4, 5]).transpose(0, 1).matmul(round(x, 'bf16')), 'bf16');
      expect(lin.weight.grad!.sub(gw).abs().max().item()).toBe(0);
      const yc = amp.autocast({ dtype: 'f16' }, () => conv.call(img));
      const wantc = nn.functional.conv2d(round(img, 'f16'), round(conv.weight, 'f16'), conv.bias!, { padding: 1 });
      expect(yc.sub(wantc).abs().max().item()).toBeLessThan(1e-5);
    });
    lin.dispose(); conv.dispose(); d.dispose([x, img]);
  });

  test('regions nest, enabled: false turns it off, the outer setting returns (also after a throw)', () => {
    d.manualSeed(3);
    d.tidy(() => {
      const a = d.randn([8, 8]), b = d.randn([8, 8]);
      const plain = a.matmul(b);
      amp.autocast({ dtype: 'bf16' }, () => {
        expect(amp.autocast({ enabled: false }, () => a.matmul(b)).sub(plain).abs().max().item()).toBe(0);
        expect(amp.autocast({ dtype: 'f16' }, () => amp.autocastDtype())).toBe('f16');
        expect(() => amp.autocast({ enabled: false }, () => { throw new Error('inner'); })).toThrow('inner');
        expect(amp.autocastDtype()).toBe('bf16');
      });
      expect(amp.autocastDtype()).toBe(null);
      const f64 = amp.autocast({}, () => a.to('f64').matmul(b.to('f64')));
      expect(f64.dtype).toBe('f64'); // f64 is left alone
    });
  });

  test.each([
    [{ dtype: 'f64' }, /dtype 'bf16' or 'f16', got string f64/],
    [{ dtype: 'fp8e4m3' }, /dtype 'bf16' or 'f16'/],
    [{ enabled: 'yes' }, /enabled to be a boolean/],
    [{ cacheEnabled: true }, /unknown option 'cacheEnabled'/],
  ])('%o → DescentError, fn not run', (opts, msg) => {
    let ran = false;
    expect(() => amp.autocast(opts as d.amp.AutocastOptions, () => { ran = true; })).toThrow(msg);
    expect(ran).toBe(false);
    expect(amp.autocastDtype()).toBe(null);
  });
});
