// Lion with its momentum m stored as bf16, shared by scalar.ts and wasmsimd.ts (internal: the
// leading underscore keeps it out of the wasm exports); the chunking: _lib/bf16-state.ts.
import { CHUNK, block, narrowState, widenState } from '../_lib/bf16-state';
import { f32_lion_scalar } from '../f32-lion/scalar';
import { f32_lion_wasmsimd } from '../f32-lion/wasmsimd';

@inline export function lionBf16(simd: bool, n: i32, p: usize, g: usize, m: usize, scratch: usize,
                                 lr: f32, beta1: f32, beta2: f32, decay: f32, mc0: u32, mc1: u32, k0: u32, k1: u32): void {
  const mc = block(mc0, mc1);
  for (let s = 0; s < n; s += CHUNK) {
    const len = min(CHUNK, n - s);
    const pp = p + (<usize>s << 2), gg = g + (<usize>s << 2), mm = m + (<usize>s << 1);
    widenState(simd, len, mm, scratch);
    if (simd) f32_lion_wasmsimd(len, pp, gg, scratch, lr, beta1, beta2, decay);
    else f32_lion_scalar(len, pp, gg, scratch, lr, beta1, beta2, decay);
    narrowState(simd, len, scratch, mm, mc + <u64>(s >> 2), k0, k1);
  }
}

/** The single-tensor signature of both variants. */
export type LionBf16Step = (n: i32, p: usize, g: usize, m: usize, scratch: usize, lr: f32, beta1: f32, beta2: f32,
                            decay: f32, mc0: u32, mc1: u32, k0: u32, k1: u32) => void;

/** Runs `step` over count records of six u32 [n, p, g, m, mc0, mc1] at table. */
export function lionBf16Multi(step: LionBf16Step, count: i32, table: usize, scratch: usize, lr: f32, beta1: f32, beta2: f32,
                              decay: f32, k0: u32, k1: u32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 24;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), scratch, lr, beta1, beta2, decay,
      load<u32>(r, 16), load<u32>(r, 20), k0, k1);
  }
}
