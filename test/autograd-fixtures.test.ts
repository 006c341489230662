// Autograd against PyTorch 1.13 (test/fixtures/autograd.json, from gen_autograd.py): MLP
// gradients with tanh and relu under MSE and cross-entropy, broadcast and reduction compositions,
// norms and extremes, batched broadcast matmul with softmax. f64 on the reference device, f32 on wasm.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

interface Enc { shape: number[]; dtype: 'f64' | 'i32'; data: number[] }
interface Case { name: string; fn: string; opts: Record<string, string>; inputs: Record<string, Enc>; out: Enc; grads: Record<string, Enc> }

const cases: Case[] = JSON.parse(readFileSync(new URL('./fixtures/autograd.json', import.meta.url), 'utf8'));
const F = d.nn.functional;

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

type T = Record<string, d.Tensor>;
const programs: Record<string, (t: T, o: Record<string, string>) => d.Tensor> = {
  mlp: (t, o) => {
    const h0 = t.x.matmul(t.W1).add(t.b1);
    const h = o.act === 'tanh' ? h0.tanh() : h0.relu();
    const out = h.matmul(t.W2).add(t.b2);
    return o.loss === 'mse' ? F.mseLoss(out, t.target) : F.crossEntropy(out, t.target);
  },
  compose1: ({ a, b, c }) => a.mul(b).add(c).tanh().sum(1).div(c.exp().sum()).pow(2).mean().add(a.logsumexp(1).std()),
  compose2: ({ a, c }) => a.norm(2, 1).sum().add(a.sub(c).abs().max(0).sum()).add(a.norm(1).mul(c.var())),
  compose3: ({ a, b }) => a.matmul(b).sigmoid().prod(-1).sum().add(F.softmax(a.matmul(b), -1).slice(-1, 0, 1).sum()),
};

function build(e: Enc, device: d.Device, float: 'f64' | 'f32', requiresGrad: boolean): d.Tensor {
  const data = e.dtype === 'i32' ? Int32Array.from(e.data) : Float64Array.from(e.data);
  return d.tensor(data, { shape: e.shape, dtype: e.dtype === 'i32' ? 'i32' : float, device, requiresGrad: requiresGrad && e.dtype !== 'i32' });
}

function expectClose(got: d.Tensor, want: Enc, rtol: number, atol: number, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const g = got.dataSync();
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i] - w) <= atol + rtol * Math.abs(w))) expect.fail(`${what}[${i}]: got ${g[i]}, want ${w}`);
  });
}

for (const [device, float, rtol, atol] of [['reference', 'f64', 1e-10, 1e-12], ['wasm', 'f32', 1e-4, 1e-5]] as const) {
  describe(`autograd vs PyTorch (${device}, ${float})`, () => {
    test.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
      d.tidy(() => {
        const t: T = Object.fromEntries(Object.entries(c.inputs).map(([k, e]) => [k, build(e, device, float, k in c.grads)]));
        const out = programs[c.fn](t, c.opts);
        expectClose(out, c.out, rtol, atol, 'value');
        out.backward();
        for (const [k, g] of Object.entries(c.grads)) expectClose(t[k].grad!, g, rtol, atol, `grad ${k}`);
      });
    });
  });
}
