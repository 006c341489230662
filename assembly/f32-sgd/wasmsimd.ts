// SIMD128 fused SGD update; the scalar twin's operations lane by lane (bit-identical), the n % 4
// remainder through the scalar code.
import { gradIn4, maximizes } from '../_lib/optim-row';
import { sgdMulti, sgdTail, SGD_FIRST, SGD_NESTEROV } from './_row';

/** Same contract as f32_sgd_scalar. */
export function f32_sgd_wasmsimd(n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32,
                                 dampening: f32, wd: f32, flags: i32): void {
  const nesterov = (flags & SGD_NESTEROV) != 0;
  const first = (flags & SGD_FIRST) != 0;
  const maximize = maximizes(flags);
  const hasMom = momentum != 0;
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(momentum), vd = f32x4.splat(1 - dampening), vwd = f32x4.splat(wd);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const pi = v128.load(p + o);
    let gi = gradIn4(v128.load(g + o), pi, vwd, maximize);
    if (hasMom) {
      const b = first ? gi : f32x4.add(f32x4.mul(v128.load(buf + o), vmu), f32x4.mul(gi, vd));
      v128.store(buf + o, b);
      gi = nesterov ? f32x4.add(gi, f32x4.mul(vmu, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pi, f32x4.mul(vlr, gi)));
  }
  sgdTail(n4, n, p, g, buf, lr, momentum, dampening, wd, flags);
}

/** Multi-tensor entry, same table layout as f32_sgd_multi_scalar. */
export function f32_sgd_multi_wasmsimd(count: i32, table: usize, lr: f32, momentum: f32, dampening: f32,
                                       wd: f32, flags: i32): void {
  sgdMulti(f32_sgd_wasmsimd, count, table, lr, momentum, dampening, wd, flags);
}
