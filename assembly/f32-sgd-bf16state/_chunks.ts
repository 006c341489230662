// SGD with its momentum buffer stored as bf16, shared by scalar.ts and wasmsimd.ts (internal: the
// leading underscore keeps it out of the wasm exports); the chunking: _lib/bf16-state.ts.
import { CHUNK, block, narrowState, widenState } from '../_lib/bf16-state';
import { f32_sgd_scalar } from '../f32-sgd/scalar';
import { f32_sgd_wasmsimd } from '../f32-sgd/wasmsimd';

@inline export function sgdBf16(simd: bool, n: i32, p: usize, g: usize, buf: usize, scratch: usize, lr: f32, momentum: f32,
                                dampening: f32, wd: f32, flags: i32, bc0: u32, bc1: u32, k0: u32, k1: u32): void {
  const bc = block(bc0, bc1);
  for (let s = 0; s < n; s += CHUNK) {
    const len = min(CHUNK, n - s);
    const pp = p + (<usize>s << 2), gg = g + (<usize>s << 2), bb = buf + (<usize>s << 1);
    widenState(simd, len, bb, scratch);
    if (simd) f32_sgd_wasmsimd(len, pp, gg, scratch, lr, momentum, dampening, wd, flags);
    else f32_sgd_scalar(len, pp, gg, scratch, lr, momentum, dampening, wd, flags);
    narrowState(simd, len, scratch, bb, bc + <u64>(s >> 2), k0, k1);
  }
}

/** The single-tensor signature of both variants. */
export type SgdBf16Step = (n: i32, p: usize, g: usize, buf: usize, scratch: usize, lr: f32, momentum: f32, dampening: f32,
                           wd: f32, flags: i32, bc0: u32, bc1: u32, k0: u32, k1: u32) => void;

/** Runs `step` over count records of six u32 [n, p, g, buf, bc0, bc1] at table. */
export function sgdBf16Multi(step: SgdBf16Step, count: i32, table: usize, scratch: usize, lr: f32, momentum: f32, dampening: f32,
                             wd: f32, flags: i32, k0: u32, k1: u32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 24;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), scratch, lr, momentum, dampening, wd, flags,
      load<u32>(r, 16), load<u32>(r, 20), k0, k1);
  }
}
