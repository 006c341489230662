// Wasm reduce, gather and scatterAdd at the Backend level: every op and dtype over awkward shapes
// and layouts (reduced blocks that are contiguous, strided, transposed or not collapsible; empty
// rows; NaN first/last; ties), against JS oracles that follow backend.ts's contract.

import { beforeAll, describe, expect, test } from 'vitest';
import { REDUCE_OPS, type ReduceOp } from '../ts/backend/backend.js';
import { WasmBackend } from '../ts/backend/wasm/index.js';
import { loadRuntime } from '../ts/backend/wasm/runtime.js';
import { MetaScratch } from '../ts/backend/wasm/meta.js';
import { LAYOUTS, f32, freeAll, make, mismatch, offsets, output, rng, unsplitThenSplit, values } from './wasm-helpers.js';
import { startPool, stopPool } from '../ts/backend/wasm/threads.js';

let be: WasmBackend;
beforeAll(async () => { be = new WasmBackend(await loadRuntime()); });

function reduceOracle(op: ReduceOp, xs: number[], int: boolean): number {
  switch (op) {
    case 'sum': return xs.reduce((a, b) => (int ? (a + b) | 0 : a + b), 0);
    case 'prod': return xs.reduce((a, b) => (int ? Math.imul(a, b) : a * b), 1);
    case 'max': return xs.some(Number.isNaN) ? NaN : xs.reduce((a, b) => Math.max(a, b), int ? -2147483648 : -Infinity);
    case 'min': return xs.some(Number.isNaN) ? NaN : xs.reduce((a, b) => Math.min(a, b), int ? 2147483647 : Infinity);
    default: {
      let best = 0;
      for (let i = 1; i < xs.length && !Number.isNaN(xs[best]); i++) {
        if (Number.isNaN(xs[i]) || (op === 'argmax' ? xs[i] > xs[best] : xs[i] < xs[best])) best = i;
      }
      return best;
    }
  }
}

const CASES: [number[], number][] = [
  [[0], 1], [[1], 1], [[7], 1], [[129], 1], [[3, 7], 1], [[17, 3], 1], [[3, 7], 2], [[2, 3, 5], 2],
  [[2, 3, 5], 1], [[4, 1, 7], 2], [[2, 0, 3], 1], [[3, 0], 1], [[5, 33], 1], [[2, 3], 0], [[], 0], [[1031], 1],
];

describe('reduce', () => {
  for (const dtype of ['f32', 'f64', 'i32'] as const) {
    test(`${dtype}: every op over reduced blocks of every layout`, () => {
      let seed = 5;
      for (const op of REDUCE_OPS) {
        for (const [shape, nr] of CASES) for (const layout of LAYOUTS) {
          const arg = op === 'argmax' || op === 'argmin';
          // no specials for sums (Inf - Inf orders differ); small ints for prod to keep it exact
          const gen = (n: number, s: number) => (dtype === 'i32' && op === 'prod' ? values('i32', n, s, 0.2)
            : values(dtype, n, s, 4, op !== 'sum' && op !== 'prod'));
          const x = make(be, dtype, shape, layout, seed++, gen);
          const outer = shape.slice(0, shape.length - nr);
          const rows = outer.reduce((p, n) => p * n, 1);
          const block = shape.slice(shape.length - nr).reduce((p, n) => p * n, 1);
          const out = output(be, arg ? 'i32' : dtype, [rows]);
          if ((op === 'max' || op === 'min' || arg) && block === 0) { freeAll(be, x, out); continue; }
          be.reduce(op, x.view, nr, out);
          const want = Array.from({ length: rows }, (_, r) => {
            const v = reduceOracle(op, x.logical.slice(r * block, (r + 1) * block), dtype === 'i32');
            return dtype === 'f32' && !arg ? f32(v) : v;
          });
          const tol = dtype === 'i32' || arg || op === 'max' || op === 'min' ? 0 : dtype === 'f32' ? 1.2e-7 : 1e-13;
          expect(mismatch(be.read(out), want, tol, 1e-12, `${op} ${dtype} [${shape}] nr=${nr} ${layout}`)).toBeNull();
          freeAll(be, x, out);
        }
      }
    });
  }

  test('f32 column reductions (SIMD, 8 outputs at a time) are bit-identical to the scalar kernel', () => {
    const rt = be.rt;
    const meta = new MetaScratch(rt);
    for (const [rows, n] of [[8, 5], [17, 33], [3, 4], [64, 1], [9, 0]]) {
      const x = make(be, 'f32', [rows * n], 'contiguous', rows, (k, s) => values('f32', k, s, 3));
      const ptr = (x.view.storage as unknown as { ptr: number }).ptr;
      for (const op of [0, 1, 2, 3]) { // sum, prod, max, min
        const outs = (['f32_reduce_wasmsimd', 'f32_reduce_scalar'] as const).map((k) => {
          const o = rt.malloc(rows * 4);
          rt.exports[k](op, meta.write({ shape: [rows, n], strides: [[1, rows]] }), ptr, o);
          const f = rt.views.f32(o, rows).slice();
          rt.release(o);
          return new Uint32Array(f.buffer).map((b, i) => (Number.isNaN(f[i]) ? 0x7fc00000 : b)); // any NaN
        });
        expect(outs[0], `op ${op} ${rows}×${n}`).toEqual(outs[1]);
      }
      freeAll(be, x);
    }
  });

  test('split over 2 threads along the kept dims only: the bits of 1 thread; a single output row stays on one thread', async () => {
    expect(await startPool(be.rt, 2)).toBe(2);
    try {
      let seed = 700;
      const cases: [number[], number][] = [[[21, 33], 1], [[40, 17], 1], [[17, 7, 9], 2], [[19, 1, 301], 1], [[6, 5, 7], 1], [[1, 1031], 1], [[4096], 1]];
      for (const dtype of ['f32', 'f64', 'i32'] as const) {
        for (const op of ['sum', 'max', 'argmin'] as const) for (const [shape, nr] of cases) for (const layout of LAYOUTS) {
          const x = make(be, dtype, shape, layout, seed++, (n, s) => values(dtype, n, s, 4, op !== 'sum'));
          const out = output(be, op === 'argmin' ? 'i32' : dtype, [shape.slice(0, shape.length - nr).reduce((p, n) => p * n, 1)]);
          const kernel = dtype === 'f32' ? 'f32_reduce_wasmsimd' : dtype === 'f64' ? 'f64_reduce_scalar' : 's32_reduce_scalar';
          const { bytes, rows } = unsplitThenSplit(be, kernel, 1, () => { be.reduce(op, x.view, nr, out); return be.read(out); });
          const what = `${op} ${dtype} [${shape}] nr=${nr} ${layout}`;
          expect(bytes[1], what).toEqual(bytes[0]);
          expect(rows[0], what).toHaveLength(1);
          // the reduced dim is META's last: one row (a whole-tensor reduction) is never cut
          if (out.shape[0] === 1) expect(rows[1], what).toEqual(rows[0]);
          else expect(rows[1].every((r) => r < rows[0][0]), `${what}: split into parts`).toBe(true);
          freeAll(be, x, out);
        }
      }
    } finally {
      await stopPool();
    }
  });

  test('argmax/argmin: first occurrence on ties, first NaN wins; max/min propagate NaN', () => {
    const rows = [[1, 3, 3, 0], [NaN, 5, NaN, 1], [2, 2, NaN, 9], [-Infinity, -Infinity, -Infinity, -Infinity]];
    const s = be.alloc('f32', 16);
    be.write(s, new Float32Array(rows.flat()));
    const v = { storage: s, offset: 0, shape: [4, 4], strides: [4, 1] };
    const run = (op: ReduceOp) => {
      const o = output(be, op.startsWith('arg') ? 'i32' : 'f32', [4]);
      be.reduce(op, v, 1, o);
      const r = Array.from(be.read(o));
      be.free(o.storage);
      return r;
    };
    expect(run('argmax')).toEqual([1, 0, 2, 0]);
    expect(run('argmin')).toEqual([3, 0, 2, 0]);
    expect(run('max')).toEqual([3, NaN, NaN, -Infinity]);
    expect(run('min')).toEqual([0, NaN, NaN, -Infinity]);
    be.free(s);
  });

  test('f32 sum accumulates in f64 (1e6 ones + 1e-3 tail) and an i32 input can reduce into an f32 out', () => {
    const n = 1_000_003;
    const s = be.alloc('f32', n);
    be.fill(s, 1);
    be.write(s, new Float32Array([1e-3, 1e-3, 1e-3]), n - 3);
    const o = output(be, 'f32', [1]);
    be.reduce('sum', { storage: s, offset: 0, shape: [n], strides: [1] }, 1, o);
    expect(be.read(o)[0]).toBe(f32(1_000_000 + 3 * f32(1e-3)));
    const xi = make(be, 'i32', [3, 5], 'transposed', 9);
    be.reduce('sum', xi.view, 2, o);
    expect(be.read(o)[0]).toBe(xi.logical.reduce((a, b) => a + b, 0));
    freeAll(be, s, o, xi);
  });
});

describe('gather / scatterAdd', () => {
  test('an out-of-range index is a DescentError and scatterAdd leaves the target untouched', () => {
    const x = make(be, 'f32', [4, 6], 'contiguous', 1, (n, s) => values('f32', n, s, 4, false));
    const idx = be.alloc('i32', 4);
    be.write(idx, new Int32Array([0, 5, 6, 1]));
    const iv = { storage: idx, offset: 0, shape: [2, 2], strides: [2, 1] };
    const out = output(be, 'f32', [2, 2]);
    expect(() => be.gather(x.view, 1, iv, out)).toThrow(/index 6 at position 2 is out of range for dim 1 of size 6/);
    const before = Array.from(be.read(x.view));
    be.write(idx, new Int32Array([0, 1, -1, 1]));
    expect(() => be.scatterAdd(x.view, 0, iv, out)).toThrow(expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' }));
    expect(Array.from(be.read(x.view))).toEqual(before);
    freeAll(be, x, idx, out);
  });

  const cases: [number[], number[], number][] = [
    [[5], [3], 0], [[4, 6], [4, 3], 1], [[4, 6], [2, 6], 0], [[3, 4, 5], [3, 2, 5], 1], [[3, 4, 5], [3, 4, 7], 2], [[3], [0], 0],
  ];
  for (const dtype of ['f32', 'f64', 'i32'] as const) {
    test(`${dtype}: gather over layouts of x and index`, () => {
      let seed = 70;
      for (const [xs, is, dim] of cases) for (const lx of ['contiguous', 'strided', 'transposed'] as const) {
        const x = make(be, dtype, xs, lx, seed++);
        const r = rng(seed++);
        const idx = make(be, 'i32', is, lx === 'strided' ? 'strided' : 'contiguous', 0, (n) => Array.from({ length: n }, () => Math.floor(r() * xs[dim])));
        const out = output(be, dtype, is);
        be.gather(x.view, dim, idx.view, out);
        const want = offsets(is, is.map((_, d) => is.slice(d + 1).reduce((p, n) => p * n, 1)), 0).map((flat, i) => {
          const coord = is.map((_, d) => Math.floor(flat / is.slice(d + 1).reduce((p, n) => p * n, 1)) % is[d]);
          coord[dim] = idx.logical[i];
          const xflat = coord.reduce((acc, c, d) => acc * xs[d] + c, 0);
          return x.logical[xflat];
        });
        expect(mismatch(be.read(out), want, 0, 0, `gather ${dtype} [${xs}] [${is}] dim ${dim} ${lx}`)).toBeNull();
        freeAll(be, x, idx, out);
      }
    });

    test(`${dtype}: scatterAdd accumulates duplicates in index order`, () => {
      let seed = 300;
      for (const [ts, is, dim] of cases) {
        const target = make(be, dtype, ts, 'contiguous', seed++, (n, s) => values(dtype, n, s, 4, false));
        const r = rng(seed++);
        const idx = make(be, 'i32', is, 'transposed', 0, (n) => Array.from({ length: n }, () => Math.floor(r() * ts[dim])));
        const src = make(be, dtype, is, 'strided', seed++, (n, s) => values(dtype, n, s, 4, false));
        const want = [...target.logical];
        for (let i = 0; i < idx.logical.length; i++) {
          const coord = is.map((_, d) => Math.floor(i / is.slice(d + 1).reduce((p, n) => p * n, 1)) % is[d]);
          coord[dim] = idx.logical[i];
          const t = coord.reduce((acc, c, d) => acc * ts[d] + c, 0);
          want[t] = dtype === 'i32' ? (want[t] + src.logical[i]) | 0 : dtype === 'f32' ? f32(want[t] + src.logical[i]) : want[t] + src.logical[i];
        }
        be.scatterAdd(target.view, dim, idx.view, src.view);
        expect(mismatch(be.read(target.view), want, 0, 0, `scatterAdd ${dtype} [${ts}] [${is}] dim ${dim}`)).toBeNull();
        freeAll(be, target, idx, src);
      }
    });
  }
});
