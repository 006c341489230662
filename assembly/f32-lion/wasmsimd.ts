// SIMD128 fused Lion update; lane-wise the scalar twin's operations (bit-identical), sign() by
// two compares and bit-selects so that 0 and NaN pass through unchanged as in the scalar code.
import { lionMulti, lionTail } from './_row';

/** Same contract as f32_lion_scalar. */
export function f32_lion_wasmsimd(n: i32, p: usize, g: usize, m: usize, lr: f32, beta1: f32, beta2: f32, decay: f32): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
  const vlr = f32x4.splat(lr), dc = f32x4.splat(decay), one = f32x4.splat(1), minusOne = f32x4.splat(-1);
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = v128.load(m + o);
    const c = f32x4.add(f32x4.mul(mi, b1), f32x4.mul(gi, c1));
    const sgn = v128.bitselect(one, v128.bitselect(minusOne, c, f32x4.lt(c, zero)), f32x4.gt(c, zero));
    v128.store(p + o, f32x4.sub(f32x4.mul(v128.load(p + o), dc), f32x4.mul(vlr, sgn)));
    v128.store(m + o, f32x4.add(f32x4.mul(mi, b2), f32x4.mul(gi, c2)));
  }
  lionTail(n4, n, p, g, m, lr, beta1, beta2, decay);
}

/** Multi-tensor entry, same table layout as f32_lion_multi_scalar. */
export function f32_lion_multi_wasmsimd(count: i32, table: usize, lr: f32, beta1: f32, beta2: f32, decay: f32): void {
  lionMulti(f32_lion_wasmsimd, count, table, lr, beta1, beta2, decay);
}
