// SIMD128 Newton–Schulz helpers. sumsq widens each f32x4 to two f64x2 and keeps four partial sums
// (lanes i ≡ 0,1,2,3 mod 4), so its rounding differs from the scalar twin's single running sum by
// at most a few f64 ulps; scale is bit-identical to the scalar twin.

/** Same contract as f32_ns5_sumsq_scalar up to f64 summation order. */
export function f32_ns5_sumsq_wasmsimd(n: i32, x: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let acc = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
  for (let i = n4; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc += v * v;
  }
  return acc;
}

/** Same contract as f32_ns5_scale_scalar; bit-identical. */
export function f32_ns5_scale_wasmsimd(n: i32, src: usize, dst: usize, s: f32): void {
  const vs = f32x4.splat(s);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(v128.load(src + o), vs));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) * s);
  }
}
