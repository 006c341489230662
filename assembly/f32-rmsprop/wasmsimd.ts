// SIMD128 fused RMSprop update; lane-wise the scalar twin's operations (bit-identical).
import { gradIn4, maximizes } from '../_lib/optim-row';
import { rmspropMulti, rmspropTail, RMSPROP_CENTERED } from './_row';

/** Same contract as f32_rmsprop_scalar. */
export function f32_rmsprop_wasmsimd(n: i32, p: usize, g: usize, v: usize, gavg: usize, buf: usize, lr: f32,
                                     alpha: f32, eps: f32, wd: f32, momentum: f32, flags: i32): void {
  const centered = (flags & RMSPROP_CENTERED) != 0;
  const maximize = maximizes(flags);
  const hasMom = momentum > 0;
  const va = f32x4.splat(alpha), vca = f32x4.splat(1 - alpha), ve = f32x4.splat(eps), vwd = f32x4.splat(wd);
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(momentum);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const pi = v128.load(p + o);
    const gi = gradIn4(v128.load(g + o), pi, vwd, maximize);
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), va), f32x4.mul(f32x4.mul(gi, gi), vca));
    v128.store(v + o, vi);
    let avg: v128;
    if (centered) {
      const ga = f32x4.add(f32x4.mul(v128.load(gavg + o), va), f32x4.mul(gi, vca));
      v128.store(gavg + o, ga);
      avg = f32x4.add(f32x4.sqrt(f32x4.sub(vi, f32x4.mul(ga, ga))), ve);
    } else {
      avg = f32x4.add(f32x4.sqrt(vi), ve);
    }
    if (hasMom) {
      const b = f32x4.add(f32x4.mul(v128.load(buf + o), vmu), f32x4.div(gi, avg));
      v128.store(buf + o, b);
      v128.store(p + o, f32x4.sub(pi, f32x4.mul(vlr, b)));
    } else {
      v128.store(p + o, f32x4.sub(pi, f32x4.mul(vlr, f32x4.div(gi, avg))));
    }
  }
  rmspropTail(n4, n, p, g, v, gavg, buf, lr, alpha, eps, wd, momentum, flags);
}

/** Multi-tensor entry, same table layout as f32_rmsprop_multi_scalar. */
export function f32_rmsprop_multi_wasmsimd(count: i32, table: usize, lr: f32, alpha: f32, eps: f32, wd: f32,
                                           momentum: f32, flags: i32): void {
  rmspropMulti(f32_rmsprop_wasmsimd, count, table, lr, alpha, eps, wd, momentum, flags);
}
