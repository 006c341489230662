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
 * Same contract as f32_ns5_mirror_scalar (r0 and c0 multiples of 4); bit-identical (copies only).
 * 4×4 blocks strictly above the diagonal are loaded as four rows, transposed with shuffles and
 * stored as four rows below it, walking 32×32 tiles so the read rows and written columns stay in
 * cache; the diagonal blocks and the region's ragged last rows and columns go element by element.
 */
export function f32_ns5_mirror_wasmsimd(n: i32, a: usize, r0: i32, r1: i32, c0: i32, c1: i32): void {
  const T = 32, row = <usize>n << 2;
  const r4 = r0 + ((r1 - r0) & ~3), c4 = c0 + ((c1 - c0) & ~3);
  for (let i0 = r0; i0 < r4; i0 += T) {
    const i1 = min(i0 + T, r4);
    for (let j0 = max(c0, i0); j0 < c4; j0 += T) {
      const j1 = min(j0 + T, c4);
      for (let i = i0; i < i1; i += 4) {
        const src = a + <usize>i * row;
        for (let j = max(j0, i + 4); j < j1; j += 4) {
          const s = src + (<usize>j << 2);
          const v0 = v128.load(s), v1 = v128.load(s + row), v2 = v128.load(s + 2 * row), v3 = v128.load(s + 3 * row);
          const lo01 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), hi01 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
          const lo23 = i32x4.shuffle(v2, v3, 0, 4, 1, 5), hi23 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
          const d = a + <usize>j * row + (<usize>i << 2);
          v128.store(d, i64x2.shuffle(lo01, lo23, 0, 2));
          v128.store(d + row, i64x2.shuffle(lo01, lo23, 1, 3));
          v128.store(d + 2 * row, i64x2.shuffle(hi01, hi23, 0, 2));
          v128.store(d + 3 * row, i64x2.shuffle(hi01, hi23, 1, 3));
        }
      }
    }
  }
  // what the blocks left: inside the diagonal blocks, the columns from c4, and the rows from r4
  for (let i = r0; i < r1; i++) {
    const blocksFrom = i < r4 ? min(c4, (i & ~3) + 4) : c1;
    for (let j = max(c0, i + 1); j < blocksFrom; j++) mirrorOne(a, row, i, j);
    if (i < r4) for (let j = max(c4, i + 1); j < c1; j++) mirrorOne(a, row, i, j);
  }
}

@inline function mirrorOne(a: usize, row: usize, i: i32, j: i32): void {
  store<f32>(a + <usize>j * row + (<usize>i << 2), load<f32>(a + <usize>i * row + (<usize>j << 2)));
}
