// Contiguous conversion loops between f32 and the formats of minifloat.ts, shared by the
// f32-f16-vcvt, f32-bf16-vcvt and f32-fp8-vcvt families. Every loop is inlined with a constant
// format, so each kernel compiles to its own straight-line code.
// Stochastic rounding draws element i's word from the Philox stream (philox.ts): word i & 3 of
// block (c0 + c1·2^32) + (i >> 2) under key (k0, k1).
import { narrowBits, widenBits, fmtWidth, FMT_F16 } from './minifloat';
import { narrowX4, widenX4, narrowF16NearestSteps } from './minifloat-simd';
import { philoxAt, philoxAt32, philoxWords0, philoxWords1, philoxWords2, philoxWords3, philoxWords4, philoxWords5, philoxWords6, philoxWords7 } from './philox';

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

/** Elements i .. i + 15, r0..r3 their random words when stochastic. */
@inline function narrow16(f: i32, sat: bool, st: bool, i: i32, x: usize, y: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const p = x + (<usize>i << 2);
  const a = narrowX4(f, v128.load(p), sat, st, r0);
  const b = narrowX4(f, v128.load(p, 16), sat, st, r1);
  const c = narrowX4(f, v128.load(p, 32), sat, st, r2);
  const d = narrowX4(f, v128.load(p, 48), sat, st, r3);
  if (fmtWidth(f) == 16) {
    const q = y + (<usize>i << 1);
    v128.store(q, i16x8.narrow_i32x4_u(a, b));
    v128.store(q, i16x8.narrow_i32x4_u(c, d), 16);
  } else {
    v128.store(y + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d)));
  }
}

/** The whole SIMD steps of 16 elements (nearest) or 32 (stochastic: 8 Philox blocks); returns how many were done. */
@inline export function narrowSteps(f: i32, sat: bool, st: bool, n: i32, x: usize, y: usize,
                                    c0: u32, c1: u32, k0: u32, k1: u32): i32 {
  let i = 0;
  if (st) {
    for (; i + 32 <= n; i += 32) {
      philoxAt32(i, c0, c1, k0, k1);
      narrow16(f, sat, true, i, x, y, philoxWords0, philoxWords1, philoxWords2, philoxWords3);
      narrow16(f, sat, true, i + 16, x, y, philoxWords4, philoxWords5, philoxWords6, philoxWords7);
    }
  } else if (f == FMT_F16 && !sat) {
    i = narrowF16NearestSteps(n, x, y);
  } else {
    const none = i32x4.splat(0);
    for (; i + 16 <= n; i += 16) narrow16(f, sat, false, i, x, y, none, none, none, none);
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
