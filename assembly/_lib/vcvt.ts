// Contiguous conversion loops between f32 and the formats of minifloat.ts, shared by the
// f32-f16-vcvt, f32-bf16-vcvt and f32-fp8-vcvt families. Every loop is inlined with a constant
// format, so each kernel compiles to its own straight-line code.
// Stochastic rounding draws element i's word from the Philox stream (philox.ts): word i & 3 of
// block (c0 + c1·2^32) + (i >> 2) under key (k0, k1).
import { narrowBits, widenBits, fmtWidth } from './minifloat';
import { narrowX4, widenX4 } from './minifloat-simd';
import { philoxAt } from './philox';

@inline function lane(b: v128, j: i32): u32 {
  return j == 0 ? i32x4.extract_lane(b, 0) : j == 1 ? i32x4.extract_lane(b, 1) : j == 2 ? i32x4.extract_lane(b, 2) : i32x4.extract_lane(b, 3);
}

/** Code width in bytes (2 or 1) as a shift. */
@inline function codeShift(f: i32): usize { return fmtWidth(f) == 16 ? 1 : 0; }

/** Elements [from, n) one at a time with the plain routine. */
@inline export function narrowScalar(f: i32, sat: bool, st: bool, from: i32, n: i32, x: usize, y: usize,
                                     c0: u32, c1: u32, k0: u32, k1: u32): void {
  let blk = i32x4.splat(0);
  for (let i = from; i < n; i++) {
    if (st && (i == from || (i & 3) == 0)) blk = philoxAt(i, c0, c1, k0, k1);
    const code = narrowBits(f, load<f32>(x + (<usize>i << 2)), sat, st, st ? lane(blk, i & 3) : 0);
    if (fmtWidth(f) == 16) store<u16>(y + (<usize>i << 1), <u16>code);
    else store<u8>(y + <usize>i, <u8>code);
  }
}

@inline function rnd(st: bool, i: i32, c0: u32, c1: u32, k0: u32, k1: u32): v128 {
  return st ? philoxAt(i, c0, c1, k0, k1) : i32x4.splat(0);
}

/** The whole SIMD steps of 8 (16-bit codes) or 16 (8-bit codes) elements; returns how many were done. */
@inline export function narrowSteps(f: i32, sat: bool, st: bool, n: i32, x: usize, y: usize,
                                    c0: u32, c1: u32, k0: u32, k1: u32): i32 {
  const step = fmtWidth(f) == 16 ? 8 : 16;
  let i = 0;
  for (; i + step <= n; i += step) {
    const p = x + (<usize>i << 2);
    const a = narrowX4(f, v128.load(p), sat, st, rnd(st, i, c0, c1, k0, k1));
    const b = narrowX4(f, v128.load(p, 16), sat, st, rnd(st, i + 4, c0, c1, k0, k1));
    if (fmtWidth(f) == 16) {
      v128.store(y + (<usize>i << 1), i16x8.narrow_i32x4_u(a, b));
    } else {
      const c = narrowX4(f, v128.load(p, 32), sat, st, rnd(st, i + 8, c0, c1, k0, k1));
      const d = narrowX4(f, v128.load(p, 48), sat, st, rnd(st, i + 12, c0, c1, k0, k1));
      v128.store(y + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d)));
    }
  }
  return i;
}

/** narrowSteps, the rest through narrowScalar. */
@inline export function narrowSimd(f: i32, sat: bool, st: bool, n: i32, x: usize, y: usize,
                                   c0: u32, c1: u32, k0: u32, k1: u32): void {
  narrowScalar(f, sat, st, narrowSteps(f, sat, st, n, x, y, c0, c1, k0, k1), n, x, y, c0, c1, k0, k1);
}

/** Elements [from, n) one at a time with the plain routine. */
@inline export function widenScalar(f: i32, from: i32, n: i32, x: usize, y: usize): void {
  for (let i = from; i < n; i++) {
    const h = fmtWidth(f) == 16 ? <u32>load<u16>(x + (<usize>i << 1)) : <u32>load<u8>(x + <usize>i);
    store<f32>(y + (<usize>i << 2), widenBits(f, h));
  }
}

/** The whole SIMD steps of 8 (16-bit codes) or 16 (8-bit codes) elements; returns how many were done. */
@inline export function widenSteps(f: i32, n: i32, x: usize, y: usize): i32 {
  const step = fmtWidth(f) == 16 ? 8 : 16;
  let i = 0;
  for (; i + step <= n; i += step) {
    const q = y + (<usize>i << 2);
    const h = v128.load(x + (<usize>i << codeShift(f)));
    const lo = fmtWidth(f) == 16 ? h : i16x8.extend_low_i8x16_u(h);
    v128.store(q, widenX4(f, i32x4.extend_low_i16x8_u(lo)));
    v128.store(q, widenX4(f, i32x4.extend_high_i16x8_u(lo)), 16);
    if (fmtWidth(f) == 8) {
      const hi = i16x8.extend_high_i8x16_u(h);
      v128.store(q, widenX4(f, i32x4.extend_low_i16x8_u(hi)), 32);
      v128.store(q, widenX4(f, i32x4.extend_high_i16x8_u(hi)), 48);
    }
  }
  return i;
}

/** widenSteps, the rest through widenScalar. */
@inline export function widenSimd(f: i32, n: i32, x: usize, y: usize): void {
  widenScalar(f, widenSteps(f, n, x, y), n, x, y);
}
