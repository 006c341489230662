// Host decisions on webgpu through the async entry points: GradScaler.stepAsync/updateAsync replay
// torch 1.13's fixture trajectory (test/fixtures/gradscaler.json), LBFGS.stepAsync follows the sync
// step on reference; the sync entry points refuse webgpu naming the async one and change nothing.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { expectClose } from './helpers/compare.js';
import { gpuTol, initSoftwareGpu } from './helpers/gpu.js';

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

describe('LBFGS on webgpu', () => {
  /** Rosenbrock from (-1.2, 1) (and a second parameter tensor), 2 outer steps of 4 iterations each. */
  const rosenbrock = async (device: d.Device, lineSearchFn: 'strong_wolfe' | null): Promise<number[]> => {
    const x = d.tensor([-1.2], { device, requiresGrad: true });
    const y = d.tensor([1], { device, requiresGrad: true });
    const opt = new optim.LBFGS([x, y], { maxIter: 4, lineSearchFn, lr: lineSearchFn ? 1 : 0.05 });
    const closure = (): d.Tensor => {
      opt.zeroGrad();
      const loss = d.add(d.square(d.sub(1, x)), d.mul(d.square(d.sub(y, d.square(x))), 100)).sum();
      loss.backward();
      return loss;
    };
    const losses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const loss = (device === 'webgpu' ? await opt.stepAsync(closure) : opt.step(closure)) as d.Tensor;
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
    const out = [...losses, (await x.data())[0], (await y.data())[0]];
    d.dispose([x, y, x.grad, y.grad, [...opt.state.values()]]);
    return out;
  };

  test.each(['strong_wolfe', null] as const)('stepAsync (lineSearchFn %s) follows the sync step on reference', async (ls) => {
    const before = d.memory().webgpu.tensors;
    const got = await rosenbrock('webgpu', ls);
    expect(got[1]).toBeLessThan(got[0] * 0.9); // the steps made progress: the comparison is not of two idle runs
    expectClose(Float64Array.from(got), Float64Array.from(await rosenbrock('reference', ls)), gpuTol('training'), `LBFGS ${ls}`);
    expect(d.memory().webgpu.tensors).toBe(before);
  });

  test('step refuses webgpu parameters naming stepAsync, and nothing changes', async () => {
    const x = d.tensor([3, 4], { device: 'webgpu', requiresGrad: true });
    const opt = new optim.LBFGS([x]);
    const closure = (): d.Tensor => { opt.zeroGrad(); const l = x.square().sum(); l.backward(); return l; };
    expect(() => opt.step(closure)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('await opt.stepAsync(closure)') }));
    expect(Array.from(await x.data())).toEqual([3, 4]);
    expect(opt.stateDict().state).toEqual({});
    d.dispose([x, x.grad]);
  });
});
