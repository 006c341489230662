// The everyday ops of issue 8 against PyTorch 1.13 (test/fixtures/everyday.json, from
// gen_everyday.py): values and the gradients of sum(out · gout), in f64 on the reference device
// and in f32 on wasm.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';

interface Enc { shape: number[]; dtype: 'f64' | 'i32'; data: number[] }
type Opts = Record<string, string | number | boolean>;
interface Case { name: string; fn: string; opts: Opts; inputs: Record<string, Enc>; outs: Enc[]; gout?: Enc; grads: Record<string, Enc> }

const cases: Case[] = JSON.parse(readFileSync(new URL('./fixtures/everyday.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

type T = Record<string, d.Tensor>;
const pair = (r: d.Sorted): d.Tensor[] => [r.values, r.indices];
const programs: Record<string, (t: T, o: Opts) => d.Tensor[]> = {
  sort: ({ x }, o) => pair(d.sort(x, o.dim as number, { descending: o.descending as boolean })),
  topk: ({ x }, o) => pair(d.topk(x, o.k as number, o.dim as number, { largest: o.largest as boolean })),
  cumsum: ({ x }, o) => [d.cumsum(x, o.dim as number)],
  cumprod: ({ x }, o) => [d.cumprod(x, o.dim as number)],
  softplus: ({ x }, o) => [d.softplus(x, { beta: o.beta as number, threshold: o.threshold as number })],
  logSigmoid: ({ x }) => [d.logSigmoid(x)],
  clamp: ({ x, min, max }) => [d.clamp(x, min ?? null, max ?? null)],
  maskedFill: ({ x, mask, value }, o) => [d.maskedFill(x, mask, value ?? (o.value as number))],
  tril: ({ x }, o) => [d.tril(x, o.diagonal as number)],
  triu: ({ x }, o) => [d.triu(x, o.diagonal as number)],
  diag: ({ x }, o) => [d.diag(x, o.diagonal as number)],
  outer: ({ x, y }) => [d.outer(x, y)],
  meshgrid: ({ x, y, z }, o) => [d.meshgrid([x, y, z], { indexing: o.indexing as 'ij' | 'xy' })[o.out as number]],
  oneHot: ({ x }, o) => [d.oneHot(x, o.numClasses as number)],
  einsum: ({ x, y }, o) => [y === undefined ? d.einsum(o.spec as string, x) : d.einsum(o.spec as string, x, y)],
};

function build(e: Enc, device: d.Device, float: 'f64' | 'f32', requiresGrad: boolean): d.Tensor {
  const data = e.dtype === 'i32' ? Int32Array.from(e.data) : Float64Array.from(e.data);
  return d.tensor(data, { shape: e.shape, dtype: e.dtype === 'i32' ? 'i32' : float, device, requiresGrad });
}

function expectClose(got: d.Tensor, want: Enc, rtol: number, atol: number, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  expect(got.dtype === 'i32', `${what}: dtype`).toBe(want.dtype === 'i32');
  const g = got.dataSync();
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i] - w) <= atol + rtol * Math.abs(w))) expect.fail(`${what}[${i}]: got ${g[i]}, want ${w}`);
  });
}

test('every fixture op has a program', () => {
  expect(new Set(cases.map((c) => c.fn))).toEqual(new Set(Object.keys(programs)));
});

for (const [device, float, rtol, atol] of [['reference', 'f64', 1e-10, 1e-12], ['wasm', 'f32', 1e-4, 1e-5]] as const) {
  describe(`everyday ops vs PyTorch (${device}, ${float})`, () => {
    test.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
      d.tidy(() => {
        const t: T = Object.fromEntries(Object.entries(c.inputs).map(([k, e]) => [k, build(e, device, float, k in c.grads)]));
        const outs = programs[c.fn](t, c.opts);
        c.outs.forEach((want, i) => expectClose(outs[i], want, rtol, atol, `out ${i}`));
        if (c.gout === undefined) return;
        outs[0].backward(build(c.gout, device, float, false));
        for (const [k, g] of Object.entries(c.grads)) {
          // An input the output does not use gets no gradient here and zeros in torch.
          expectClose(t[k].grad ?? d.zerosLike(t[k]), g, rtol, atol, `grad ${k}`);
        }
      });
    });
  });
}
