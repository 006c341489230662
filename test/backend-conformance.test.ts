// The Backend contract (ts/backend/backend.ts), method by method, on every device under test
// (test/helpers/devices.ts) against the reference device: awkward sizes, strided and broadcast
// views, NaN and ±Inf. Views are built with the Backend's own alloc/write, so this suite pins the
// device seam itself, below tensors and ops.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { getBackend } from '../ts/engine.js';
import {
  BINARY_OPS, COMPARE_OPS, FUSED_UPDATE_KINDS, REDUCE_OPS, UNARY_OPS, type Backend, type BinaryOp, type Storage, type View,
} from '../ts/backend/backend.js';
import { contiguousStrides } from '../ts/backend/view.js';
import { encode, decode, type DType } from '../ts/dtype.js';
import { DEVICES_UNDER_TEST, dtypesOn, setupDevices } from './helpers/devices.js';
import { TOL, expectClose, randomValues, sizeOf } from './helpers/compare.js';
import { gpuTol } from './helpers/gpu.js';

beforeAll(setupDevices);

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0];

type Layout = 'contiguous' | 'strided' | 'broadcast';

// every storage a test allocates, given back after each comparison
const live: [Backend, Storage][] = [];
function alloc(b: Backend, dtype: DType, n: number): Storage {
  const s = b.alloc(dtype, n);
  live.push([b, s]);
  return s;
}

/** A view of `shape` on backend b holding `values` (row-major) laid out as `layout`. */
function view(b: Backend, dtype: DType, shape: number[], values: number[], layout: Layout = 'contiguous'): View {
  if (layout === 'broadcast' && shape.length > 0) {
    const row = values.slice(0, shape[shape.length - 1]);
    const s = alloc(b, dtype, row.length);
    b.write(s, encode(dtype, row));
    return { storage: s, offset: 0, shape, strides: shape.map((_, i) => (i === shape.length - 1 ? 1 : 0)) };
  }
  if (layout === 'strided' && shape.length > 0) {
    // every element at an odd position of a twice-as-long buffer, starting at offset 1
    const n = sizeOf(shape);
    const buf = new Array<number>(2 * n + 1).fill(-7);
    values.forEach((v, i) => { buf[1 + 2 * i] = v; });
    const s = alloc(b, dtype, buf.length);
    b.write(s, encode(dtype, buf));
    return { storage: s, offset: 1, shape, strides: contiguousStrides(shape).map((x) => 2 * x) };
  }
  const s = alloc(b, dtype, Math.max(1, sizeOf(shape)));
  b.write(s, encode(dtype, values.length ? values : [0]));
  return { storage: s, offset: 0, shape, strides: contiguousStrides(shape) };
}

const out = (b: Backend, dtype: DType, shape: number[]): View => view(b, dtype, shape, new Array(sizeOf(shape)).fill(0));
/** A view's values, read asynchronously where the device needs it (webgpu). */
const values = async (b: Backend, v: View): Promise<ArrayLike<number>> =>
  decode(v.storage.dtype, b.readAsync ? await b.readAsync(v) : b.read(v));

function inputs(n: number, seed: number, dtype: DType, lo = -4, hi = 4): number[] {
  const v = randomValues(n, seed, lo, hi);
  if (dtype === 'i32') return v.map(Math.round);
  SPECIALS.forEach((s, i) => { if (i * 7 < n) v[i * 7] = s; });
  return v;
}

const SHAPES: number[][] = [[], [0], [1], [7], [129], [3, 17], [2, 0, 3], [2, 3, 5]];
const LAYOUTS: Layout[] = ['contiguous', 'strided', 'broadcast'];

describe.each(DEVICES_UNDER_TEST.map((t) => t.device))('Backend contract on %s', (device) => {
  const fast = (): Backend => getBackend(device);
  const ref = (): Backend => getBackend('reference');

  const dtypes = (want: DType[]): DType[] => dtypesOn(device, want);
  // f32 on the GPU: WGSL's transcendentals and reordered sums, per op (test/helpers/gpu.ts)
  const tolerance = (what: string, dtype: DType) => (device === 'webgpu' && dtype === 'f32' ? gpuTol(what.split(' ')[0]) : TOL[dtype]);

  /** Runs `op` on both backends with the same inputs and compares the output views. */
  async function same(what: string, dtype: DType, op: (b: Backend) => View): Promise<void> {
    try {
      const got = await values(fast(), op(fast()));
      const want = await values(ref(), op(ref()));
      expectClose(got, want, tolerance(what, dtype), `${device} ${what}`);
    } finally {
      for (const [b, st] of live.splice(0)) b.free(st);
    }
  }

  test('write then read returns the bits, for every dtype and strided views', async () => {
    for (const dtype of dtypes(['f64', 'f32', 'f16', 'bf16', 'i32'])) {
      for (const layout of LAYOUTS) {
        await same(`read ${dtype} ${layout}`, dtype, (b) => view(b, dtype, [3, 17], inputs(51, 3, dtype), layout));
      }
    }
  });

  test('fill converts the value as copy would (i32 truncates, NaN → 0)', async () => {
    for (const dtype of dtypes(['f64', 'f32', 'f16', 'bf16', 'i32'])) {
      for (const value of [2.75, -3.5, Number.NaN, 1e10]) {
        await same(`fill ${dtype} ${value}`, dtype, (b) => {
          const v = out(b, dtype, [13]);
          b.fill(v.storage, value);
          return v;
        });
      }
    }
  });

  test('copy converts between every pair of dtypes into strided destinations', async () => {
    const dts = dtypes(['f64', 'f32', 'f16', 'bf16', 'i32']);
    for (const from of dts) {
      for (const to of dts) {
        await same(`copy ${from}→${to}`, to, (b) => {
          const src = view(b, from, [3, 5], inputs(15, 5, from === 'i32' ? 'i32' : 'f32', -70000, 70000), 'broadcast');
          const dst = view(b, to, [3, 5], new Array(15).fill(0), 'strided');
          b.copy(src, dst);
          return dst;
        });
      }
    }
  });

  test('unary: every op on f32 and f64, awkward shapes and layouts, NaN and ±Inf', async () => {
    for (const op of UNARY_OPS) {
      for (const dtype of dtypes(['f32', 'f64'])) {
        for (const shape of SHAPES) {
          for (const layout of LAYOUTS) {
            await same(`${op} ${dtype} [${shape}] ${layout}`, dtype, (b) => {
              const o = out(b, dtype, shape);
              b.unary(op, view(b, dtype, shape, inputs(sizeOf(shape), shape.length + 1, dtype), layout), o);
              return o;
            });
          }
        }
      }
    }
  });

  test('binary: every op broadcast on either side; comparisons write i32', async () => {
    for (const op of BINARY_OPS as readonly BinaryOp[]) {
      for (const dtype of dtypes(['f32', 'f64', 'i32'])) {
        if (dtype === 'i32' && op === 'pow') continue; // i32 pow needs exponents ≥ 0: checked in the op layer
        const outType = COMPARE_OPS.includes(op) ? 'i32' : dtype;
        for (const [la, lb] of [['contiguous', 'broadcast'], ['broadcast', 'strided'], ['strided', 'contiguous']] as Layout[][]) {
          await same(`${op} ${dtype} ${la}/${lb}`, dtype === 'f32' && op === 'pow' ? 'f32' : outType, (b) => {
            const o = out(b, outType, [4, 9]);
            // i32 division by zero is undefined at this level (the op layer divides integers in floats)
            const rhs = inputs(36, 12, dtype).map((x) => (dtype === 'i32' && x === 0 ? 3 : x));
            b.binary(op, view(b, dtype, [4, 9], inputs(36, 11, dtype), la), view(b, dtype, [4, 9], rhs, lb), o);
            return o;
          });
        }
      }
    }
  });

  test('where picks a or b by an i32 condition, all broadcast', async () => {
    for (const dtype of dtypes(['f32', 'f64', 'i32'])) {
      await same(`where ${dtype}`, dtype, (b) => {
        const o = out(b, dtype, [5, 7]);
        const cond = view(b, 'i32', [5, 7], randomValues(35, 4, 0, 2).map(Math.floor), 'strided');
        b.where(cond, view(b, dtype, [5, 7], inputs(35, 5, dtype), 'broadcast'), view(b, dtype, [5, 7], inputs(35, 6, dtype)), o);
        return o;
      });
    }
  });

  test('reduce: every op over the last dims of strided views; NaN propagates, argmax takes the first', async () => {
    for (const op of REDUCE_OPS) {
      for (const dtype of dtypes(['f32', 'f64', 'i32'])) {
        for (const nReduce of [1, 2]) {
          const outType = op === 'argmax' || op === 'argmin' ? 'i32' : dtype;
          await same(`${op} ${dtype} nReduce ${nReduce}`, op === 'prod' || op === 'sum' ? (dtype === 'f32' ? 'f32' : dtype) : outType, (b) => {
            const o = out(b, outType, nReduce === 1 ? [3, 5] : [3]);
            b.reduce(op, view(b, dtype, [3, 5, 7], inputs(105, 9, dtype, -1.5, 1.5), 'strided'), nReduce, o);
            return o;
          });
        }
      }
    }
  });

  test('matmul: batched with a broadcast batch dim and a transposed operand', async () => {
    for (const dtype of dtypes(['f32', 'f64'])) {
      await same(`matmul ${dtype}`, dtype, (b) => {
        const o = out(b, dtype, [2, 5, 3]);
        const a = view(b, dtype, [1, 5, 7], inputs(35, 1, dtype, -1, 1).map((x) => (Number.isFinite(x) ? x : 0.5)));
        const bt = view(b, dtype, [2, 3, 7], inputs(42, 2, dtype, -1, 1).map((x) => (Number.isFinite(x) ? x : 0.25)));
        b.matmul({ ...a, shape: [2, 5, 7], strides: [0, 7, 1] }, { ...bt, shape: [2, 7, 3], strides: [21, 1, 7] }, o);
        return o;
      });
    }
  });

  test('gather and scatterAdd along a middle dim, scatterAdd in index order', async () => {
    for (const dtype of dtypes(['f32', 'f64', 'i32'])) {
      const idx = (b: Backend): View => view(b, 'i32', [2, 3, 4], randomValues(24, 8, 0, 5).map(Math.floor));
      await same(`gather ${dtype}`, dtype, (b) => {
        const o = out(b, dtype, [2, 3, 4]);
        b.gather(view(b, dtype, [2, 5, 4], inputs(40, 3, dtype), 'strided'), 1, idx(b), o);
        return o;
      });
      await same(`scatterAdd ${dtype}`, dtype, (b) => {
        const target = view(b, dtype, [2, 5, 4], inputs(40, 4, dtype, -2, 2).map((x) => (Number.isFinite(x) ? x : 1)));
        b.scatterAdd(target, 1, idx(b), view(b, dtype, [2, 3, 4], inputs(24, 5, dtype, -2, 2), 'strided'));
        return target;
      });
    }
  });

  test('gather of whole rows by a row-broadcast index (index_select) equals the reference; a bad row index writes nothing', async () => {
    for (const dtype of dtypes(['f32', 'f64', 'i32'])) {
      const rowsOf = (b: Backend, picks: number[]): View => ({ ...view(b, 'i32', [picks.length], picks), shape: [picks.length, 7], strides: [1, 0] });
      const x = (b: Backend): View => view(b, dtype, [5, 7], inputs(35, 6, dtype));
      await same(`gather rows ${dtype}`, dtype, (b) => {
        const o = out(b, dtype, [4, 7]);
        b.gather(x(b), 0, rowsOf(b, [4, 0, 4, 2]), o);
        return o;
      });
      if (device !== 'wasm') continue; // the others trust the op layer's index check
      const o = out(fast(), dtype, [3, 7]);
      try {
        expect(() => fast().gather(x(fast()), 0, rowsOf(fast(), [1, 3, 5]), o)).toThrow(/index 5 at position 14 is out of range/);
        expect(Array.from(await values(fast(), o))).toEqual(new Array(21).fill(0));
      } finally {
        for (const [b, st] of live.splice(0)) b.free(st);
      }
    }
  });

  test('softmaxCrossEntropy (when offered) equals the reference, ignored labels included', async () => {
    if (fast().softmaxCrossEntropy === undefined) return;
    for (const [rows, cols] of [[1, 1], [7, 3], [5, 129]]) {
      const labels = randomValues(rows, rows, -1, cols).map(Math.floor);
      for (const part of ['loss', 'dlogits'] as const) {
        await same(`softmaxCrossEntropy ${rows}×${cols} ${part}`, 'f32', (b) => {
          const loss = out(b, 'f32', [rows]);
          const dl = out(b, 'f32', [rows, cols]);
          b.softmaxCrossEntropy!(view(b, 'f32', [rows, cols], randomValues(rows * cols, 2, -30, 30)), view(b, 'i32', [rows], labels), loss, dl, 0.5);
          return part === 'loss' ? loss : dl;
        });
      }
    }
  });

  test('fusedUpdate (when offered) equals the composed chain on the reference device, for every kind', async () => {
    if (fast().fusedUpdate === undefined) return;
    const make: Record<string, (ps: d.Tensor[]) => d.optim.Optimizer> = {
      sgd: (ps) => new d.optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
      adam: (ps) => new d.optim.Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
      lion: (ps) => new d.optim.Lion(ps, { lr: 0.01, weightDecay: 0.1 }),
      adagrad: (ps) => new d.optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.01 }),
      rmsprop: (ps) => new d.optim.RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true }),
    };
    for (const kind of FUSED_UPDATE_KINDS) {
      const run = async (dev: d.Device): Promise<number[]> => {
        const ps = d.tidy(() => {
          const made = [[7], [3, 17]].map((shape, i) => d.keep(d.tensor(Float32Array.from(randomValues(sizeOf(shape), i + 1)), { shape, device: dev, requiresGrad: true })));
          const opt = make[kind](made);
          for (let step = 0; step < 3; step++) {
            made.forEach((p, i) => { p.grad = d.keep(d.tensor(Float32Array.from(randomValues(p.size, 10 * step + i)), { shape: [...p.shape], device: dev })); });
            opt.step();
          }
          return made;
        });
        const flat: number[] = [];
        for (const p of ps) flat.push(...await p.data());
        for (const p of ps) { p.grad?.dispose(); p.dispose(); }
        return flat;
      };
      const before = d.optim.fusedCalls();
      const got = await run(device);
      expect(d.optim.fusedCalls(), `${kind} took the fused path`).toBeGreaterThan(before);
      expectClose(got, await run('reference'), { rtol: 1e-5, atol: 1e-6 }, `${device} fusedUpdate ${kind}`);
    }
  });

  test('newtonSchulz (when offered) equals the composed iteration on the reference device, wide and tall', async () => {
    if (fast().newtonSchulz === undefined) return;
    for (const [rows, cols] of [[1, 1], [5, 70], [70, 5], [33, 33]]) {
      const on = async (dev: d.Device): Promise<number[]> => {
        const o = d.tidy(() => d.optim.zeropowerViaNewtonSchulz(
          d.tensor(Float32Array.from(randomValues(rows * cols, rows)), { shape: [rows, cols], device: dev })));
        const v = Array.from(await o.data());
        o.dispose();
        return v;
      };
      expectClose(await on(device), await on('reference'), { rtol: 5e-4, atol: 5e-5 }, `${device} newtonSchulz ${rows}×${cols}`);
    }
  });
});

describe('the Backend is the only door to a device', () => {
  const root = join(__dirname, '..', 'ts');
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\\/g, '/'));
  const outside = files.filter((f) => !f.startsWith('backend/'));
  const read = (f: string): string => readFileSync(join(root, f), 'utf8');

  test('nothing outside ts/backend imports a device folder; ts/kernels only through backend/wasm/raw', () => {
    const bad = outside.flatMap((f) => [...read(f).matchAll(/from '([^']*backend\/(?:wasm|reference|webgpu)\/[^']*)'/g)]
      .filter((m) => !(f.startsWith('kernels/') && m[1].endsWith('backend/wasm/raw.js')))
      .map((m) => `${f}: ${m[1]}`));
    expect(bad).toEqual([]);
  });

  test('nothing outside ts/backend casts into a storage or a backend, or branches on a device name', () => {
    const patterns = [/as unknown as \{[^}]*\b(rt|ptr)\b/, /\.storage as\b/, /getBackend\('wasm'\)/, /[!=]== 'wasm'/, /'wasm' [!=]==/];
    const bad = outside.flatMap((f) => read(f).split('\n').flatMap((line, i) =>
      patterns.some((p) => p.test(line)) ? [`${f}:${i + 1}: ${line.trim()}`] : []));
    expect(bad).toEqual([]);
  });

  test('the reference device stands alone: it imports nothing from another device', () => {
    const bad = files.filter((f) => f.startsWith('backend/reference/') && /from '\.\.\/(wasm|webgpu)\//.test(read(f)));
    expect(bad).toEqual([]);
  });
});
