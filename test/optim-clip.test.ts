// clipGradNorm / clipGradValue against torch.nn.utils (test/fixtures/optim_clip.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { clipGradNorm, clipGradNormTensor, clipGradValue } from '../ts/optim/index.js';
import { DescentError } from '../ts/errors.js';

interface Case { fn: 'norm' | 'value'; dtype: 'float64' | 'float32'; normType?: number | 'inf'; maxNorm?: number; clipValue?: number; total?: number; out: number[][] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/optim_clip.json', import.meta.url), 'utf8')) as
  { shapes: number[][]; grads: number[][]; cases: Case[] };

function params(dtype: 'f64' | 'f32'): d.Tensor[] {
  return fx.shapes.map((s, i) => {
    const p = d.zeros(s, { dtype, requiresGrad: true });
    p.grad = d.tensor(Float64Array.from(fx.grads[i]), { dtype, shape: s });
    return p;
  });
}

describe('gradient clipping matches torch', () => {
  for (const c of fx.cases) {
    it(`${c.fn} ${c.dtype} p=${c.normType ?? ''} max=${c.maxNorm ?? c.clipValue}`, () => {
      const dt = c.dtype === 'float64' ? 'f64' : 'f32';
      const tol = dt === 'f64' ? 1e-12 : 2e-6;
      const ps = params(dt);
      if (c.fn === 'norm') {
        const total = clipGradNorm(ps, c.maxNorm!, c.normType === 'inf' ? Infinity : c.normType);
        expect(Math.abs(total - c.total!) / c.total!).toBeLessThan(tol);
      } else {
        clipGradValue(ps, c.clipValue!);
      }
      ps.forEach((p, i) => Array.from(p.grad!.dataSync()).forEach((v, k) => {
        const w = c.out[i][k];
        if (Math.abs(v - w) > tol * Math.max(Math.abs(w), 1e-3)) expect.fail(`grad ${i}[${k}]: ${v} vs torch ${w}`);
      }));
    });
  }

  it('clipGradNormTensor gives clipGradNorm\'s total as a 0-d tensor and the same gradients', () => {
    for (const c of fx.cases.filter((x) => x.fn === 'norm' && x.dtype === 'float64')) {
      const p = c.normType === 'inf' ? Infinity : c.normType;
      const [a, b] = [params('f64'), params('f64')];
      const total = clipGradNormTensor(a, c.maxNorm!, p);
      expect(total.shape).toEqual([]);
      expect(total.item()).toBe(clipGradNorm(b, c.maxNorm!, p));
      a.forEach((q, i) => expect(Array.from(q.grad!.dataSync())).toEqual(Array.from(b[i].grad!.dataSync())));
      total.dispose();
    }
    expect(() => clipGradNormTensor(params('f64'), -1)).toThrow(/clipGradNormTensor.*maxNorm/);
  });

  it('errorIfNonfinite throws on an infinite norm and leaves gradients alone', () => {
    const ps = params('f64');
    ps[0].grad = d.tensor([[Infinity, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], { dtype: 'f64' });
    expect(() => clipGradNorm(ps, 1, 2, { errorIfNonfinite: true })).toThrow(DescentError);
    expect(ps[1].grad!.dataSync()[0]).toBe(fx.grads[1][0]);
  });

  it('bad arguments name themselves', () => {
    const ps = params('f64');
    expect(() => clipGradNorm(ps, -1)).toThrow(/maxNorm/);
    expect(() => clipGradNorm(ps, 1, 0)).toThrow(/normType/);
    expect(() => clipGradNorm(ps, 1, 2, { error_if_nonfinite: true } as never)).toThrow(/error_if_nonfinite/);
    expect(() => clipGradValue(ps, NaN)).toThrow(/clipValue/);
    expect(() => clipGradNorm([1] as never, 1)).toThrow(/params\[0\]/);
  });

  it('parameters without gradients are skipped; no gradients gives a total of 0', () => {
    const p = d.zeros([2], { dtype: 'f64', requiresGrad: true });
    expect(clipGradNorm([p], 1)).toBe(0);
  });
});
