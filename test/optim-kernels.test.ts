// Fused optimizer update kernels (assembly/f32-{adam,sgd,lion,adagrad,rmsprop}): SIMD against the
// scalar twin (bit-identical, awkward sizes, NaN/Inf), the scalar twin against a plain JS
// transcription of the documented formula with Math.fround after every operation, and the
// multi-tensor entries against one call per tensor.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../ts/backend/wasm/runtime.js';

type Fn = (...a: number[]) => void;
let ex: Record<string, Fn>;
let mem: WebAssembly.Memory;
let heap = 0;

beforeAll(async () => {
  const rt = await loadRuntime({ build: 'simd' });
  mem = rt.memory;
  ex = rt.exports as unknown as Record<string, Fn>;
  heap = rt.malloc(1 << 20); // a private 1 MiB arena for the kernels under test
});

const f = Math.fround;
const SIZES = [1, 3, 4, 7, 17, 129];

/** Deterministic pseudo-random floats with a few specials sprinkled in. */
function data(n: number, seed: number, positive = false, specials = false): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    a[i] = positive ? u * 2 + 0.01 : u * 4 - 2;
  }
  if (specials && n >= 7) {
    a[1] = NaN;
    a[3] = Infinity;
    a[5] = positive ? 0 : -0;
  }
  return a;
}

interface Spec {
  name: string;
  /** Arrays in signature order; `positive` marks second-moment state. */
  arrays: { key: string; positive?: boolean; written: boolean }[];
  scalars: number[];
  flags: number[];
  /** Per-element JS transcription: takes the loaded values and scalars, returns the new values of written arrays. */
  ref: (x: Record<string, number>, s: number[], flags: number) => Record<string, number>;
  recordWords: number;
}

const SPECS: Spec[] = [
  {
    name: 'adam', recordWords: 6, flags: [0, 1, 2, 3],
    arrays: [{ key: 'p', written: true }, { key: 'g', written: false }, { key: 'm', written: true },
      { key: 'v', positive: true, written: true }, { key: 'vmax', positive: true, written: true }],
    scalars: [0.9, 0.999, 1e-8, 0.013, 0.3, 0.9995, 0.01],
    ref: (x, [b1, b2, eps, st, bc, decay, l2], fl) => {
      let g = fl & 2 ? -x.g : x.g;
      const p = f(x.p * f(decay));
      g = f(g + f(f(l2) * p));
      const m = f(f(x.m * f(b1)) + f(g * f(1 - f(b1))));
      const v = f(f(x.v * f(b2)) + f(f(g * g) * f(1 - f(b2))));
      const vmax = fl & 1 ? (Number.isNaN(x.vmax) || Number.isNaN(v) ? NaN : Math.max(x.vmax, v)) : x.vmax;
      const den = f(f(f(Math.sqrt(fl & 1 ? vmax : v)) / f(bc)) + f(eps));
      return { p: f(p - f(f(st) * f(m / den))), m, v, vmax };
    },
  },
  {
    name: 'sgd', recordWords: 4, flags: [0, 1, 2, 4, 5, 7],
    arrays: [{ key: 'p', written: true }, { key: 'g', written: false }, { key: 'buf', written: true }],
    scalars: [0.05, 0.9, 0.1, 0.01],
    ref: (x, [lr, mu, damp, wd], fl) => {
      let g = fl & 2 ? -x.g : x.g;
      g = f(g + f(f(wd) * x.p));
      const buf = fl & 4 ? g : f(f(x.buf * f(mu)) + f(g * f(1 - f(damp))));
      g = fl & 1 ? f(g + f(f(mu) * buf)) : buf;
      return { p: f(x.p - f(f(lr) * g)), buf };
    },
  },
  {
    name: 'lion', recordWords: 4, flags: [0],
    arrays: [{ key: 'p', written: true }, { key: 'g', written: false }, { key: 'm', written: true }],
    scalars: [1e-3, 0.9, 0.99, 0.9999],
    ref: (x, [lr, b1, b2, decay]) => {
      const c = f(f(x.m * f(b1)) + f(x.g * f(1 - f(b1))));
      const sgn = c > 0 ? 1 : c < 0 ? -1 : c;
      return { p: f(f(x.p * f(decay)) - f(f(lr) * sgn)), m: f(f(x.m * f(b2)) + f(x.g * f(1 - f(b2)))) };
    },
  },
  {
    name: 'adagrad', recordWords: 4, flags: [0, 2],
    arrays: [{ key: 'p', written: true }, { key: 'g', written: false }, { key: 'sum', positive: true, written: true }],
    scalars: [0.01, 1e-10, 0.05],
    ref: (x, [clr, eps, wd], fl) => {
      let g = fl & 2 ? -x.g : x.g;
      g = f(g + f(f(wd) * x.p));
      const sum = f(x.sum + f(g * g));
      return { p: f(x.p - f(f(clr) * f(g / f(f(Math.sqrt(sum)) + f(eps))))), sum };
    },
  },
  {
    name: 'rmsprop', recordWords: 6, flags: [0, 1, 2, 3],
    arrays: [{ key: 'p', written: true }, { key: 'g', written: false }, { key: 'v', positive: true, written: true },
      { key: 'gavg', written: true }, { key: 'buf', written: true }],
    scalars: [0.01, 0.99, 1e-8, 0.02, 0.9],
    ref: (x, [lr, alpha, eps, wd, mu], fl) => {
      let g = fl & 2 ? -x.g : x.g;
      g = f(g + f(f(wd) * x.p));
      const ca = f(1 - f(alpha));
      const v = f(f(x.v * f(alpha)) + f(f(g * g) * ca));
      let gavg = x.gavg;
      let avg: number;
      if (fl & 1) {
        gavg = f(f(x.gavg * f(alpha)) + f(g * ca));
        avg = f(f(Math.sqrt(f(v - f(gavg * gavg)))) + f(eps));
      } else {
        avg = f(f(Math.sqrt(v)) + f(eps));
      }
      if (f(mu) > 0) {
        const buf = f(f(x.buf * f(mu)) + f(g / avg));
        return { p: f(x.p - f(f(lr) * buf)), v, gavg, buf };
      }
      return { p: f(x.p - f(f(lr) * f(g / avg))), v, gavg, buf: x.buf };
    },
  },
];

/** Lays the arrays out in wasm memory (16-byte aligned) and returns their byte pointers. */
function place(arrs: Float32Array[], at: number): number[] {
  const ptrs: number[] = [];
  let p = at;
  for (const a of arrs) {
    new Float32Array(mem.buffer, p, a.length).set(a);
    ptrs.push(p);
    p += (a.length * 4 + 15) & ~15;
  }
  return ptrs;
}
const read = (ptr: number, n: number): Float32Array => new Float32Array(mem.buffer, ptr, n).slice();
const same = (a: number, b: number): boolean => (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);

describe('fused optimizer kernels', () => {
  for (const spec of SPECS) {
    for (const flags of spec.flags) {
      it(`${spec.name} flags=${flags}: SIMD = scalar = JS formula over sizes ${SIZES.join('/')} with NaN/Inf`, () => {
        for (const n of SIZES) {
          for (const specials of [false, true]) {
            const init = spec.arrays.map((a, i) => data(n, 97 * n + 13 * i + flags, a.positive, specials && a.key === 'g'));
            const outs: Float32Array[][] = [];
            for (const variant of ['scalar', 'wasmsimd']) {
              const ptrs = place(init, heap);
              ex[`f32_${spec.name}_${variant}`](n, ...ptrs, ...spec.scalars, flags);
              outs.push(spec.arrays.map((_, i) => read(ptrs[i], n)));
            }
            spec.arrays.forEach((a, k) => outs[0][k].forEach((v, i) => {
              if (!same(v, outs[1][k][i])) expect.fail(`${a.key}[${i}] n=${n}: scalar ${v} vs simd ${outs[1][k][i]}`);
            }));
            for (let i = 0; i < n; i++) {
              const x: Record<string, number> = {};
              spec.arrays.forEach((a, k) => { x[a.key] = init[k][i]; });
              const want = spec.ref(x, spec.scalars, flags);
              spec.arrays.forEach((a, k) => {
                const w = a.written ? want[a.key] : x[a.key];
                if (!same(outs[0][k][i], w)) expect.fail(`${a.key}[${i}] n=${n}: kernel ${outs[0][k][i]} vs formula ${w}`);
              });
            }
          }
        }
      });
    }
    it(`${spec.name} multi-tensor entry equals one call per tensor`, () => {
      const sizes = [5, 1, 33, 8];
      const sets = sizes.map((n, t) => spec.arrays.map((a, i) => data(n, 7 * t + i, a.positive)));
      const flags = spec.flags[spec.flags.length - 1];
      for (const variant of ['scalar', 'wasmsimd']) {
        let at = heap;
        const rows: number[][] = [];
        for (const s of sets) {
          const ptrs = place(s, at);
          rows.push(ptrs);
          at = ptrs[ptrs.length - 1] + 1024;
        }
        const table = at;
        const words = new Uint32Array(mem.buffer, table, sizes.length * spec.recordWords);
        rows.forEach((ptrs, t) => {
          words[t * spec.recordWords] = sizes[t];
          ptrs.forEach((p, k) => { words[t * spec.recordWords + 1 + k] = p; });
        });
        ex[`f32_${spec.name}_multi_${variant}`](sizes.length, table, ...spec.scalars, flags);
        const multi = rows.map((ptrs, t) => ptrs.map((p) => read(p, sizes[t])));
        rows.forEach((ptrs, t) => {
          const single = place(sets[t], table + 4096);
          ex[`f32_${spec.name}_${variant}`](sizes[t], ...single, ...spec.scalars, flags);
          single.forEach((p, k) => expect(read(p, sizes[t])).toEqual(multi[t][k]));
        });
      }
    });
  }
});

describe('Newton–Schulz helper kernels (assembly/f32-ns5)', () => {
  it('sumsq: SIMD within f64 rounding of the scalar twin and of a JS sum; scale: SIMD = scalar bit for bit', () => {
    for (const n of SIZES) {
      const x = data(n, 5 * n);
      const [px, py, pz] = place([x, new Float32Array(n), new Float32Array(n)], heap);
      const simd = (ex.f32_ns5_sumsq_wasmsimd as unknown as (n: number, p: number) => number)(n, px);
      const scalar = (ex.f32_ns5_sumsq_scalar as unknown as (n: number, p: number) => number)(n, px);
      const js = Array.from(x).reduce((a, v) => a + v * v, 0);
      expect(Math.abs(simd - js)).toBeLessThanOrEqual(1e-13 * js);
      expect(scalar).toBe(js);
      ex.f32_ns5_scale_wasmsimd(n, px, py, 0.37);
      ex.f32_ns5_scale_scalar(n, px, pz, 0.37);
      expect(read(py, n)).toEqual(read(pz, n));
      expect(Array.from(read(pz, n))).toEqual(Array.from(x, (v) => Math.fround(v * Math.fround(0.37))));
    }
  });

  it('mirror (scalar and SIMD) completes a symmetric matrix from its upper triangle, whole or one region at a time', () => {
    // whole matrices across the 4-block and 32-tile edges, and regions [r0, r1) × [c0, c1) with
    // r0, c0 multiples of 4 and ragged ends: only (j, i) for i in the rows, j > i in the columns changes
    const cases: [number, number, number, number, number][] = [1, 3, 4, 5, 31, 32, 33, 36, 67, 70].map((n) => [n, 0, n, 0, n]);
    cases.push([70, 8, 37, 8, 70], [70, 0, 45, 40, 45], [70, 36, 70, 36, 70], [67, 4, 9, 12, 67], [33, 32, 33, 0, 33], [40, 0, 17, 20, 23]);
    for (const name of ['f32_ns5_mirror_scalar', 'f32_ns5_mirror_wasmsimd']) {
      for (const [n, r0, r1, c0, c1] of cases) {
        const a = data(n * n, n + r0 + c1);
        const [pa] = place([a], heap);
        (ex[name] as unknown as (...args: number[]) => void)(n, pa, r0, r1, c0, c1);
        const out = read(pa, n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const mirrored = j < i && j >= r0 && j < r1 && i >= c0 && i < c1;
            const want = mirrored ? a[j * n + i] : a[i * n + j];
            if (out[i * n + j] !== want) expect.fail(`${name} n=${n} [${r0},${r1})×[${c0},${c1}) (${i},${j}): ${out[i * n + j]} vs ${want}`);
          }
        }
      }
    }
  });
});

describe('bf16 optimizer state (assembly/f32-{sgd,adam,lion}-bf16state)', () => {
  const u16 = (p: number, n: number) => new Uint16Array(mem.buffer, p, n).slice();
  const bf16Of = (x: Float32Array) => { // bf16 bits (truncated: any bf16 will do as a starting state)
    const b = new Uint32Array(x.buffer.slice(0));
    return Uint16Array.from(b, (w) => w >>> 16);
  };
  const SCALARS = [0.9, 0.999, 1e-8, 0.013, 0.3, 0.9995, 0.01];
  const KEY = [0x9e3779b9, 0x1234567];

  it('SIMD = scalar twin = f32-adam on the widened moments, then stochastic narrowing (sizes across the 1024 chunk)', () => {
    for (const n of [1, 3, 7, 17, 1029, 2100]) {
      for (const flags of [0, 2]) {
        const p0 = data(n, n), g = data(n, 2 * n), m0 = bf16Of(data(n, 3 * n)), v0 = bf16Of(data(n, 4 * n, true));
        const blocks = [[5, 1], [7 + Math.ceil(n / 4), 1]]; // the high word tests the 64-bit block counter
        const run = (kernel: string) => {
          const [pp, pg, pm, pv, scratch] = place([p0, g, new Float32Array(Math.ceil(n / 2)), new Float32Array(Math.ceil(n / 2)), new Float32Array(2048)], heap);
          new Uint16Array(mem.buffer, pm, n).set(m0);
          new Uint16Array(mem.buffer, pv, n).set(v0);
          ex[kernel](n, pp, pg, pm, pv, scratch, ...SCALARS, flags, ...blocks.flat(), ...KEY);
          return [Array.from(read(pp, n)), Array.from(u16(pm, n)), Array.from(u16(pv, n))];
        };
        const simd = run('f32_adam_bf16state_wasmsimd');
        expect(run('f32_adam_bf16state_scalar'), `n=${n} flags=${flags}`).toEqual(simd);
        // the contract: f32_adam_scalar on the widened moments, then f32_bf16_vcvt_scalar with stochastic rounding
        const widen = (b: Uint16Array) => new Float32Array(Uint32Array.from(b, (h) => h << 16).buffer);
        const [pp, pg, pm, pv, pm16, pv16] = place([p0, g, widen(m0), widen(v0), new Float32Array(n), new Float32Array(n)], heap);
        ex.f32_adam_scalar(n, pp, pg, pm, pv, 0, ...SCALARS, flags);
        ex.f32_bf16_vcvt_scalar(n, pm, pm16, 1, ...blocks[0], ...KEY);
        ex.f32_bf16_vcvt_scalar(n, pv, pv16, 1, ...blocks[1], ...KEY);
        expect([Array.from(read(pp, n)), Array.from(u16(pm16, n)), Array.from(u16(pv16, n))], `contract n=${n}`).toEqual(simd);
      }
    }
  });

  it('Lion: SIMD = scalar twin = f32-lion on the widened momentum, then stochastic narrowing', () => {
    const LION = [0.013, 0.9, 0.99, 0.9995];
    for (const n of [1, 3, 7, 17, 1029, 2100]) {
      const p0 = data(n, n), g = data(n, 2 * n), m0 = bf16Of(data(n, 3 * n));
      const run = (kernel: string) => {
        const [pp, pg, pm, scratch] = place([p0, g, new Float32Array(Math.ceil(n / 2)), new Float32Array(1024)], heap);
        new Uint16Array(mem.buffer, pm, n).set(m0);
        ex[kernel](n, pp, pg, pm, scratch, ...LION, 9, 2, ...KEY);
        return [Array.from(read(pp, n)), Array.from(u16(pm, n))];
      };
      const simd = run('f32_lion_bf16state_wasmsimd');
      expect(run('f32_lion_bf16state_scalar'), `n=${n}`).toEqual(simd);
      const [pp, pg, pm, pm16] = place([p0, g, new Float32Array(Uint32Array.from(m0, (h) => h << 16).buffer), new Float32Array(n)], heap);
      ex.f32_lion_scalar(n, pp, pg, pm, ...LION);
      ex.f32_bf16_vcvt_scalar(n, pm, pm16, 1, 9, 2, ...KEY);
      expect([Array.from(read(pp, n)), Array.from(u16(pm16, n))], `contract n=${n}`).toEqual(simd);
    }
  });

  it('SGD momentum: SIMD = scalar twin = f32-sgd on the widened buffer, then stochastic narrowing (nesterov, maximize)', () => {
    const SGD = [0.013, 0.9, 0.1, 0.01];
    for (const n of [1, 7, 1029, 2100]) {
      for (const flags of [0, 1, 2, 3]) {
        const p0 = data(n, n), g = data(n, 2 * n), b0 = bf16Of(data(n, 3 * n));
        const run = (kernel: string) => {
          const [pp, pg, pb, scratch] = place([p0, g, new Float32Array(Math.ceil(n / 2)), new Float32Array(1024)], heap);
          new Uint16Array(mem.buffer, pb, n).set(b0);
          ex[kernel](n, pp, pg, pb, scratch, ...SGD, flags, 3, 0, ...KEY);
          return [Array.from(read(pp, n)), Array.from(u16(pb, n))];
        };
        const simd = run('f32_sgd_bf16state_wasmsimd');
        expect(run('f32_sgd_bf16state_scalar'), `n=${n} flags=${flags}`).toEqual(simd);
        const [pp, pg, pb, pb16] = place([p0, g, new Float32Array(Uint32Array.from(b0, (h) => h << 16).buffer), new Float32Array(n)], heap);
        ex.f32_sgd_scalar(n, pp, pg, pb, ...SGD, flags);
        ex.f32_bf16_vcvt_scalar(n, pb, pb16, 1, 3, 0, ...KEY);
        expect([Array.from(read(pp, n)), Array.from(u16(pb16, n))], `contract n=${n} flags=${flags}`).toEqual(simd);
      }
    }
  });

  it('the multi entry equals one call per tensor', () => {
    const sizes = [5, 1030];
    const tensors = sizes.map((n, i) => ({ n, p: data(n, 10 + i), g: data(n, 20 + i), m: bf16Of(data(n, 30 + i)), v: bf16Of(data(n, 40 + i, true)) }));
    const layout = (at: number) => tensors.map((t) => {
      const [pp, pg, pm, pv] = place([t.p, t.g, new Float32Array(Math.ceil(t.n / 2)), new Float32Array(Math.ceil(t.n / 2))], at);
      new Uint16Array(mem.buffer, pm, t.n).set(t.m);
      new Uint16Array(mem.buffer, pv, t.n).set(t.v);
      return [pp, pg, pm, pv];
    });
    const out = (ptrs: number[][]) => ptrs.map(([pp, , pm, pv], i) => [Array.from(read(pp, sizes[i])), Array.from(u16(pm, sizes[i])), Array.from(u16(pv, sizes[i]))]);
    const scratch = heap + (1 << 19);
    const single = layout(heap);
    single.forEach((q, i) => ex.f32_adam_bf16state_wasmsimd(sizes[i], ...q, scratch, ...SCALARS, 0, 3 * i, 0, 3 * i + 1000, 0, ...KEY));
    const want = out(single);
    const multi = layout(heap);
    const table = heap + (1 << 18);
    new Int32Array(mem.buffer, table, 18).set(multi.flatMap((q, i) => [sizes[i], ...q, 3 * i, 0, 3 * i + 1000, 0]));
    ex.f32_adam_bf16state_multi_wasmsimd(2, table, scratch, ...SCALARS, 0, ...KEY);
    expect(out(multi)).toEqual(want);
  });
});
