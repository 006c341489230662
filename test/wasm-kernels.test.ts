// Wasm elementwise kernels at the Backend level (unary, binary, where) on awkward shapes and
// layouts (0-size, odd sizes, strided, transposed, broadcast, scalar-broadcast; NaN/±Inf/±0)
// against small JS oracles; gelu in f64 against 20-digit mpmath values; relu's one-pass backward
// (reluGrad); and the scalar and SIMD kernels, and the plain and relaxed builds, bit-identical to each other.

import { beforeAll, describe, expect, test } from 'vitest';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from '../ts/backend/backend.js';
import type { DType } from '../ts/dtype.js';
import { WasmBackend } from '../ts/backend/wasm/index.js';
import { loadRuntime } from '../ts/backend/wasm/runtime.js';
import { viewPtr } from '../ts/backend/wasm/storage.js';
import { DescentError } from '../ts/errors.js';
import { expectSameBits } from './helpers/compare.js';
import { LAYOUTS, SHAPES, f32, freeAll, make, mismatch, output, unsplitThenSplit, values } from './wasm-helpers.js';
import { POOL_MIN_ELEMENTS, setPoolMinElements, startPool, stopPool } from '../ts/backend/wasm/threads.js';

let be: WasmBackend;
let relaxed: WasmBackend;
beforeAll(async () => {
  be = new WasmBackend(await loadRuntime({ build: 'simd' }));
  relaxed = new WasmBackend(await loadRuntime({ build: 'relaxed' }));
});

/** erf(x) for |x| < 1.5 from the all-positive series (no cancellation near 0). */
function erfSeries(x: number): number {
  let term = x, sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) { term *= (2 * x * x) / (2 * n + 1); sum += term; }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

// Test-side erfc (~3e-15 relative): 1 - the all-positive series e^{-x²}·Σ 2ⁿx^{2n+1}/(2n+1)!! for
// |x| < 1.5, the continued fraction (300 terms) beyond; the mpmath table below is the strict check.
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  if (x < 1.5) return 1 - erfSeries(x);
  let f = x, c = x, d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = 1 / (x + an * d);
    c = x + an / c;
    f *= c * d;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const roundEven = (x: number) => { const r = Math.round(x); return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r; };

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x, abs: Math.abs, exp: Math.exp, log: Math.log, log1p: Math.log1p, expm1: Math.expm1,
  sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x), sin: Math.sin, cos: Math.cos, tanh: Math.tanh,
  sigmoid, relu: (x) => (x < 0 ? 0 : x), gelu: (x) => 0.5 * x * erfc(-x / Math.SQRT2), silu: (x) => x * sigmoid(x),
  sign: (x) => +(x > 0) - +(x < 0), square: (x) => x * x, reciprocal: (x) => 1 / x,
  floor: Math.floor, ceil: Math.ceil, round: roundEven,
  erf: (x) => (Math.abs(x) < 1.5 ? erfSeries(x) : Number.isNaN(x) ? x : Math.sign(x) * (1 - erfc(Math.abs(x)))),
};
const EXACT = new Set<UnaryOp>(['neg', 'abs', 'sqrt', 'relu', 'sign', 'square', 'reciprocal', 'floor', 'ceil', 'round']);
const I32_UNARY: Partial<Record<UnaryOp, (x: number) => number>> = {
  neg: (x) => -x | 0, abs: (x) => Math.abs(x) | 0, sign: (x) => Math.sign(x), square: (x) => Math.imul(x, x), relu: (x) => (x < 0 ? 0 : x),
};

function binaryOracle(op: BinaryOp, dtype: DType): (a: number, b: number) => number {
  const int = dtype === 'i32';
  const cast = dtype === 'f32' ? f32 : (x: number) => x;
  switch (op) {
    case 'add': return int ? (a, b) => (a + b) | 0 : (a, b) => cast(a + b);
    case 'sub': return int ? (a, b) => (a - b) | 0 : (a, b) => cast(a - b);
    case 'mul': return int ? Math.imul : (a, b) => cast(a * b);
    case 'div': return (a, b) => cast(a / b);
    case 'pow': return int ? (a, b) => { let r = 1; for (let i = 0; i < b; i++) r = Math.imul(r, a); return r; } : (a, b) => cast(b === 0 || a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : a ** b); // C99 pow, as torch
    case 'maximum': return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
    case 'minimum': return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
    case 'eq': return (a, b) => +(a === b);
    case 'ne': return (a, b) => +(a !== b);
    case 'lt': return (a, b) => +(a < b);
    case 'le': return (a, b) => +(a <= b);
    case 'gt': return (a, b) => +(a > b);
    case 'ge': return (a, b) => +(a >= b);
  }
}

describe('unary', () => {
  for (const dtype of ['f32', 'f64'] as const) {
    test(`${dtype}: every op, shape and layout`, () => {
      let seed = 1;
      for (const op of UNARY_OPS) {
        const tol = EXACT.has(op) ? 0 : dtype === 'f32' ? 3e-7 : op === 'gelu' ? 5e-14 : 2e-15;
        for (const shape of SHAPES) for (const layout of LAYOUTS) {
          const x = make(be, dtype, shape, layout, seed++);
          const out = output(be, dtype, shape);
          be.unary(op, x.view, out);
          const want = x.logical.map((v) => (dtype === 'f32' ? f32(UNARY[op](v)) : UNARY[op](v)));
          expect(mismatch(be.read(out), want, tol, 1e-300, `${op} ${dtype} [${shape}] ${layout}`)).toBeNull();
          freeAll(be, x, out);
        }
      }
    });
  }

  test('i32: neg, abs, sign, square, relu (wrapping) and other ops rejected', () => {
    for (const [op, f] of Object.entries(I32_UNARY) as [UnaryOp, (x: number) => number][]) {
      for (const shape of SHAPES) for (const layout of LAYOUTS) {
        const x = make(be, 'i32', shape, layout, 7, (n) => values('i32', n, 7).map((v, i) => (i === 2 ? -2147483648 : v * 5000)));
        const out = output(be, 'i32', shape);
        be.unary(op, x.view, out);
        expect(mismatch(be.read(out), x.logical.map(f), 0, 0, `${op} [${shape}] ${layout}`)).toBeNull();
        freeAll(be, x, out);
      }
    }
    const x = make(be, 'i32', [3], 'contiguous', 1);
    expect(() => be.unary('exp', x.view, x.view)).toThrow(/not defined for i32/);
    freeAll(be, x);
  });

  test('f64 gelu within 1e-15 of 20-digit values, over the whole erf range', () => {
    const GELU: [number, number][] = [
      [-40, -0], [-30, -1.4720141781444561179e-196], [-26, -6.437764620308812143e-148],
      [-20, -5.5072482372124673902e-88], [-12, -2.1317785344932147972e-32], [-8, -4.9767684594174272988e-15],
      [-6, -5.9195258702261888442e-9], [-5.5, -1.0444259356238245661e-7], [-4, -0.00012668496733247968502],
      [-3.3, -0.0015952996698664656876], [-2.5, -0.015524163314440337917], [-2, -0.045500263896358414401],
      [-1.7, -0.07576128668952317225], [-1.3, -0.1258406299612934275], [-1, -0.15865525393145705141],
      [-0.75, -0.1699705142826511495], [-0.7, -0.16937455655615110929], [-0.5, -0.15426876936299344818],
      [-0.3, -0.11462657334331420584], [-0.001, -0.00049960105778608894781], [-1e-9, -4.9999999960105775074e-10],
      [1e-300, 5.0000000000000001253e-301], [1e-9, 5.0000000039894231154e-10], [0.001, 0.00050039894221391107301],
      [0.3, 0.18537342665668578306], [0.5, 0.34573123063700655182], [0.70710678, 0.53757788603470911149],
      [0.75, 0.5800294857173488505], [1, 0.84134474606854294859], [1.3, 1.1741593700387066169],
      [1.9, 1.8454385363495964838], [2, 1.9544997361036415856], [2.5, 2.4844758366855596621],
      [3, 2.9959503059051097164], [4, 3.9998733150326675203], [6, 5.9999999940804741298], [9, 9], [27, 27],
    ];
    const x = be.alloc('f64', GELU.length);
    be.write(x, new Float64Array(GELU.map(([v]) => v)));
    const v = { storage: x, offset: 0, shape: [GELU.length], strides: [1] };
    be.unary('gelu', v, v); // in place
    expect(mismatch(be.read(v), GELU.map(([, g]) => g), 1e-15, 0, 'gelu f64')).toBeNull();
    be.free(x);
  });

  test('f32 gelu within 3 ulp of the rounded f64 gelu on a dense sweep', () => {
    const xs: number[] = [NaN, Infinity, -Infinity, 0, -0, 3e38, -3e38, 1e-40, -1e-40];
    for (let x = -20; x <= 12; x += 0.00731) xs.push(x);
    const run = (dtype: 'f32' | 'f64') => {
      const s = be.alloc(dtype, xs.length);
      be.write(s, dtype === 'f32' ? new Float32Array(xs) : new Float64Array(new Float32Array(xs)));
      const v = { storage: s, offset: 0, shape: [xs.length], strides: [1] };
      be.unary('gelu', v, v);
      const r = be.read(v);
      be.free(s);
      return r;
    };
    const got = run('f32'), ref = run('f64');
    for (let i = 0; i < xs.length; i++) {
      const want = f32(ref[i]);
      if (Number.isNaN(want) || !Number.isFinite(want)) { expect(got[i], `gelu(${xs[i]})`).toBe(want); continue; }
      const ulp = Math.abs(want) < 1.1754943508222875e-38 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
      expect(Math.abs(got[i] - want) / ulp, `gelu(${xs[i]})`).toBeLessThanOrEqual(3);
    }
  });

  // ops computed in f32 (expf32-based): worst error in ulps of the f64 value, on dense sweeps
  const SWEEPS: [UnaryOp, number, number, number][] = [
    ['exp', 2, -104, 89], ['sigmoid', 4, -110, 30], ['silu', 4, -110, 30], ['tanh', 4, -12, 12],
    ['log', 2, 0, 3], ['log1p', 4, -0.999, 3]];
  for (const [op, maxUlp, lo, hi] of SWEEPS) {
    test(`f32 ${op}: ≤ ${maxUlp} ulp on a dense sweep, exact specials, subnormal and overflow edges`, () => {
      const xs = [NaN, Infinity, -Infinity, 0, -0, 88.72, 88.73, 89, 1e30, -87.3, -100, -103.9, -104, -1e30, 1e-30, -1e-30, 1e-40, 0.6249, 0.625,
        -1, -0.5, 1, 0.7071067, 0.7071068, 1.4142135, 1.4142137, 3e38, 1e-45, -1e-45, 1e-7, -1e-7, 1.1920929e-7];
      for (let x = lo; x <= hi; x += 0.0137) xs.push(x);
      for (let e = -149; e < 128; e += 0.37) xs.push(2 ** e, -(2 ** e)); // every binade, both signs
      const s = be.alloc('f32', xs.length);
      be.write(s, new Float32Array(xs));
      const v = { storage: s, offset: 0, shape: [xs.length], strides: [1] };
      const out = output(be, 'f32', [xs.length]);
      be.unary(op, v, out);
      const got = be.read(out);
      const inF32 = new Float32Array(xs);
      for (let i = 0; i < xs.length; i++) {
        const want = UNARY[op](inF32[i]);
        const a = Math.abs(want);
        const ulp = a < 1.1754943508222875e-38 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
        if (Number.isNaN(want)) expect(got[i]).toBeNaN();
        else if (!Number.isFinite(f32(want))) expect(got[i]).toBe(f32(want));
        else expect(Math.abs(got[i] - want) / ulp, `${op}(${inF32[i]})`).toBeLessThanOrEqual(maxUlp);
      }
      freeAll(be, s, out);
    });
  }
});

describe('binary', () => {
  for (const dtype of ['f32', 'f64', 'i32'] as const) {
    test(`${dtype}: every op on broadcast/strided pairs`, () => {
      let seed = 100;
      const layoutsB = [...LAYOUTS];
      for (const op of BINARY_OPS) {
        if (dtype === 'i32' && op === 'div') continue; // never sent: the op layer casts to float
        const f = binaryOracle(op, dtype);
        const tol = op === 'pow' && dtype !== 'i32' ? (dtype === 'f32' ? 1.2e-7 : 1e-15) : 0;
        const outDtype = COMPARE_OPS.includes(op) ? 'i32' : dtype;
        for (const shape of SHAPES) for (const la of LAYOUTS) for (const lb of layoutsB) {
          const gen = op === 'pow' && dtype === 'i32' ? (n: number, s: number) => values('i32', n, s, 0.4).map(Math.abs) : undefined;
          const a = make(be, dtype, shape, la, seed++, gen);
          const b = make(be, dtype, shape, lb, seed++, gen);
          const out = output(be, outDtype, shape);
          be.binary(op, a.view, b.view, out);
          const want = a.logical.map((x, i) => f(x, b.logical[i]));
          expect(mismatch(be.read(out), want, tol, 0, `${op} ${dtype} [${shape}] ${la}/${lb}`)).toBeNull();
          freeAll(be, a, b, out);
        }
      }
    });
  }

  test('strided out and in-place (out = a)', () => {
    const a = make(be, 'f32', [17, 3], 'contiguous', 3);
    const b = make(be, 'f32', [17, 3], 'broadcast', 4);
    const o = make(be, 'f32', [17, 3], 'transposed', 5);
    be.binary('mul', a.view, b.view, o.view);
    const want = a.logical.map((x, i) => f32(x * b.logical[i]));
    expect(mismatch(be.read(o.view), want, 0, 0, 'transposed out')).toBeNull();
    be.binary('add', a.view, b.view, a.view);
    expect(mismatch(be.read(a.view), a.logical.map((x, i) => f32(x + b.logical[i])), 0, 0, 'in place')).toBeNull();
    freeAll(be, a, b, o);
  });

  test('i32 division never traps (x/0 → 0, MIN/-1 → MIN)', () => {
    const a = be.alloc('i32', 3), b = be.alloc('i32', 3), o = be.alloc('i32', 3);
    be.write(a, new Int32Array([7, -2147483648, -7]));
    be.write(b, new Int32Array([0, -1, 2]));
    const v = (s: typeof a) => ({ storage: s, offset: 0, shape: [3], strides: [1] });
    be.binary('div', v(a), v(b), v(o));
    expect(Array.from(be.read(v(o)))).toEqual([0, -2147483648, -3]);
    freeAll(be, a, b, o);
  });
});

test('where: all layouts and dtypes', () => {
  let seed = 900;
  for (const dtype of ['f32', 'f64', 'i32'] as const) {
    for (const shape of SHAPES) for (const lc of LAYOUTS) for (const la of ['contiguous', 'broadcast', 'strided'] as const) {
      const c = make(be, 'i32', shape, lc, seed++, (n, s) => values('i32', n, s, 0.2));
      const a = make(be, dtype, shape, la, seed++);
      const b = make(be, dtype, shape, seed % 2 ? 'scalar' : 'contiguous', seed++);
      const out = output(be, dtype, shape);
      be.where(c.view, a.view, b.view, out);
      const want = c.logical.map((k, i) => (k !== 0 ? a.logical[i] : b.logical[i]));
      expect(mismatch(be.read(out), want, 0, 0, `where ${dtype} [${shape}] ${lc}/${la}`)).toBeNull();
      freeAll(be, c, a, b, out);
    }
  }
});

test('the plain-SIMD and relaxed builds give bit-identical results', () => {
  const n = 1031;
  for (const op of UNARY_OPS) {
    const outs = [be, relaxed].map((bk) => {
      const x = make(bk, 'f32', [n], 'contiguous', 42, (k, s) => values('f32', k, s, 30));
      const o = output(bk, 'f32', [n]);
      bk.unary(op, x.view, o);
      const r = new Uint32Array((bk.read(o) as Float32Array).buffer);
      freeAll(bk, x, o);
      return r;
    });
    expect(outs[1], op).toEqual(outs[0]);
  }
  for (const op of BINARY_OPS) {
    const outs = [be, relaxed].map((bk) => {
      const a = make(bk, 'f32', [n], 'contiguous', 1), b = make(bk, 'f32', [n], 'contiguous', 2);
      const o = output(bk, COMPARE_OPS.includes(op) ? 'i32' : 'f32', [n]);
      bk.binary(op, a.view, b.view, o);
      const r = new Uint32Array(bk.read(o).buffer);
      freeAll(bk, a, b, o);
      return r;
    });
    expect(outs[1], op).toEqual(outs[0]);
  }
});

test('SIMD rows (contiguous) and scalar rows (strided) give bit-identical results', () => {
  const n = 517;
  const gen = (k: number, s: number) => values('f32', k, s, 160); // past exp's clamps both ways
  // the same logical values, once contiguous and once in a strided view (copied over exactly)
  const pair = (seed: number) => {
    const c = make(be, 'f32', [n], 'contiguous', seed, gen);
    const s = make(be, 'f32', [n], 'strided', seed);
    be.copy(c.view, s.view);
    return [c, s];
  };
  // bits, with every NaN as one pattern: wasm leaves NaN payload/sign unspecified per instruction
  const u32 = (x: ArrayLike<number> & { buffer: ArrayBufferLike }) =>
    new Uint32Array(x.buffer).map((b, i) => (Number.isNaN(x[i]) ? 0x7fc00000 : b));
  for (const op of UNARY_OPS) {
    const xs = pair(8);
    const r = xs.map((x) => { const o = output(be, 'f32', [n]); be.unary(op, x.view, o); const v = be.read(o); freeAll(be, o); return u32(v); });
    expect(r[1], op).toEqual(r[0]);
    freeAll(be, ...xs);
  }
  for (const dtype of ['f64', 'i32'] as const) {
    for (const op of dtype === 'i32' ? Object.keys(I32_UNARY) as UnaryOp[] : UNARY_OPS) {
      const c = make(be, dtype, [n], 'contiguous', 5, (k, s) => values(dtype, k, s, 160).map((v) => (dtype === 'i32' ? v * 99991 : v)));
      const st = make(be, dtype, [n], 'strided', 5);
      be.copy(c.view, st.view);
      const r = [c, st].map((x) => { const o = output(be, dtype, [n]); be.unary(op, x.view, o); const v = Array.from(be.read(o), String); freeAll(be, o); return v; });
      expect(r[1], `${dtype} ${op}`).toEqual(r[0]);
      freeAll(be, c, st);
    }
  }
  for (const dtype of ['f32', 'f64', 'i32'] as const) {
    const pairOf = (seed: number) => {
      const c = make(be, dtype, [n], 'contiguous', seed, (k, s) => values(dtype, k, s, 160));
      const s = make(be, dtype, [n], 'strided', seed);
      be.copy(c.view, s.view);
      return [c, s];
    };
    const bitsOf = (x: Float32Array | Float64Array | Int32Array) =>
      Array.from(x, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)));
    for (const op of BINARY_OPS.filter((o) => o !== 'pow' && !(dtype === 'i32' && o === 'div'))) {
      const as = pairOf(8), bs = pairOf(9);
      const r = [0, 1].map((k) => {
        const o = output(be, COMPARE_OPS.includes(op) ? 'i32' : dtype, [n]);
        be.binary(op, as[k].view, bs[k].view, o);
        const v = bitsOf(be.read(o) as Float32Array);
        freeAll(be, o);
        return v;
      });
      expect(r[1], `${dtype} ${op}`).toEqual(r[0]);
      freeAll(be, ...as, ...bs);
    }
  }
});

test('unary, binary and where split over 2 threads give the bits of 1 thread (odd lengths, broadcast, strided, transposed; f32/f64/i32)', async () => {
  for (const bad of [-1, NaN]) expect(() => setPoolMinElements(bad)).toThrow(DescentError);
  expect(await startPool(be.rt, 2)).toBe(2);
  const inUse = be.rt.bytesInUse;
  try {
    let seed = 3000;
    for (const dtype of ['f32', 'f64', 'i32'] as const) {
      for (const shape of [[33], [1001], [3, 7], [2, 3, 5], [7, 1, 301]]) for (const layout of LAYOUTS) {
        const x = make(be, dtype, shape, layout, seed++), y = make(be, dtype, shape, 'broadcast', seed++);
        const cond = make(be, 'i32', shape, 'strided', seed++, (n, s) => values('i32', n, s, 0.2));
        const split = (kernel: string, metaArg: number, outDtype: DType, call: (out: ReturnType<typeof output>) => void, what: string): void => {
          const out = output(be, outDtype, shape);
          const { bytes, rows } = unsplitThenSplit(be, kernel, metaArg, () => { call(out); return be.read(out); });
          expect(bytes[1], what).toEqual(bytes[0]);
          expect(rows[0], what).toHaveLength(1); // unsplit: one call over the whole range
          expect(rows[1].every((r) => r < rows[0][0]), `${what}: split into parts`).toBe(true);
          freeAll(be, out);
        };
        const at = `${dtype} [${shape}] ${layout}`;
        const ew = dtype === 'i32' ? 's32' : dtype;
        for (const op of dtype === 'i32' ? ['neg', 'relu'] as const : ['exp', 'sqrt', 'gelu'] as const) {
          split(`${ew}_vunary_wasmsimd`, 1, dtype, (o) => be.unary(op, x.view, o), `${op} ${at}`);
        }
        for (const op of ['add', 'mul', 'pow', 'lt'] as const) {
          if (dtype === 'i32' && op === 'pow') continue;
          split(`${ew}_vbinary_wasmsimd`, 1, COMPARE_OPS.includes(op) ? 'i32' : dtype, (o) => be.binary(op, x.view, y.view, o), `${op} ${at}`);
        }
        split(dtype === 'f64' ? 'x64_where_scalar' : 'x32_where_wasmsimd', 0, dtype, (o) => be.where(cond.view, x.view, y.view, o), `where ${at}`);
        freeAll(be, x, y, cond);
      }
    }
    expect(be.rt.bytesInUse).toBe(inUse); // every part's META block given back
  } finally {
    await stopPool();
  }
});

test('gather split over 2 threads gives the bits of 1 thread (rows of an index_select, any dim, strided x; f32/f64/i32); a bad index leaves out untouched', async () => {
  expect(await startPool(be.rt, 2)).toBe(2);
  const inUse = be.rt.bytesInUse;
  try {
    let seed = 4000;
    // [x shape, dim, index shape]: index_select of rows (index broadcast along the row), a general gather
    const cases: [number[], number, number[], number[]][] = [[[50, 3, 7], 0, [33, 3, 7], [1, 0, 0]], [[9, 40], 1, [9, 65], [65, 1]], [[301, 5], 0, [257, 5], [5, 1]]];
    for (const dtype of ['f32', 'f64', 'i32'] as const) for (const layout of ['contiguous', 'transposed'] as const) {
      for (const [xShape, dim, iShape, iStrides] of cases) {
        const x = make(be, dtype, xShape, layout, seed++);
        const n = iShape.reduce((a, b) => a * b, 1), idxSize = iStrides[0] === 1 && iStrides[1] === 0 ? iShape[0] : n;
        const idx = make(be, 'i32', [idxSize], 'contiguous', seed++, (len, sd) => values('f32', len, sd, 1, false).map((v) => Math.floor((v + 1) / 2 * xShape[dim])));
        const index = { ...idx.view, shape: iShape, strides: iStrides.length === iShape.length ? iStrides : [1, 0, 0] };
        const what = `${dtype} ${layout} x [${xShape}] dim ${dim}`;
        const out = output(be, dtype, iShape);
        const kernel = dtype === 'f64' ? 'x64_gather_scalar' : 'x32_gather_scalar';
        const { bytes, rows } = unsplitThenSplit(be, kernel, 2, () => { be.gather(x.view, dim, index, out); return be.read(out); });
        expect(bytes[1], what).toEqual(bytes[0]);
        expect(rows[0], what).toHaveLength(1); // unsplit: one call over the whole range
        expect(rows[1].every((r) => r < rows[0][0]), `${what}: split into parts`).toBe(true);
        // the gathered values: x at the index along dim (x.logical is x in row-major order)
        const got = be.read(out), ix = idx.logical;
        const rowMajor = (shape: number[]) => shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
        const os = rowMajor(iShape), xs = rowMajor(xShape);
        for (let e = 0; e < n; e += 7) {
          const pos = iShape.map((_, d) => Math.floor(e / os[d]) % iShape[d]);
          const at = pos.reduce((a, p, d) => a + p * index.strides[d], 0);
          const xi = pos.reduce((a, p, d) => a + (d === dim ? ix[at] : p) * xs[d], 0);
          expect(Object.is(got[e], x.logical[xi]) || (Number.isNaN(got[e]) && Number.isNaN(x.logical[xi])), `${what} element ${e}`).toBe(true);
        }
        // a bad index with the split on: every index checked first, out keeps its bytes
        const before = be.read(out);
        const bad = be.read(idx.view) as Int32Array;
        bad[bad.length - 1] = xShape[dim];
        be.write(idx.storage, bad);
        setPoolMinElements(0);
        try {
          expect(() => be.gather(x.view, dim, index, out)).toThrow(/out of range/);
        } finally {
          setPoolMinElements(POOL_MIN_ELEMENTS);
        }
        expect(be.read(out), what).toEqual(before);
        freeAll(be, x, idx, out);
      }
    }
    expect(be.rt.bytesInUse).toBe(inUse);
  } finally {
    await stopPool();
  }
});

describe('reluGrad (relu\'s VJP in one pass)', () => {
  test('out = x ≤ 0 ? +0 : g bit for bit (NaN passes, ±0 cut); SIMD = scalar kernel = relaxed build; in place', () => {
    let seed = 1300;
    for (const shape of SHAPES) {
      const n = shape.reduce((a, b) => a * b, 1);
      const want = new Float32Array(n);
      const runs: Float32Array[] = [];
      for (const backend of [be, relaxed]) {
        const x = make(backend, 'f32', shape, 'contiguous', seed), g = make(backend, 'f32', shape, 'contiguous', seed + 1);
        x.logical.forEach((v, i) => { want[i] = v <= 0 ? 0 : g.logical[i]; });
        const out = output(backend, 'f32', shape);
        backend.reluGrad(x.view, g.view, out);
        runs.push(backend.read(out) as Float32Array);
        const [px, pg, po] = [x.view, g.view, out].map((v) => viewPtr(v, 'test'));
        backend.rt.exports.f32_relugrad_scalar(n, px, pg, po);
        runs.push(backend.read(out) as Float32Array);
        backend.reluGrad(x.view, g.view, g.view);
        runs.push(backend.read(g.view) as Float32Array);
        freeAll(backend, x, g, out);
      }
      for (const got of runs) expectSameBits(got, want);
      seed += 2;
    }
  });

  test('rejects strided views, mismatched shapes and f64 with a DescentError', () => {
    const x = make(be, 'f32', [17, 3], 'contiguous', 1), g = make(be, 'f32', [17, 3], 'contiguous', 2);
    const strided = make(be, 'f32', [17, 3], 'transposed', 3), small = make(be, 'f32', [3, 17], 'contiguous', 4);
    const f64 = make(be, 'f64', [17, 3], 'contiguous', 5), out = output(be, 'f32', [17, 3]);
    for (const [a, b] of [[strided, g], [x, strided], [small, g], [x, f64]]) {
      expect(() => be.reluGrad(a.view, b.view, out)).toThrow(DescentError);
    }
    freeAll(be, x, g, strided, small, f64, out);
  });
});
