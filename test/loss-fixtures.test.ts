// Every loss with every option against PyTorch 1.13 (test/fixtures/losses.json, made by
// gen_autograd.py): value and gradient of sum(loss) w.r.t. the input, in f64 on the reference
// device (tight) and in f32 on wasm (where crossEntropy takes the fused kernel when it applies).

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

interface Enc { shape: number[]; dtype: 'f64' | 'i32'; data: number[] }
interface Case { name: string; fn: string; opts: Record<string, unknown>; inputs: Record<string, Enc>; out: Enc; grads: Record<string, Enc> }

const cases: Case[] = JSON.parse(readFileSync(new URL('./fixtures/losses.json', import.meta.url), 'utf8'));
const F = d.nn.functional as unknown as Record<string, (x: d.Tensor, y: d.Tensor, o?: object) => d.Tensor>;

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

function build(e: Enc, device: d.Device, float: 'f64' | 'f32', requiresGrad = false): d.Tensor {
  const dtype = e.dtype === 'i32' ? 'i32' : float;
  const data = dtype === 'i32' ? Int32Array.from(e.data) : Float64Array.from(e.data);
  return d.tensor(data, { shape: e.shape, dtype, device, requiresGrad });
}

export function expectClose(got: d.Tensor, want: Enc, rtol: number, atol: number, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = got.dataSync();
  want.data.forEach((w, i) => {
    const ok = Math.abs(g[i] - w) <= atol + rtol * Math.abs(w) || (Number.isNaN(w) && Number.isNaN(g[i]));
    if (!ok) expect.fail(`${what}[${i}]: got ${g[i]}, want ${w}`);
  });
}

const devices = [['reference', 'f64', 1e-10, 1e-12], ['wasm', 'f32', 2e-4, 2e-5]] as const;

for (const [device, float, rtol, atol] of devices) {
  describe(`losses vs PyTorch (${device}, ${float})`, () => {
    test.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
      d.tidy(() => {
        const x = build(c.inputs.input, device, float, true);
        const y = build(c.inputs.target, device, float);
        const opts: Record<string, unknown> = { ...c.opts };
        for (const k of ['weight', 'posWeight']) if (c.inputs[k]) opts[k] = build(c.inputs[k], device, float);
        const out = F[c.fn](x, y, opts);
        // the extreme-logit rows reach 2e4: f32 keeps ~1e-3 absolute there
        const a = c.name.includes('extreme') && float === 'f32' ? 4e-3 : atol;
        expectClose(out, c.out, rtol, a, 'loss');
        out.sum().backward();
        expectClose(x.grad!, c.grads.input, rtol, atol, 'grad');
      });
    });
  });
}
