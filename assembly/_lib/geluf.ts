// gelu for f32, scalar and 4-lane SIMD computing the same IEEE operations (bit-identical), ≲ 4 ulp.
// gelu(x) = x·Φ(x), Φ the standard normal CDF (the exact erf form, PyTorch's default).
// -0.5 < x < 1: Φ(x) = 1/2 + x/√(2π)·Σ (-x²)ⁿ/(2ⁿ n! (2n+1)), n ≤ 8 (tail < 3e-10), Φ ∈ [0.3, 0.84]
//           so the 1/2 + … sum loses little.
// otherwise: with a = min(|x|, 15), T = a·Φ(-a) = φ(a)·Q(a), φ(a) = e^{-a²/2}/√(2π) and Q(a) = a
//           times the Mills ratio, a smooth function fitted on [0.5, 3] in a and on [3, 15] in 1/a
//           (gelu-gen.py; evaluated in f64, where the power basis is harmless). e^{-a²/2} is
//           expf32(-ah²/2)·e^{-δ} with ah = a to 12 bits (ah² exact) and δ = al·(a+ah)/2 ≤ 0.06
//           through a 4th-order series. Then gelu(-a) = -T and gelu(a) = a - T (T ≤ 0.16·a).
//           Beyond 15, T underflows to 0: gelu(x) = x for x > 15 and -0 for x < -15.
// gelu(-Inf) = NaN, as the erf form -inf·0 gives (and the f64 kernel and reference device).
import { expf32, expf32x4 } from './expf';
import { Q_NEAR, Q_FAR } from './gelu-coeffs';

const INV_SQRT_2PI: f32 = 0.3989422804014327;
const INV_SQRT_2PI_64: f64 = 0.3989422804014327;
const S1: f32 = -1.0 / 6.0, S2: f32 = 1.0 / 40.0, S3: f32 = -1.0 / 336.0, S4: f32 = 1.0 / 3456.0;
const S5: f32 = -1.0 / 42240.0, S6: f32 = 1.0 / 599040.0, S7: f32 = -1.0 / 9676800.0, S8: f32 = 1.0 / 175472640.0;
const D4: f32 = 1.0 / 24.0, D3: f32 = -1.0 / 6.0, D2: f32 = 0.5;
const A_MAX: f32 = 15.0;

@inline function horner(c: StaticArray<f64>, w: f64): f64 {
  let q = unchecked(c[0]);
  for (let i = 1; i < c.length; i++) q = q * w + unchecked(c[i]);
  return q;
}

@inline function hornerx2(c: StaticArray<f64>, w: v128): v128 {
  let q = f64x2.splat(unchecked(c[0]));
  for (let i = 1; i < c.length; i++) q = f64x2.add(f64x2.mul(q, w), f64x2.splat(unchecked(c[i])));
  return q;
}

export function geluF32(x: f32): f32 {
  const u = x * x;
  let p = S8 * u + S7;
  p = p * u + S6; p = p * u + S5; p = p * u + S4; p = p * u + S3; p = p * u + S2; p = p * u + S1;
  p = p * u + <f32>1.0;
  const small = x * (<f32>0.5 + x * (INV_SQRT_2PI * p));
  const a = abs<f32>(x);
  const ac: f32 = a < A_MAX ? a : A_MAX;
  const ah = reinterpret<f32>(reinterpret<u32>(ac) & 0xfffff000);
  const d = (ac - ah) * (ac + ah) * <f32>0.5;
  let ed = D4 * d + D3;
  ed = ed * d + D2; ed = ed * d - <f32>1.0; ed = ed * d + <f32>1.0;
  const e = expf32(<f32>-0.5 * (ah * ah)) * ed;
  const q = ac < 3 ? horner(Q_NEAR, <f64>ac) : horner(Q_FAR, 1.0 / <f64>ac);
  const t = <f32>(<f64>e * q * INV_SQRT_2PI_64);
  const big: f32 = x < 0 ? -t : x - t;
  const r: f32 = x > -0.5 && x < 1 ? small : big;
  return x == -Infinity ? NaN : r;
}

/** One f64x2 half of the tail: t = (e·Q(ac))·(1/√(2π)) in f64, Q's piece chosen per lane. */
function tailx2(e: v128, ac: v128): v128 {
  // evaluate only the piece(s) some lane needs (lane results do not depend on this choice)
  const near = f64x2.lt(ac, f64x2.splat(3.0));
  let q: v128;
  if (v128.all_true<i64>(near)) q = hornerx2(Q_NEAR, ac);
  else {
    const far = hornerx2(Q_FAR, f64x2.div(f64x2.splat(1.0), ac));
    q = v128.any_true(near) ? v128.bitselect(hornerx2(Q_NEAR, ac), far, near) : far;
  }
  return f32x4.demote_f64x2_zero(f64x2.mul(f64x2.mul(e, q), f64x2.splat(INV_SQRT_2PI_64)));
}

@inline export function geluf32x4(x: v128): v128 {
  const u = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(f32x4.splat(S8), u), f32x4.splat(S7));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(S6)); p = f32x4.add(f32x4.mul(p, u), f32x4.splat(S5));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(S4)); p = f32x4.add(f32x4.mul(p, u), f32x4.splat(S3));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(S2)); p = f32x4.add(f32x4.mul(p, u), f32x4.splat(S1));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(1.0));
  const small = f32x4.mul(x, f32x4.add(f32x4.splat(0.5), f32x4.mul(x, f32x4.mul(f32x4.splat(INV_SQRT_2PI), p))));
  const inSmall = v128.and(f32x4.gt(x, f32x4.splat(-0.5)), f32x4.lt(x, f32x4.splat(1.0)));
  if (v128.all_true<i32>(inSmall)) return small; // no lane needs the tail (NaN, -Inf lanes are not in it)
  const a = f32x4.abs(x);
  const ac = v128.bitselect(a, f32x4.splat(A_MAX), f32x4.lt(a, f32x4.splat(A_MAX)));
  const ah = v128.and(ac, i32x4.splat(0xfffff000));
  const d = f32x4.mul(f32x4.mul(f32x4.sub(ac, ah), f32x4.add(ac, ah)), f32x4.splat(0.5));
  let ed = f32x4.add(f32x4.mul(f32x4.splat(D4), d), f32x4.splat(D3));
  ed = f32x4.add(f32x4.mul(ed, d), f32x4.splat(D2));
  ed = f32x4.sub(f32x4.mul(ed, d), f32x4.splat(1.0));
  ed = f32x4.add(f32x4.mul(ed, d), f32x4.splat(1.0));
  const e = f32x4.mul(expf32x4(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(ah, ah))), ed);
  const eh = v128.shuffle<i32>(e, e, 2, 3, 0, 1);
  const ach = v128.shuffle<i32>(ac, ac, 2, 3, 0, 1);
  const tl = tailx2(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(ac));
  const th = tailx2(f64x2.promote_low_f32x4(eh), f64x2.promote_low_f32x4(ach));
  const t = v128.shuffle<i32>(tl, th, 0, 1, 4, 5);
  const big = v128.bitselect(f32x4.neg(t), f32x4.sub(x, t), f32x4.lt(x, f32x4.splat(0)));
  const r = v128.bitselect(small, big, inSmall);
  return v128.bitselect(f32x4.splat(NaN), r, f32x4.eq(x, f32x4.splat(-Infinity)));
}
