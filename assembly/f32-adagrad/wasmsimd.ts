// SIMD128 fused Adagrad update; lane-wise the scalar twin's operations (bit-identical).
import { gradIn4, maximizes } from '../_lib/optim-row';
import { adagradMulti, adagradTail } from './_row';

/** Same contract as f32_adagrad_scalar. */
export function f32_adagrad_wasmsimd(n: i32, p: usize, g: usize, sum: usize, clr: f32, eps: f32, wd: f32, flags: i32): void {
  const maximize = maximizes(flags);
  const vc = f32x4.splat(clr), ve = f32x4.splat(eps), vwd = f32x4.splat(wd);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const pi = v128.load(p + o);
    const gi = gradIn4(v128.load(g + o), pi, vwd, maximize);
    const s = f32x4.add(v128.load(sum + o), f32x4.mul(gi, gi));
    v128.store(sum + o, s);
    v128.store(p + o, f32x4.sub(pi, f32x4.mul(vc, f32x4.div(gi, f32x4.add(f32x4.sqrt(s), ve)))));
  }
  adagradTail(n4, n, p, g, sum, clr, eps, wd, flags);
}

/** Multi-tensor entry, same table layout as f32_adagrad_multi_scalar. */
export function f32_adagrad_multi_wasmsimd(count: i32, table: usize, clr: f32, eps: f32, wd: f32, flags: i32): void {
  adagradMulti(f32_adagrad_wasmsimd, count, table, clr, eps, wd, flags);
}
