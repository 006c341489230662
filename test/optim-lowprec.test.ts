// stateDtype: optimizer state stored in bf16 (stochastic rounding) or block-wise 8 bits between
// steps: fewer bytes in memory(), trajectories that stay with the f32-state run, flat memory; on
// webgpu the bf16 rounding runs on the device with the same bits as wasm.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { expectClose } from './helpers/compare.js';
import { gpuTol, initSoftwareGpu } from './helpers/gpu.js';
import { dynamicMap, packBlockwise, unpackBlockwise } from '../ts/optim/blockwise-8bit.js';

// bitsandbytes' create_dynamic_map and block-wise codes of a fixed vector (test/fixtures/gen_dynamic_map.py)
const bnb = JSON.parse(readFileSync(new URL('./fixtures/dynamic_map.json', import.meta.url), 'utf8')) as Record<string, number[]>;

await d.init({ device: 'wasm' });
beforeAll(() => initSoftwareGpu().then(() => d.init({ device: 'wasm' }))); // wasm stays the default device
const { optim } = d;

/** Least squares on a fixed random problem; returns [final loss, optimizer state bytes, live-tensor drift]. */
function train(make: (p: d.Tensor[]) => d.optim.Optimizer, steps = 25): { loss: number; stateBytes: number; drift: number; opt: d.optim.Optimizer; w: d.Tensor } {
  d.manualSeed(7);
  // the data is used every step: kept, so the step sweep's parking of live tensors does not count as drift
  const x = d.keep(d.randn([64, 300]));
  const y = d.keep(d.tidy(() => x.matmul(d.randn([300, 1]).mul(0.1))));
  const w = d.zeros([300, 1], { requiresGrad: true });
  const opt = make([w]);
  const bytes = () => d.memory().wasm.bytes;
  let loss = 0, before = 0, tensors = 0, stateBytes = 0;
  for (let i = 0; i < steps; i++) {
    if (i === 1) { before = bytes(); tensors = d.memory().wasm.tensors; }
    opt.zeroGrad();
    d.tidy(() => {
      const l = x.matmul(w).sub(y).square().mean();
      l.backward();
      loss = l.item();
    });
    const b0 = bytes();
    opt.step();
    if (i === 0) stateBytes = bytes() - b0;
  }
  const drift = d.memory().wasm.tensors - tensors + (bytes() - before);
  d.dispose([x, y]);
  return { loss, stateBytes, drift, opt, w };
}

describe('stateDtype', () => {
  test.each([
    ['Adam', (p: d.Tensor[], s: d.optim.StateDtype) => new optim.Adam(p, { lr: 1e-2, stateDtype: s }), 2],
    ['AdamW', (p: d.Tensor[], s: d.optim.StateDtype) => new optim.AdamW(p, { lr: 1e-2, stateDtype: s }), 2],
    ['SGD momentum', (p: d.Tensor[], s: d.optim.StateDtype) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, stateDtype: s }), 1],
    ['Lion', (p: d.Tensor[], s: d.optim.StateDtype) => new optim.Lion(p, { lr: 1e-3, stateDtype: s }), 1],
  ] as const)('%s: bf16 and 8-bit state use fewer bytes and track the f32 run', (_, make, nState) => {
    const f32 = train((p) => make(p, 'f32'));
    for (const s of ['bf16', '8bit'] as const) {
      const low = train((p) => make(p, s));
      expect(low.drift, `${s}: memory flat over steps`).toBe(0);
      // 300 elements per state tensor: f32 1200 B, bf16 600 B, 8-bit 300 B of codes + 2 block scales
      const per = s === 'bf16' ? 600 : 300 + 2 * 4;
      expect(f32.stateBytes - low.stateBytes, `${s}: bytes saved`).toBeGreaterThanOrEqual(nState * (1200 - per) - 64);
      expect(low.loss, `${s}: final loss ${low.loss} vs f32 ${f32.loss}`).toBeLessThan(Math.max(2 * f32.loss, 1e-4));
      const st = low.opt.state.get(low.w)!;
      expect(JSON.stringify(st, (k, v) => (v instanceof d.Tensor ? v.dtype : v))).toContain(s === 'bf16' ? '"bf16"' : 'blocks8');
      d.dispose([low.w]);
    }
    d.dispose([f32.w]);
  });

  test('bf16 momentum is written with stochastic rounding: each value a bf16 neighbour of the f32 one', () => {
    const g = d.tensor(Array.from({ length: 1000 }, (_, i) => 1 + i * 1e-5));
    const w = d.zeros([1000], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9, stateDtype: 'bf16' });
    w.grad = g; // first step: buf = g (torch copies the gradient)
    d.manualSeed(1);
    opt.step();
    const buf = (opt.state.get(w)!['2'] as { buf: d.Tensor }).buf;
    expect(buf.dtype).toBe('bf16');
    const got = buf.to('f32').dataSync(), want = g.dataSync();
    let up = 0;
    for (let i = 0; i < 1000; i++) {
      const lo = d.kernels.bf16ToF32(d.kernels.f32ToBf16(new Float32Array([want[i]])))[0];
      expect([lo, Math.abs(lo - want[i]) < 1e-12 ? lo : lo + (want[i] > lo ? 2 ** -7 : -(2 ** -7))]).toContain(got[i]);
      if (got[i] > want[i]) up++;
    }
    expect(up).toBeGreaterThan(50); // rounded up sometimes (nearest would never round these up past 1 + 2^-8)
    d.dispose([w]);
  });

  test('bad stateDtype → BAD_OPTION; non-f32 parameters → BAD_DTYPE at the first step, nothing written', () => {
    const w = d.zeros([3], { requiresGrad: true });
    expect(() => new optim.Adam([w], { stateDtype: 'f16' as d.optim.StateDtype })).toThrow(/stateDtype/);
    const h = d.zeros([3], { dtype: 'bf16', requiresGrad: true });
    const opt = new optim.Adam([h], { stateDtype: 'bf16' });
    h.grad = d.ones([3], { dtype: 'bf16' });
    expect(() => opt.step()).toThrow(/stateDtype 'bf16': expected f32 parameters, got bf16/);
    expect(Array.from(h.dataSync())).toEqual([0, 0, 0]);
    expect(opt.state.size).toBe(0);
    d.dispose([w, h]);
  });

  test('8-bit state uses bitsandbytes\' dynamic maps (signed for momenta, unsigned for second moments) with a per-block absmax', () => {
    for (const [map, want] of [[dynamicMap(true), bnb.signed], [dynamicMap(false), bnb.unsigned]] as const) {
      expect(map.length).toBe(256);
      map.forEach((v, i) => expect(Math.abs(v - want[i]), `entry ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -21));
    }
    for (const [x, codes, absmax, map] of [['x', 'signedCodes', 'signedAbsmax', bnb.signed], ['x2', 'unsignedCodes', 'unsignedAbsmax', bnb.unsigned]] as const) {
      const v = Float32Array.from(bnb[x]);
      const words = packBlockwise(v);
      const n = v.length, nb = Math.ceil(n / 256);
      expect(Array.from(new Float32Array(words.buffer, 4, nb))).toEqual(bnb[absmax].map(Math.fround));
      expect(Array.from(new Uint8Array(words.buffer, 4 + nb * 4, n))).toEqual(bnb[codes]);
      const back = unpackBlockwise(words, n);
      const want = bnb[codes].map((c, i) => map[c] * bnb[absmax][(i / 256) | 0]);
      back.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -22));
    }
  });

  test.each(['bf16', '8bit'] as const)('%s state: stateDict → JSON → loadStateDict resumes the same trajectory, in the same bytes', (s) => {
    d.manualSeed(3);
    const target = d.keep(d.randn([700]));
    const run = (w: d.Tensor, opt: d.optim.Optimizer, steps: number) => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        d.tidy(() => w.sub(target).square().sum().backward());
        d.manualSeed(100 + i); // the stochastic rounding of both runs draws the same words
        opt.step();
      }
    };
    const a = d.zeros([700], { requiresGrad: true });
    const optA = new optim.Adam([a], { lr: 1e-2, stateDtype: s });
    run(a, optA, 5);
    const b = d.tensor(a.dataSync(), { requiresGrad: true });
    const optB = new optim.Adam([b], { lr: 1e-2, stateDtype: s });
    const before = d.memory().wasm.bytes;
    optB.loadStateDict(JSON.parse(JSON.stringify(optA.stateDict())));
    const stateBytes = d.memory().wasm.bytes - before;
    expect(stateBytes).toBeLessThanOrEqual(s === 'bf16' ? 2 * 1400 + 64 : 2 * (700 + 4 * 4) + 64);
    run(a, optA, 4);
    run(b, optB, 4);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // the groups' stateDtype is loaded with the state (as torch loads param_groups); a state not in it is refused
    const sd = optA.stateDict();
    sd.paramGroups[0].stateDtype = s === 'bf16' ? '8bit' : 'f32';
    expect(() => optB.loadStateDict(sd)).toThrow(/state\[0\]\.2\.m: expected/);
    run(b, optB, 1);
    run(a, optA, 1);
    expect(Array.from(b.dataSync()), 'nothing changed by the refused load').toEqual(Array.from(a.dataSync()));
    d.dispose([a, b, target]);
  });

  test.each([
    ['AdamW', (ws: d.Tensor[]) => new optim.AdamW(ws, { lr: 1e-2, stateDtype: 'bf16' }), 'm', 10],
    ['Lion', (ws: d.Tensor[]) => new optim.Lion(ws, { lr: 1e-3, weightDecay: 0.1, stateDtype: 'bf16' }), 'm', 10],
    // the first step creates the buffer (composed), the next nine update it fused
    ['SGD momentum', (ws: d.Tensor[]) => new optim.SGD(ws, { lr: 1e-2, momentum: 0.9, nesterov: true, stateDtype: 'bf16' }), 'buf', 9],
  ] as const)('%s: bf16 state on wasm takes the fused kernel (one call a step) and stays with the composed path', (_, make, key, calls) => {
    const runAdam = (fused: boolean) => {
      const prev = optim.setFusedUpdates(fused);
      d.manualSeed(11);
      const ws = [d.randn([1029], { requiresGrad: true }), d.randn([7, 3], { requiresGrad: true })];
      const targets = ws.map((w) => d.keep(d.randn(w.shape)));
      const opt = make(ws);
      const calls = optim.fusedCalls();
      let bytes = 0;
      for (let i = 0; i < 10; i++) {
        if (i === 2) bytes = d.memory().wasm.bytes;
        opt.zeroGrad();
        d.tidy(() => ws.map((w, k) => w.sub(targets[k]).square().sum()).reduce((a, b) => a.add(b)).backward());
        d.manualSeed(200 + i);
        opt.step();
      }
      optim.setFusedUpdates(prev);
      const out = { calls: optim.fusedCalls() - calls, drift: d.memory().wasm.bytes - bytes, p: ws.map((w) => w.dataSync() as Float32Array),
        m: (Object.values(opt.state.get(ws[0])!).find((s) => s !== null && typeof s === 'object' && key in s) as Record<string, d.Tensor>)[key].dtype };
      d.dispose([...ws, ...targets]);
      return out;
    };
    const fused = runAdam(true), composed = runAdam(false);
    expect([fused.calls, composed.calls]).toEqual([calls, 0]);
    expect(fused.m, 'state stays bf16').toBe('bf16');
    expect(fused.drift, 'memory flat').toBe(0);
    fused.p.forEach((p, k) => p.forEach((v, i) => expect(Math.abs(v - composed.p[k][i]), `param ${k}[${i}]`).toBeLessThan(2e-3)));
  });
});

describe('bf16 state on webgpu (rounded on the device, no read)', () => {
  const bits = (t: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(t).buffer));

  test('the first momentum write has wasm\'s bits for the same seed', async () => {
    const g = Array.from({ length: 1001 }, (_, i) => (i % 2 ? -1 : 1) * (1 + i * 1e-5) * 2 ** ((i % 40) - 20));
    const buf = (device: d.Device): d.Tensor => {
      const w = d.zeros([g.length], { requiresGrad: true, device });
      const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9, stateDtype: 'bf16' });
      w.grad = d.tensor(g, { device }); // first step: buf = g, so only the rounding differs
      d.manualSeed(3);
      opt.step();
      const b = (opt.state.get(w)!['2'] as { buf: d.Tensor }).buf;
      expect(b.dtype).toBe('bf16');
      const out = d.keep(b.to('f32'));
      d.dispose([w, w.grad]);
      return out;
    };
    const want = buf('wasm'), got = buf('webgpu');
    expect(bits(await got.data())).toEqual(bits(want.dataSync()));
    expect(bits(want.dataSync())).not.toEqual(bits(g.map((v) => d.kernels.bf16ToF32(d.kernels.f32ToBf16(Float32Array.of(v)))[0])));
    d.dispose([want, got]);
  });

  test.each([
    ['Adam', (p: d.Tensor[]) => new optim.Adam(p, { lr: 1e-2, stateDtype: 'bf16' })],
    ['SGD momentum', (p: d.Tensor[]) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, stateDtype: 'bf16' })],
    ['Lion', (p: d.Tensor[]) => new optim.Lion(p, { lr: 1e-3, stateDtype: 'bf16' })],
  ] as const)('%s tracks the wasm run; memory stays flat', async (_, make) => {
    const run = (device: d.Device) => {
      d.manualSeed(7);
      const x = d.keep(d.randn([16, 40], { device }));
      const w = d.randn([40, 1], { requiresGrad: true, device });
      const opt = make([w]);
      let tensors = 0;
      for (let i = 0; i < 6; i++) {
        if (i === 1) tensors = d.memory()[device].tensors;
        opt.zeroGrad();
        d.tidy(() => x.matmul(w).square().mean().backward());
        opt.step();
      }
      expect(d.memory()[device].tensors, `${device}: memory flat`).toBe(tensors);
      x.dispose();
      return w;
    };
    const want = run('wasm'), got = run('webgpu');
    expectClose(await got.data(), want.dataSync(), gpuTol('training'), 'params');
    d.dispose([want, got]);
  });

  test('8-bit state (packed on the host) is refused at the first step naming bf16; nothing written, memory flat', async () => {
    const w = d.tensor([1, -2, 3], { device: 'webgpu', requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1, stateDtype: '8bit' });
    d.tidy(() => w.mul(w).sum().backward());
    const before = d.memory().webgpu.tensors;
    expect(() => opt.step()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining("use stateDtype 'bf16'") }));
    expect(d.memory().webgpu.tensors).toBe(before);
    expect(opt.state.size).toBe(0);
    expect(Array.from(await w.data())).toEqual([1, -2, 3]);
    d.dispose([w, w.grad]);
  });
});
