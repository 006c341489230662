// SIMD128 fused Adam/AdamW/AMSGrad update: four lanes per iteration with exactly the scalar
// twin's operations (f32x4 mul, add, div, sqrt, max; no FMA), so results are bit-identical to
// f32_adam_scalar; the n % 4 remainder runs the scalar code.
import { gradIn4, maximizes } from '../_lib/optim-row';
import { adamMulti, adamTail, ADAM_AMSGRAD } from './_row';

/** Same contract as f32_adam_scalar (see there); one pass over p, g, m, v (and vmax). */
export function f32_adam_wasmsimd(n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
                                  beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32,
                                  decay: f32, l2: f32, flags: i32): void {
  const ams = (flags & ADAM_AMSGRAD) != 0;
  const maximize = maximizes(flags);
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
  const ep = f32x4.splat(eps), st = f32x4.splat(stepSize), bc = f32x4.splat(bc2sqrt);
  const dc = f32x4.splat(decay), wd = f32x4.splat(l2);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const pi = f32x4.mul(v128.load(p + o), dc);
    const gi = gradIn4(v128.load(g + o), pi, wd, maximize);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    let s = vi;
    if (ams) {
      s = f32x4.max(v128.load(vmax + o), vi);
      v128.store(vmax + o, s);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(s), bc), ep);
    v128.store(p + o, f32x4.sub(pi, f32x4.mul(st, f32x4.div(mi, denom))));
  }
  adamTail(n4, n, p, g, m, v, vmax, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
}

/** Multi-tensor entry, same table layout as f32_adam_multi_scalar. */
export function f32_adam_multi_wasmsimd(count: i32, table: usize, beta1: f32, beta2: f32, eps: f32,
                                        stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32): void {
  adamMulti(f32_adam_wasmsimd, count, table, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
}
