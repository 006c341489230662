// tanh for f32, scalar and 4-lane SIMD computing the same IEEE operations (bit-identical).
// |x| < 0.625: tanh x = x + x·u·Q(u), u = x², Q a degree-5 fit of (tanh√u/√u - 1)/u on [0, 0.390625]
//   (mpmath.chebyfit, max error 1.6e-9, i.e. < 1e-9 relative in tanh): no cancellation near 0.
// |x| ≥ 0.625: tanh|x| = (1 - e)/(1 + e), e = exp(-2|x|) ≤ 0.29 (expf32): stable, → 1 for large |x|;
//   the sign is copied from x. NaN stays NaN. Error ≲ 4 ulp.
import { expf32, expf32x4 } from './expf';

const SPLIT: f32 = 0.625;
const Q0: f32 = -0.333333331721, Q1: f32 = 0.133333035569, Q2: f32 = -0.0539592595772;
const Q3: f32 = 0.021768918651, Q4: f32 = -0.00834394551584, Q5: f32 = 0.00229274481618;

@inline export function tanhf32(x: f32): f32 {
  const a = abs<f32>(x);
  const u = x * x;
  let q = Q5 * u + Q4;
  q = q * u + Q3;
  q = q * u + Q2;
  q = q * u + Q1;
  q = q * u + Q0;
  const small = x + x * (u * q);
  const e = expf32(<f32>-2.0 * a);
  const big = (<f32>1.0 - e) / (<f32>1.0 + e);
  return a < SPLIT ? small : copysign<f32>(big, x);
}

@inline export function tanhf32x4(x: v128): v128 {
  const a = f32x4.abs(x);
  const u = f32x4.mul(x, x);
  let q = f32x4.add(f32x4.mul(f32x4.splat(Q5), u), f32x4.splat(Q4));
  q = f32x4.add(f32x4.mul(q, u), f32x4.splat(Q3));
  q = f32x4.add(f32x4.mul(q, u), f32x4.splat(Q2));
  q = f32x4.add(f32x4.mul(q, u), f32x4.splat(Q1));
  q = f32x4.add(f32x4.mul(q, u), f32x4.splat(Q0));
  const small = f32x4.add(x, f32x4.mul(x, f32x4.mul(u, q)));
  const e = expf32x4(f32x4.mul(f32x4.splat(-2.0), a));
  const one = f32x4.splat(1.0);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(SPLIT)));
}
