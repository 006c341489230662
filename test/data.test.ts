// Data: IDX parsing (raw, gzip, browser path), every bad-file error naming the file, Fashion-MNIST
// loading and normalization against the raw bytes, and the DataLoader's seeded, device-independent
// batching.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';

beforeAll(async () => { await d.init({ device: 'wasm', build: 'simd' }); });

/** IDX bytes: magic 00 00 08 ndim, big-endian dims, then `data`. */
function idx(shape: number[], data: ArrayLike<number>, magic = [0, 0, 8, shape.length]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  out.set(magic);
  const v = new DataView(out.buffer);
  shape.forEach((n, i) => v.setUint32(4 + 4 * i, n, false));
  out.set(data as ArrayLike<number>, 4 + 4 * shape.length);
  return out;
}
const bytes = (n: number, f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('IDX', () => {
  const images = idx([3, 2, 5], bytes(30, (i) => (i * 37) % 256));

  it('parses raw and gzip bytes, in Node and through DecompressionStream, to the same array', async () => {
    const raw = d.data.parseIdx(images, 'imgs');
    expect(raw.shape).toEqual([3, 2, 5]);
    expect(Array.from(raw.data)).toEqual(Array.from(bytes(30, (i) => (i * 37) % 256)));
    expect(d.data.parseIdx(gzipSync(images), 'imgs.gz')).toEqual(raw);
    expect(await d.data.parseIdxAsync(gzipSync(images), 'imgs.gz')).toEqual(raw);
    const dir = mkdtempSync(join(tmpdir(), 'descent-idx-'));
    writeFileSync(join(dir, 'a.gz'), gzipSync(images));
    expect(await d.data.readIdxFile(join(dir, 'a.gz'))).toEqual(raw);
  });

  const bad: [string, Uint8Array, string, RegExp][] = [
    ['wrong magic', idx([2], [1, 2], [0, 0, 8, 9]), 'x', /x: wrong magic 00 00 08 09: expected 00 00 08 0N/],
    ['element type', idx([2], [1, 2], [0, 0, 0x0d, 1]), 'x', /element type 0x0d is not supported; expected 0x08/],
    ['truncated data', idx([3, 2, 5], bytes(29, () => 1)), 'x', /x: truncated: shape \[3, 2, 5\] needs 30 data bytes, got 29/],
    ['truncated header', idx([3, 2, 5], []).subarray(0, 9), 'x', /truncated: 9 bytes, expected a 16-byte header/],
    ['trailing bytes', idx([2], [1, 2, 3]), 'x', /1 bytes after the data of shape \[2\]/],
    ['not gzip', idx([2], [1, 2]), 'labels.gz', /labels\.gz: not gzip: expected the gzip magic 1f 8b, got 00 00/],
    ['truncated gzip', gzipSync(idx([100], bytes(100, (i) => i))).subarray(0, 30), 'l.gz', /l\.gz: corrupt or truncated gzip data/],
  ];
  for (const [what, b, name, message] of bad) {
    it(`rejects ${what} with a DescentError naming the file`, async () => {
      expect(() => d.data.parseIdx(b, name)).toThrow(message);
      await expect(d.data.parseIdxAsync(b, name)).rejects.toThrow(message);
    });
  }
});

describe('loadFashionMnist', () => {
  it('splits the bundled test file: 7200 train, 800 val, 2000 held-out test, normalized by the train split', async () => {
    const before = d.memory().wasm.tensors;
    const fm = await d.data.loadFashionMnist({ seed: 3 });
    expect([fm.train.length, fm.val.length, fm.test.length]).toEqual([7200, 800, 2000]);
    expect(fm.classes[9]).toBe('Ankle boot');
    const [x, y] = fm.train.tensors;
    expect([x.shape, x.dtype, y.shape, y.dtype]).toEqual([[7200, 1, 28, 28], 'f32', [7200], 'i32']);
    const [m, sd] = d.tidy(() => [x.mean().item(), x.std(null, { correction: 0 }).item()]);
    expect(m).toBeCloseTo(0, 4);
    expect(sd).toBeCloseTo(1, 3);
    // the test set is images 8000.. of the file, standardized with the train split's statistics
    const raw = gunzipSync(readFileSync(new URL('../data/fashion-mnist-small/t10k-images-idx3-ubyte.gz', import.meta.url)));
    const labels = gunzipSync(readFileSync(new URL('../data/fashion-mnist-small/t10k-labels-idx1-ubyte.gz', import.meta.url)));
    const { mean, std } = fm.normalization;
    const t0 = fm.test.tensors[0].dataSync().slice(0, 784);
    const want = Array.from(raw.subarray(16 + 8000 * 784, 16 + 8001 * 784), (v) => Math.fround((v / 255 - mean) / std));
    expect(Array.from(t0)).toEqual(want);
    expect(fm.test.tensors[1].dataSync()[0]).toBe(labels[8 + 8000]);
    // train and val partition images 0..7999: their label counts add up to the file's
    const count = (t: d.Tensor): number[] => { const c = new Array(10).fill(0); for (const l of t.dataSync()) c[l]++; return c; };
    const file = new Array(10).fill(0); for (const l of labels.subarray(8, 8 + 8000)) file[l]++;
    expect(count(fm.train.tensors[1]).map((c, i) => c + count(fm.val.tensors[1])[i])).toEqual(file);
    for (const s of [fm.train, fm.val, fm.test]) s.dispose();
    expect(d.memory().wasm.tensors).toBe(before);
  });

  /** A folder of four IDX files with 20 training and 6 test images of 3x3. */
  function folder(o: { trainLabels?: Uint8Array; testImagesName?: string; testImages?: Uint8Array } = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'descent-fm-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([20, 3, 3], bytes(180, (i) => (i * 7) % 256))));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(o.trainLabels ?? idx([20], bytes(20, (i) => i % 10))));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), o.testImages ?? gzipSync(idx([6, 3, 3], bytes(54, (i) => i))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([6], bytes(6, (i) => i))));
    return dir;
  }

  it('reads a full IDX folder: train split by valFraction, test from t10k', async () => {
    const fm = await d.data.loadFashionMnist({ dir: folder(), valFraction: 0.25 });
    expect([fm.train.length, fm.val.length, fm.test.length]).toEqual([15, 5, 6]);
    expect(fm.test.tensors[0].shape).toEqual([6, 1, 3, 3]);
    expect(Array.from(fm.test.tensors[1].dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of [fm.train, fm.val, fm.test]) s.dispose();
  });

  const bad: [string, Parameters<typeof folder>[0], RegExp][] = [
    ['label count ≠ image count', { trainLabels: idx([19], bytes(19, () => 1)) }, /train-labels-idx1-ubyte\.gz: 19 labels, but .*train-images-idx3-ubyte\.gz has 20 images/],
    ['labels out of range', { trainLabels: idx([20], bytes(20, (i) => (i === 13 ? 10 : 0))) }, /train-labels-idx1-ubyte\.gz: label 10 at index 13 is out of range; expected 0\.\.9/],
    ['not gzip', { testImages: idx([6, 3, 3], bytes(54, () => 0)) }, /t10k-images-idx3-ubyte\.gz: not gzip/],
    ['wrong magic', { testImages: gzipSync(idx([6, 3, 3], bytes(54, () => 0), [8, 3, 0, 0])) }, /t10k-images-idx3-ubyte\.gz: wrong magic 08 03 00 00/],
  ];
  for (const [what, o, message] of bad) {
    it(`rejects ${what}, creating no tensor`, async () => {
      const before = d.memory().wasm.tensors;
      await expect(d.data.loadFashionMnist({ dir: folder(o) })).rejects.toThrow(message);
      expect(d.memory().wasm.tensors).toBe(before);
    });
  }

  it('rejects bad options and a missing folder', async () => {
    await expect(d.data.loadFashionMnist({ valFraction: 1 })).rejects.toThrow(/valFraction must be in \(0, 1\), got 1/);
    await expect(d.data.loadFashionMnist({ seed: -1 })).rejects.toThrow(/seed must be a non-negative safe integer/);
    await expect(d.data.loadFashionMnist({ dri: 'x' } as object)).rejects.toThrow(/unknown option 'dri'/);
    await expect(d.data.loadFashionMnist({ dir: '/nonexistent' })).rejects.toThrow(/cannot read '\/nonexistent\/t10k-images-idx3-ubyte\.gz'/);
  });
});

describe('parseFashionMnist', () => {
  const bundled = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../data/fashion-mnist-small/${name}`, import.meta.url)));
  const files = () => ({ images: bundled('t10k-images-idx3-ubyte.gz'), labels: bundled('t10k-labels-idx1-ubyte.gz') });

  it('splits the bundled files\' bytes exactly as loadFashionMnist() splits the folder', async () => {
    const before = d.memory().wasm.tensors;
    const a = await d.data.parseFashionMnist(files(), { seed: 5, valFraction: 0.2 });
    const b = await d.data.loadFashionMnist({ seed: 5, valFraction: 0.2 });
    expect(a.normalization).toEqual(b.normalization);
    for (const k of ['train', 'val', 'test'] as const) {
      // byte comparison: a deep toEqual of 5.6M floats takes a minute
      const bytesOf = (t: d.Tensor): Buffer => { const v = t.dataSync(); return Buffer.from(v.buffer, v.byteOffset, v.byteLength); };
      for (let i = 0; i < 2; i++) expect(bytesOf(a[k].tensors[i]).equals(bytesOf(b[k].tensors[i])), `${k} ${i}`).toBe(true);
    }
    for (const fm of [a, b]) for (const s of [fm.train, fm.val, fm.test]) s.dispose();
    expect(d.memory().wasm.tensors).toBe(before);
  });

  it('rejects bytes that are not the pair, and bad options, creating no tensor', async () => {
    const before = d.memory().wasm.tensors;
    const f = files();
    await expect(d.data.parseFashionMnist({ images: f.labels, labels: f.images })).rejects.toThrow(/images: expected images \[N, H, W\] \(3 dimensions\), got \[10000\]/);
    await expect(d.data.parseFashionMnist({ images: f.images, labels: gzipSync(idx([3], bytes(3, () => 1))) })).rejects.toThrow(/labels: 3 labels, but images has 10000 images/);
    await expect(d.data.parseFashionMnist({ images: f.images } as never)).rejects.toThrow(/expected \{images, labels\} as Uint8Arrays/);
    await expect(d.data.parseFashionMnist(f, { dir: 'x' } as object)).rejects.toThrow(/parseFashionMnist: unknown option 'dir'; expected valFraction, seed/);
    expect(d.memory().wasm.tensors).toBe(before);
  });
});

describe('DataLoader', () => {
  const make = (n: number, device: 'wasm' | 'reference' = 'wasm') =>
    new d.data.TensorDataset(d.arange(0, n, 1, { device }).reshape([n, 1]).mul(2), d.arange(0, n, 1, { dtype: 'i32', device }));
  const rowsOf = (l: d.data.DataLoader): number[][] => [...l].map(([x, y]) => { const r = Array.from(y.dataSync()); expect(Array.from(x.dataSync())).toEqual(r.map((v) => 2 * v)); d.dispose([x, y]); return r; });

  it('visits every row once per epoch in batches; dropLast drops the short one', () => {
    const ds = make(23);
    const l = new d.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed: 1 });
    const b = rowsOf(l);
    expect([l.length, b.map((r) => r.length)]).toEqual([5, [5, 5, 5, 5, 3]]);
    expect(b.flat().sort((p, q) => p - q)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const dl = new d.data.DataLoader(ds, { batchSize: 5, dropLast: true });
    expect([dl.length, rowsOf(dl)]).toEqual([4, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]]);
    ds.dispose();
  });

  it('shuffles by (seed, epoch): reproducible, new each epoch, the same on every device', () => {
    const [a, b] = [make(40), make(40, 'reference')];
    const la = new d.data.DataLoader(a, { batchSize: 40, shuffle: true, seed: 5 });
    const e0 = rowsOf(la)[0], e1 = rowsOf(la)[0];
    expect(e1).not.toEqual(e0);
    la.setEpoch(0);
    expect(rowsOf(la)[0]).toEqual(e0);
    expect(rowsOf(new d.data.DataLoader(b, { batchSize: 40, shuffle: true, seed: 5 }))[0]).toEqual(e0);
    expect(rowsOf(new d.data.DataLoader(a, { batchSize: 40, shuffle: true, seed: 6 }))[0]).not.toEqual(e0);
    d.manualSeed(0); // the global generator is neither used nor moved
    const before = d.getRngState();
    rowsOf(la);
    expect(d.getRngState()).toEqual(before);
    a.dispose(); b.dispose();
  });

  it('batches are gathered by host indices: no reads back from the device; Int32Array indices select as arrays do', () => {
    const ds = make(23);
    const p = d.startProfile();
    const batches = [...new d.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed: 3 })];
    const calls = p.stop().calls;
    expect([calls.gather, calls.read ?? 0]).toEqual([2 * 5, 0]);
    d.dispose(batches);
    const x = ds.tensors[0];
    const [a, b] = [d.indexSelect(x, 0, Int32Array.of(4, 0, 22)), d.indexSelect(x, 0, [4, 0, 22])];
    expect(a.toArray()).toEqual(b.toArray());
    expect(() => d.indexSelect(x, 0, Int32Array.of(1, 23))).toThrow(/index 23 is out of range for a dimension of size 23/);
    d.dispose([a, b]);
    ds.dispose();
  });

  it('permutation is Fisher–Yates on the Philox block words of (seed, stream), each block used last word first', () => {
    const fisherYates = (n: number, seed: number, stream: number): number[] => {
      const out = Array.from({ length: n }, (_, i) => i);
      let words: number[] = [];
      for (let i = n - 1, block = 0; i > 0; i--) {
        if (words.length === 0) words = d.philox4x32(block++, stream >>> 0, Math.floor(stream / 2 ** 32), 0, seed >>> 0, Math.floor(seed / 2 ** 32));
        const j = Math.floor((words.pop()! * (i + 1)) / 2 ** 32);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    };
    for (const [n, seed, stream] of [[1, 0, 0], [2, 3, 0], [37, 5, 1], [1001, 2 ** 40 + 7, 2 ** 33 + 1]]) {
      expect(Array.from(d.data.permutation(n, seed, stream))).toEqual(fisherYates(n, seed, stream));
    }
  });

  it('randomSplit: disjoint seeded parts by counts or fractions (remainder to the first parts)', () => {
    const ds = make(10);
    const ids = (parts: d.data.TensorDataset[]) => parts.map((p) => Array.from(p.tensors[1].dataSync()));
    const byCount = d.data.randomSplit(ds, [7, 3], 4);
    const byFraction = d.data.randomSplit(ds, [0.65, 0.35], 4); // floors 6 + 3, one left → the first part
    expect(ids(byFraction)).toEqual(ids(byCount));
    expect(ids(byCount).flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(ids(byCount)[0]).toEqual(Array.from(d.data.permutation(10, 4, 0).subarray(0, 7)));
    expect(() => d.data.randomSplit(ds, [7, 2])).toThrow(/expected row counts summing to 10 or fractions summing to 1, got \[7,2\]/);
    d.dispose([byCount.map((p) => p.tensors), byFraction.map((p) => p.tensors)]);
    ds.dispose();
  });

  it('rejects bad datasets and options', () => {
    const ds = make(4);
    const bad: [() => unknown, RegExp][] = [
      [() => new d.data.DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer, got 0/],
      [() => new d.data.DataLoader(ds, { batchSize: 2, shuffle: 1 as unknown as boolean }), /shuffle must be a boolean/],
      [() => new d.data.DataLoader(ds, { batchSize: 2, seed: 1.5 }), /seed must be a non-negative safe integer, got 1.5/],
      [() => new d.data.DataLoader(ds, { batchSize: 8, dropLast: true }), /leaves no batch/],
      [() => new d.data.DataLoader(ds, { batchSize: 2, shufle: true } as d.data.DataLoaderOptions), /unknown option 'shufle'/],
      [() => new d.data.TensorDataset(), /at least one tensor/],
      [() => new d.data.TensorDataset(ds.tensors[0], d.zeros([3])), /every tensor needs 4 rows \(the first's\), tensor 1 has 3/],
    ];
    for (const [f, message] of bad) expect(f).toThrow(message);
    ds.dispose();
  });
});
