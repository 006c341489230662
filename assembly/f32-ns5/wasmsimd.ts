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

/**
 * Same contract as f32_ns5_mirror_scalar; bit-identical (copies only). 4×4 blocks above the
 * diagonal are loaded as four rows, transposed with shuffles and stored as four rows below it;
 * the diagonal blocks and the n mod 4 edge are copied element by element. Walks 32×32 tiles.
 */
export function f32_ns5_mirror_wasmsimd(n: i32, a: usize): void {
  const T = 32, row = <usize>n << 2, n4 = n & ~3;
  for (let i0 = 0; i0 < n4; i0 += T) {
    const i1 = min(i0 + T, n4);
    for (let j0 = i0; j0 < n4; j0 += T) {
      const j1 = min(j0 + T, n4);
      for (let i = i0; i < i1; i += 4) {
        const src = a + <usize>i * row;
        for (let j = max(j0, i + 4); j < j1; j += 4) {
          const s = src + (<usize>j << 2);
          const r0 = v128.load(s), r1 = v128.load(s + row), r2 = v128.load(s + 2 * row), r3 = v128.load(s + 3 * row);
          const lo01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), hi01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const lo23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), hi23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const d = a + <usize>j * row + (<usize>i << 2);
          v128.store(d, i64x2.shuffle(lo01, lo23, 0, 2));
          v128.store(d + row, i64x2.shuffle(lo01, lo23, 1, 3));
          v128.store(d + 2 * row, i64x2.shuffle(hi01, hi23, 0, 2));
          v128.store(d + 3 * row, i64x2.shuffle(hi01, hi23, 1, 3));
        }
      }
    }
  }
  // inside the diagonal 4×4 blocks, and the last n mod 4 columns (rows above them) below
  for (let i = 0; i < n; i++) {
    const jEnd = i < n4 ? min((i & ~3) + 4, n) : n;
    for (let j = i + 1; j < jEnd; j++) store<f32>(a + <usize>j * row + (<usize>i << 2), load<f32>(a + <usize>i * row + (<usize>j << 2)));
    for (let j = max(n4, i + 1); j < n && i < n4; j++) store<f32>(a + <usize>j * row + (<usize>i << 2), load<f32>(a + <usize>i * row + (<usize>j << 2)));
  }
}
