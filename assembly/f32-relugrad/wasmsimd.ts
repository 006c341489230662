// relu's backward, SIMD128: bit-identical to f32_relugrad_scalar (./scalar.ts), which also
// finishes the elements past the last multiple of 4.
import { f32_relugrad_scalar } from './scalar';

/** Same contract as f32_relugrad_scalar. */
export function f32_relugrad_wasmsimd(n: i32, x: usize, g: usize, out: usize): void {
  const n4 = n & ~3, zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const off = <usize>i << 2;
    // g with the lanes where x ≤ 0 cleared to +0 (NaN compares false: kept)
    v128.store(out + off, v128.andnot(v128.load(g + off), f32x4.le(v128.load(x + off), zero)));
  }
  const tail = <usize>n4 << 2;
  if (n4 < n) f32_relugrad_scalar(n - n4, x + tail, g + tail, out + tail);
}
