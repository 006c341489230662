// LoRA (merged == unmerged, only adapters train, adapter-only state dicts), freeze schedules, MeZO
// against its closed-form step with regenerated noise, and checkpointing against plain backprop.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

const ref = { device: 'reference', dtype: 'f64' } as const;
const arr = (t: d.Tensor) => Array.from(t.dataSync());
const closeAll = (a: number[], b: number[], digits = 12) => { expect(a.length).toBe(b.length); a.forEach((x, i) => expect(x).toBeCloseTo(b[i], digits)); };
const mlp = () => new d.nn.Sequential(new d.nn.Linear(5, 7, ref), new d.nn.ReLU(), new d.nn.Linear(7, 3, ref));

test('LoRA: only adapters get gradients; merged output equals unmerged; unmerge restores W', () => {
  d.manualSeed(7);
  const net = mlp();
  const W0 = arr(net.at(0).param('weight')!);
  expect(d.finetune.applyLoRA(net, { targets: ['0'], rank: 2, alpha: 4 })).toEqual(['0']);
  const x = d.randn([4, 5], ref);
  const lora = net.at(0) as d.finetune.LoRALinear;
  expect(lora.scaling).toBe(2);
  net.call(x).square().sum().backward();
  const withGrad = net.namedParameters().filter(([, p]) => p.grad !== null).map(([n]) => n);
  expect(withGrad.sort()).toEqual(['0.lora_A', '0.lora_B']);
  new d.optim.SGD(d.finetune.loraParameters(net), { lr: 0.5 }).step(); // B becomes nonzero
  expect(arr(lora.loraB).some((v) => v !== 0)).toBe(true);
  const before = arr(net.call(x));
  lora.merge();
  closeAll(arr(net.call(x)), before);
  const BA = lora.loraB.matmul(lora.loraA).mul(2);
  closeAll(arr(lora.base.weight), arr(d.tensor(W0, ref).reshape([7, 5]).add(BA)));
  lora.unmerge();
  closeAll(arr(lora.base.weight), W0);
  expect(() => lora.unmerge()).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('LoRA adapter-only state dicts move the fine-tuned behaviour to a fresh copy of the base', () => {
  d.manualSeed(8);
  const base = mlp().stateDict();
  const make = () => { const m = mlp(); m.loadStateDict(base); d.finetune.applyLoRA(m, { rank: 3, alpha: 3, dropout: 0.2 }); return m; };
  const [tuned, fresh] = [make(), make()];
  const x = d.randn([2, 5], ref);
  tuned.call(x).sum().backward();
  new d.optim.SGD(d.finetune.loraParameters(tuned), { lr: 0.3 }).step();
  const sd = d.finetune.loraStateDict(tuned);
  expect(Object.keys(sd).sort()).toEqual(['0.lora_A', '0.lora_B', '2.lora_A', '2.lora_B']);
  d.finetune.loadLoraStateDict(fresh, sd);
  tuned.eval();
  fresh.eval();
  closeAll(arr(fresh.call(x)), arr(tuned.call(x)));
  expect(() => d.finetune.loadLoraStateDict(fresh, base)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => d.finetune.applyLoRA(mlp(), { rank: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  expect(() => d.finetune.applyLoRA(mlp(), { targets: ['nope'] })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => d.finetune.applyLoRA(mlp(), { rank: 2, scale: 1 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('setTrainable and UnfreezeSchedule freeze and unfreeze by name patterns', () => {
  const net = mlp();
  expect(d.finetune.setTrainable(net, ['*bias'], false)).toEqual(['0.bias', '2.bias']);
  expect(d.finetune.trainableNames(net)).toEqual(['0.weight', '2.weight']);
  const s = new d.finetune.UnfreezeSchedule(net, [{ epoch: 0, patterns: ['2.*'] }, { epoch: 2, patterns: ['0.*'] }]);
  expect(d.finetune.trainableNames(net)).toEqual([]);
  expect(s.step(0)).toEqual(['2.weight', '2.bias']);
  expect(s.step(1)).toEqual(['2.weight', '2.bias']);
  expect(s.step(2)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  expect(() => d.finetune.setTrainable(net, ['x.*'], true)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => new d.finetune.UnfreezeSchedule(net, [{ epoch: -1, patterns: ['0.*'] }])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('mezoStep: θ − η·(L(θ+εz) − L(θ−εz))/(2ε)·z with z regenerated from the seed; RNG stream and memory untouched', () => {
  d.manualSeed(9);
  const w = d.randn([3, 2], ref);
  const b = d.randn([2], ref);
  const x = d.randn([4, 3], ref);
  const loss = (ww: d.Tensor, bb: d.Tensor) => x.matmul(ww).add(bb).tanh().sum();
  d.manualSeed(123);
  const z = [d.randnLike(w), d.randnLike(b)];
  const at = (s: number) => d.tidy(() => loss(w.add(z[0].mul(s)), b.add(z[1].mul(s))).item());
  const g = (at(1e-3) - at(-1e-3)) / 2e-3;
  const want = [w.sub(z[0].mul(0.01 * g)), b.sub(z[1].mul(0.01 * g))].map(arr);
  d.manualSeed(55);
  const next = arr(d.rand([3], ref));
  d.manualSeed(55);
  const before = d.memory().reference;
  const r = d.finetune.mezoStep([w, b], () => loss(w, b), { lr: 0.01, eps: 1e-3, seed: 123 });
  expect(d.memory().reference).toEqual(before);
  expect(arr(d.rand([3], ref))).toEqual(next);
  expect(r.projectedGrad).toBeCloseTo(g, 9);
  closeAll(arr(w), want[0], 10);
  closeAll(arr(b), want[1], 10);
  const w0 = arr(w);
  expect(() => d.finetune.mezoStep([w], () => { throw new Error('boom'); }, { seed: 1 })).toThrow('boom');
  closeAll(arr(w), w0, 14); // a failing loss leaves θ restored
  expect(() => d.finetune.mezoStep([w], () => loss(w, b), { eps: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
});

test('checkpointSequential: same loss and gradients as plain backprop (dropout replayed), fewer live bytes', () => {
  d.manualSeed(10);
  const net = new d.nn.Sequential(new d.nn.Linear(16, 64, ref), new d.nn.Tanh(), new d.nn.Dropout(0.3), new d.nn.Linear(64, 64, ref),
    new d.nn.Tanh(), new d.nn.Linear(64, 64, ref), new d.nn.Tanh(), new d.nn.Linear(64, 2, ref));
  const x = d.randn([32, 16], ref);
  const run = (segments: number) => {
    net.zeroGrad({ setToNone: true });
    d.manualSeed(99);
    const start = d.memory().reference.bytes;
    const loss = segments === 0 ? net.call(x).square().mean() : d.finetune.checkpointSequential(net, segments, x).square().mean();
    const held = d.memory().reference.bytes - start;
    loss.backward();
    return { loss: loss.item(), held, grads: net.parameters().map((p) => arr(p.grad!)) };
  };
  const plain = run(0);
  const ckpt = run(4);
  expect(ckpt.loss).toBeCloseTo(plain.loss, 14);
  ckpt.grads.forEach((g, i) => closeAll(g, plain.grads[i], 12));
  expect(ckpt.held).toBeLessThan(plain.held / 2);
  expect(() => d.finetune.checkpointSequential(net, 9, x)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('checkpoint: double backward (hvp, grad of a gradient norm) through a segment equals plain autograd', () => {
  d.manualSeed(12);
  const [W, x, v] = [d.randn([5, 4], ref), d.randn([3, 5], ref), d.randn([5, 4], ref)];
  const segment = (w: d.Tensor) => (h: d.Tensor) => h.matmul(w).tanh().square();
  const loss = (ckpt: boolean) => (w: d.Tensor) => (ckpt ? d.finetune.checkpoint(segment(w), x, [w]) : segment(w)(x)).sum().square();
  const [, hvPlain] = d.hvp(loss(false), W, v);
  const [, hvCkpt] = d.hvp(loss(true), W, v);
  expect(arr(hvPlain).some((e) => e !== 0)).toBe(true);
  closeAll(arr(hvCkpt), arr(hvPlain), 12);
  const gradNormGrad = (ckpt: boolean) => {
    const w = W.detach().requiresGrad_();
    const [g] = d.gradients(loss(ckpt)(w), [w], null, { createGraph: true });
    g.square().sum().backward();
    return arr(w.grad!);
  };
  closeAll(gradNormGrad(true), gradNormGrad(false), 12);
  const start = d.memory().reference;
  for (let i = 0; i < 3; i++) d.tidy(() => { d.hvp(loss(true), W, v); });
  expect(d.memory().reference).toEqual(start);
});

test('LoRA inside a TransformerBlock adapts the MLP, the attention output projection and the packed q/k/v slices', () => {
  d.manualSeed(11);
  const block = new d.nn.TransformerBlock(8, 2, { dropout: 0, ...ref });
  const names = d.finetune.applyLoRA(block, { rank: 2 });
  expect(names.sort()).toEqual(['linear1', 'linear2', 'self_attn.k_proj', 'self_attn.out_proj', 'self_attn.q_proj', 'self_attn.v_proj']);
  block.call(d.randn([2, 3, 8], ref)).square().sum().backward();
  for (const [n, p] of block.namedParameters()) {
    if (n.endsWith('lora_A')) continue; // B = 0 at start, so A's gradient is zero (not null)
    expect([n, p.grad !== null]).toEqual([n, n.endsWith('lora_B')]);
  }
});

test('LoRA on attention q/v slices: output equals attention with in_proj_weight + (α/r)·BA; merge == unmerged; unmerge restores', () => {
  d.manualSeed(13);
  const E = 6;
  const mha = new d.nn.MultiheadAttention(E, 2, { batchFirst: true, ...ref });
  const W0 = arr(mha.param('in_proj_weight')!);
  expect(d.finetune.applyLoRA(mha, { targets: ['q_proj', 'v_proj'], rank: 3, alpha: 6 })).toEqual(['q_proj', 'v_proj']);
  const [q, v] = [mha.child('q_proj'), mha.child('v_proj')] as d.finetune.LoRAInProjSlice[];
  const x = d.randn([2, 5, E], ref);
  mha.call(x, x, x)[0].square().sum().backward();
  expect(mha.namedParameters().filter(([, p]) => p.grad !== null).map(([n]) => n).sort())
    .toEqual(['q_proj.lora_A', 'q_proj.lora_B', 'v_proj.lora_A', 'v_proj.lora_B']);
  new d.optim.SGD(d.finetune.loraParameters(mha), { lr: 0.5 }).step(); // B ≠ 0: the adapters matter
  for (const a of [q, v]) expect(arr(a.loraB).some((e) => e !== 0)).toBe(true);
  const [y] = mha.call(x, x, x);
  // an independent attention whose packed weight carries the updates in rows [0, E) and [2E, 3E)
  const delta = (a: d.finetune.LoRAInProjSlice) => a.loraB.matmul(a.loraA).mul(2);
  const plain = new d.nn.MultiheadAttention(E, 2, { batchFirst: true, ...ref });
  plain.loadStateDict({ ...Object.fromEntries(Object.entries(mha.stateDict()).filter(([n]) => !n.includes('lora'))),
    in_proj_weight: d.tensor(W0, ref).reshape([3 * E, E]).add(d.cat([delta(q), d.zeros([E, E], ref), delta(v)])) });
  closeAll(arr(y), arr(plain.call(x, x, x)[0]));
  q.merge();
  v.merge();
  closeAll(arr(mha.call(x, x, x)[0]), arr(y));
  closeAll(arr(mha.param('in_proj_weight')!), arr(plain.param('in_proj_weight')!));
  q.unmerge();
  v.unmerge();
  closeAll(arr(mha.param('in_proj_weight')!), W0);
  closeAll(arr(mha.call(x, x, x)[0]), arr(y));
  expect(() => d.finetune.applyLoRA(mha, { targets: ['q_proj'] })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  expect(() => q.unmerge()).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});
