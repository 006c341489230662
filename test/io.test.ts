// save/load and safetensors: byte-identical with a file written from the specification by numpy
// (test/fixtures/gen_safetensors.py), lossless round trips for every dtype, JSON for optimizer
// state, and every malformed file or bad call rejected without writing anything.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';

beforeAll(async () => { await d.init({ device: 'wasm', build: 'simd' }); });

const fixtureBytes = new Uint8Array(readFileSync(new URL('./fixtures/safetensors.safetensors', import.meta.url)));
const fixture = JSON.parse(readFileSync(new URL('./fixtures/safetensors.json', import.meta.url), 'utf8')) as {
  metadata: Record<string, string>; tensors: { name: string; dtype: string; shape: number[]; values: number[] }[];
};
const DTYPE: Record<string, d.DType> = { F32: 'f32', F64: 'f64', I32: 'i32', F16: 'f16', BF16: 'bf16' };
const tmp = (): string => mkdtempSync(join(tmpdir(), 'descent-io-'));

describe('safetensors', () => {
  it('decodes the numpy-written file to its values and dtypes', () => {
    const { tensors, metadata } = d.decodeSafetensors(fixtureBytes);
    expect(metadata).toEqual(fixture.metadata);
    expect(Object.keys(tensors)).toEqual(fixture.tensors.map((t) => t.name));
    for (const f of fixture.tensors) {
      const t = tensors[f.name];
      expect([t.dtype, t.shape]).toEqual([DTYPE[f.dtype], f.shape]);
      expect(Array.from(t.dataSync())).toEqual(f.values);
    }
    d.dispose(Object.values(tensors));
  });

  it('encodes the same tensors to exactly the numpy-written bytes', () => {
    const tensors = Object.fromEntries(fixture.tensors.map((f) => [f.name,
      d.tensor(Float64Array.from(f.values), { shape: f.shape, dtype: DTYPE[f.dtype], device: 'reference' })]));
    expect(d.encodeSafetensors(tensors, fixture.metadata)).toEqual(fixtureBytes);
    d.dispose(Object.values(tensors));
  });

  const header = (h: object, data = 0): Uint8Array => {
    const text = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + text.length + data);
    new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
    out.set(text, 8);
    return out;
  };
  const bad: [string, Uint8Array, RegExp][] = [
    ['a short file', new Uint8Array(5), /5 bytes, expected at least the 8-byte header length/],
    ['a header longer than the file', fixtureBytes.subarray(0, 100), /header length 448 does not fit in 100 bytes/],
    ['a truncated data section', fixtureBytes.subarray(0, fixtureBytes.length - 4), /the tensors cover 78 data bytes, the file has 74/],
    ['a header that is not JSON', header({}).fill(0x41, 8), /the header is not UTF-8 JSON/],
    ['an unknown dtype', header({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, 1), /'a' has dtype "U8"; expected one of F64, F32, F16, BF16, I32/],
    ['a size that does not match', header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4), /'a' \(F32 \[2\]\) needs 8 bytes, its offsets span 4/],
    ['a gap between tensors', header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /'a' starts at byte 4, expected 0/],
    ['a negative dimension', header({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /'a' has shape \[-1\]; expected non-negative integers/],
    ['non-string metadata', header({ __metadata__: { a: 1 } }), /__metadata__ must map strings to strings/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`rejects ${what}, naming the source and creating no tensor`, () => {
      const before = d.memory().wasm.tensors;
      expect(() => d.decodeSafetensors(bytes, { source: 'm.safetensors' })).toThrow(new RegExp(`m\\.safetensors: not a valid safetensors file: ${message.source}`));
      expect(d.memory().wasm.tensors).toBe(before);
    });
  }
});

describe('save and load', () => {
  it('round-trips a module through a file: loadStateDict restores every parameter bit for bit', () => {
    d.manualSeed(0);
    const a = new d.nn.Sequential(new d.nn.Linear(5, 4), new d.nn.BatchNorm1d(4), new d.nn.Linear(4, 2));
    const b = new d.nn.Sequential(new d.nn.Linear(5, 4), new d.nn.BatchNorm1d(4), new d.nn.Linear(4, 2));
    const path = join(tmp(), 'model.safetensors');
    const before = d.memory().wasm.tensors;
    d.save(a, path);
    expect(d.memory().wasm.tensors).toBe(before); // the stateDict views it made are freed
    const loaded = d.load(path);
    expect(Object.keys(loaded)).toEqual(Object.keys(a.stateDict()));
    b.loadStateDict(loaded);
    d.dispose(Object.values(loaded));
    const bits = (m: d.nn.Module) => Object.values(m.stateDict()).map((t) => Array.from(t.dataSync()));
    expect(bits(b)).toEqual(bits(a));
    a.dispose(); b.dispose();
  });

  it('round-trips every dtype losslessly through bytes (saveBuffer/loadBuffer) onto the asked device', () => {
    d.manualSeed(1);
    const src = { f64: d.randn([3, 2], { dtype: 'f64' }), f32: d.randn([7]), f16: d.randn([5], { dtype: 'f16' }),
      bf16: d.randn([2, 2], { dtype: 'bf16' }), i32: d.randint(-9, 9, [4]), scalar: d.tensor(2.5) };
    const back = d.loadBuffer(d.saveBuffer(src).buffer as ArrayBuffer, { device: 'reference' });
    for (const [k, t] of Object.entries(src)) {
      expect([back[k].dtype, back[k].shape, back[k].device]).toEqual([t.dtype, t.shape, 'reference']);
      expect(Array.from(back[k].dataSync())).toEqual(Array.from(t.dataSync()));
    }
    d.dispose([Object.values(src), Object.values(back)]);
    const one = d.loadBuffer(d.saveBuffer(d.ones([2])));
    expect(Object.keys(one)).toEqual(['tensor']);
    d.dispose(Object.values(one));
  });

  it('saves optimizer state as JSON beside the model; loading it continues the same trajectory', () => {
    const w = d.randn([3], { requiresGrad: true });
    const opt = new d.optim.Adam([w], { lr: 0.1 });
    const step = (o: d.optim.Optimizer, p: d.Tensor) => { o.zeroGrad(); const l = p.square().sum(); l.backward(); o.step(); l.dispose(); };
    step(opt, w);
    const dir = tmp();
    d.save(opt.stateDict(), join(dir, 'opt.json'));
    d.save(w, join(dir, 'w.safetensors'));
    const w2 = d.load(join(dir, 'w.safetensors')).tensor;
    w2.requiresGrad = true;
    const opt2 = new d.optim.Adam([w2], { lr: 0.1 });
    opt2.loadStateDict(d.loadJson<d.optim.OptimizerStateDict>(join(dir, 'opt.json')));
    step(opt, w); step(opt2, w2);
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w.dataSync()));
    expect(readdirSync(dir).sort()).toEqual(['opt.json', 'w.safetensors']); // no temporary files left
    d.dispose([w, w2]);
  });

  it('JSON.stringify writes tensors as {dtype, shape, data}: a JSON state dict loads back, NaN included', () => {
    d.manualSeed(2);
    const a = new d.nn.Linear(3, 2), b = new d.nn.Linear(3, 2);
    const w = a.param('weight')!;
    d.noGrad(() => w.backend.copy(d.tensor([[NaN, 1, 2], [3, Infinity, -0.5]]), w));
    const sd = a.stateDict();
    const text = JSON.stringify(sd);
    expect(JSON.parse(text).weight).toEqual({ dtype: 'f32', shape: [2, 3], data: ['NaN', 1, 2, 3, 'Infinity', -0.5] });
    b.loadStateDict(JSON.parse(text));
    expect(Array.from(b.param('weight')!.dataSync())).toEqual([NaN, 1, 2, 3, Infinity, -0.5]);
    const path = join(tmp(), 'sd.json');
    d.save({ epoch: 3, weights: sd }, path);
    expect(d.loadJson<{ weights: unknown }>(path).weights).toEqual(JSON.parse(text));
    d.dispose([Object.values(sd)]);
    a.dispose(); b.dispose();
  });

  it('rejects bad calls without writing a file', () => {
    const dir = tmp();
    const t = d.ones([2]);
    const bad: [() => unknown, string, RegExp][] = [
      [() => d.save({ epoch: 1 } as object, join(dir, 'b.safetensors')), 'b.safetensors', /expected a tensor, a module or an object of named tensors/],
      [() => d.save({ loss: NaN }, join(dir, 'c.json')), 'c.json', /'loss' is NaN, which JSON cannot hold/],
      [() => d.save(t, join(dir, 'missing', 'd.safetensors')), 'missing', /cannot write .*d\.safetensors/],
      [() => d.load(join(dir, 'none.safetensors')), 'none.safetensors', /load: cannot read/],
      [() => d.load(join(dir, 'e.json')), 'e.json', /'.*e\.json' is JSON; load reads safetensors, loadJson reads \.json files/],
      [() => d.loadJson(join(dir, 'f.safetensors')), 'f.safetensors', /loadJson: expected a path ending in \.json/],
    ];
    for (const [f, name, message] of bad) {
      expect(f).toThrow(message);
      expect(existsSync(join(dir, name))).toBe(false);
    }
    expect(readdirSync(dir)).toEqual([]);
    t.dispose();
  });
});
