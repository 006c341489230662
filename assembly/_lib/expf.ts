// exp for f32, scalar and 4-lane SIMD, computing the SAME operations in the same order so the
// contiguous (SIMD) and strided (scalar) paths give bit-identical results.
// Range reduction: x = n·ln2 + r, n = nearest(x·log2e), r by Cody–Waite with a short ln2 high part
// (n·LN2_HI exact). e^r by its degree-7 Taylor polynomial (truncation < 1e-8 relative on
// |r| ≤ 0.35), then scaled by 2^n as two powers of two so subnormal results and overflow to Inf
// come out right. x is clamped to [-104, 89] first (beyond that the result is 0 or Inf anyway) with
// compare-selects that keep NaN (x < lo ? lo : x), which are single instructions on x86 where the
// IEEE f32x4.min/max are not. n is rounded with the 1.5·2^23 magic constant: adding it rounds to
// an integer (ties to even) whose bits sit in the low mantissa, so k = bits(x·log2e + M) - bits(M)
// with no float→int conversion. NaN stays NaN through every step. Error ≲ 2 ulp.

const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.4286068203094173e-6;
const X_MIN: f32 = -104.0;
const X_MAX: f32 = 89.0;
const C2: f32 = 0.5, C3: f32 = 1.0 / 6.0, C4: f32 = 1.0 / 24.0, C5: f32 = 1.0 / 120.0;
const C6: f32 = 1.0 / 720.0, C7: f32 = 1.0 / 5040.0;
const MAGIC: f32 = 12582912.0; // 1.5·2^23

/**
 * e^x · 2^scale, the power of two folded into the exact final scaling (0 ≤ scale ≤ 64, and x ≤ 0
 * when scale > 0). The lower clamp moves down by scale·ln2 so e^x·2^scale stays exact where it is
 * representable (both exponent halves remain in range).
 */
@inline export function expf32(x: f32, scale: i32 = 0): f32 {
  const xmin: f32 = X_MIN - <f32>scale * <f32>0.6931472;
  const lo: f32 = x < xmin ? xmin : x;
  const c: f32 = X_MAX < lo ? X_MAX : lo;
  const nm = c * LOG2E + MAGIC;
  const n = nm - MAGIC;
  const r = (c - n * LN2_HI) - n * LN2_LO;
  let p = C7 * r + C6;
  p = p * r + C5;
  p = p * r + C4;
  p = p * r + C3;
  p = p * r + C2;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const k = reinterpret<i32>(nm) - reinterpret<i32>(MAGIC);
  const k1 = k >> 1;
  const k2 = k - k1 + scale;
  return p * reinterpret<f32>((k1 + 127) << 23) * reinterpret<f32>((k2 + 127) << 23);
}

@inline export function expf32x4(x: v128, scale: i32 = 0): v128 {
  // pmax(x, lo) = x < lo ? lo : x and pmin(lo', hi) = hi < lo' ? hi : lo': NaN in x stays NaN
  const xmin: f32 = X_MIN - <f32>scale * <f32>0.6931472;
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(xmin)), f32x4.splat(X_MAX));
  const nm = f32x4.add(f32x4.mul(c, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const n = f32x4.sub(nm, f32x4.splat(MAGIC));
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(C7), r), f32x4.splat(C6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const k = i32x4.sub(nm, i32x4.splat(reinterpret<i32>(MAGIC)));
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.add(i32x4.sub(k, k1), i32x4.splat(scale));
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(k1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(k2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}
