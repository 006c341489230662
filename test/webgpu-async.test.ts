// Host decisions on webgpu through the async entry points: GradScaler.stepAsync/updateAsync replay
// torch 1.13's fixture trajectory (test/fixtures/gradscaler.json), the sync entry points refuse
// webgpu naming the async one and change nothing.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { initSoftwareGpu } from './helpers/gpu.js';

beforeAll(initSoftwareGpu);
const { amp, optim } = d;

const fx = JSON.parse(readFileSync(new URL('./fixtures/gradscaler.json', import.meta.url), 'utf8')) as {
  init: d.amp.GradScalerOptions; p0: number[]; lr: number;
  steps: { factor: string; scaleBefore: number; grad: string[]; param: number[]; scale: number; state: d.amp.GradScalerState }[];
};
const pyFloat = (v: string): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : Number(v));

describe('GradScaler on webgpu', () => {
  test('stepAsync/updateAsync replay torch 1.13 step for step: skips, backoff, growth, newScale, clipping', async () => {
    const p = d.tensor(fx.p0, { requiresGrad: true, device: 'webgpu' });
    const opt = new optim.SGD([p], { lr: fx.lr });
    const scaler = new amp.GradScaler(fx.init);
    const before = d.memory().webgpu.tensors;
    for (const [i, s] of fx.steps.entries()) {
      opt.zeroGrad();
      d.tidy(() => scaler.scale(p.mul(p).sum().mul(pyFloat(s.factor))).backward());
      scaler.unscale(opt);
      expect(Array.from(await p.grad!.data()), `grad at step ${i}`).toEqual(s.grad.map((v) => Math.fround(pyFloat(v))));
      if (i === 4) d.nn.utils.clipGradNormTensor([p], 0.5).dispose();
      await scaler.stepAsync(opt);
      expect(scaler.getScale(), `scale before update ${i}`).toBe(s.scaleBefore);
      await scaler.updateAsync(i === 15 ? 2 ** 20 : undefined);
      Array.from(await p.data()).forEach((v, j) => expect(v, `param ${j} after step ${i}`).toBeCloseTo(s.param[j], 5));
      expect(scaler.stateDict()).toEqual(s.state);
    }
    opt.zeroGrad();
    expect(d.memory().webgpu.tensors).toBeLessThanOrEqual(before);
    p.dispose();
  });

  test('unscale keeps found-inf on the device; step and update refuse naming the async call, nothing changes', async () => {
    const p = d.tensor([1, 2], { requiresGrad: true, device: 'webgpu' });
    const opt = new optim.SGD([p], { lr: 0.5 });
    const scaler = new amp.GradScaler({ initScale: 4 });
    d.tidy(() => scaler.scale(p.mul(p).sum()).backward());
    scaler.unscale(opt);
    expect(() => scaler.update()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('await scaler.updateAsync()') }));
    expect(() => scaler.step(opt)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('await scaler.stepAsync(optimizer)') }));
    expect(Array.from(await p.data())).toEqual([1, 2]);
    expect(scaler.stateDict()).toMatchObject({ scale: 4, _growth_tracker: 0 });
    await scaler.stepAsync(opt); // the refused calls left the stage 'unscaled'
    expect(Array.from(await p.data())).toEqual([0, 0]);
    await scaler.updateAsync();
    expect(scaler.stateDict()).toMatchObject({ scale: 4, _growth_tracker: 1 });
    d.dispose([p, p.grad]);
  });
});
