// Row sums into f64 accumulators, SIMD128: bit-identical to f32_rowsum_scalar (./scalar.ts).
// Column-major blocks (rs = 1, the GEMM's gᵀ) run 8 rows at a time, each f64 lane summing its own
// row in p order (f32_reduce's column walk), whole cache-line halves per load; the other rows and
// other strides take the scalar loop.
import { f32_rowsum_scalar } from './scalar';

/** Same contract as f32_rowsum_scalar. */
export function f32_rowsum_wasmsimd(m: i32, k: i32, src: usize, rs: i32, cs: i32, acc: usize): void {
  const m8 = rs == 1 ? m & ~7 : 0, csB = <usize>cs << 2;
  for (let i = 0; i < m8; i += 8) {
    const o = acc + (<usize>i << 3);
    let a0 = v128.load(o), a1 = v128.load(o, 16), a2 = v128.load(o, 32), a3 = v128.load(o, 48);
    let x = src + (<usize>i << 2);
    for (let p = 0; p < k; p++) {
      const v0 = v128.load(x), v1 = v128.load(x, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v0, v0, 2, 3, 0, 1)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.shuffle<i32>(v1, v1, 2, 3, 0, 1)));
      x += csB;
    }
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  }
  if (m8 < m) f32_rowsum_scalar(m - m8, k, src + <usize>m8 * (<usize>rs << 2), rs, cs, acc + (<usize>m8 << 3));
}
