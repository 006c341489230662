// Adam with its moments m, v stored as bf16, shared by scalar.ts and wasmsimd.ts (internal: the
// leading underscore keeps it out of the wasm exports); the chunking: _lib/bf16-state.ts.
import { CHUNK, block, narrowState, widenState } from '../_lib/bf16-state';
import { f32_adam_scalar } from '../f32-adam/scalar';
import { f32_adam_wasmsimd } from '../f32-adam/wasmsimd';

@inline export function adamBf16(simd: bool, n: i32, p: usize, g: usize, m: usize, v: usize, scratch: usize,
                                 beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32,
                                 flags: i32, mc0: u32, mc1: u32, vc0: u32, vc1: u32, k0: u32, k1: u32): void {
  const mc = block(mc0, mc1), vc = block(vc0, vc1);
  const sm = scratch, sv = scratch + (<usize>CHUNK << 2);
  for (let s = 0; s < n; s += CHUNK) {
    const len = min(CHUNK, n - s);
    const pp = p + (<usize>s << 2), gg = g + (<usize>s << 2), mm = m + (<usize>s << 1), vv = v + (<usize>s << 1);
    widenState(simd, len, mm, sm);
    widenState(simd, len, vv, sv);
    if (simd) f32_adam_wasmsimd(len, pp, gg, sm, sv, 0, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
    else f32_adam_scalar(len, pp, gg, sm, sv, 0, beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
    narrowState(simd, len, sm, mm, mc + <u64>(s >> 2), k0, k1);
    narrowState(simd, len, sv, vv, vc + <u64>(s >> 2), k0, k1);
  }
}

/** The single-tensor signature of both variants. */
export type AdamBf16Step = (n: i32, p: usize, g: usize, m: usize, v: usize, scratch: usize, beta1: f32, beta2: f32,
                            eps: f32, stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32,
                            mc0: u32, mc1: u32, vc0: u32, vc1: u32, k0: u32, k1: u32) => void;

/** Runs `step` over count records of nine u32 [n, p, g, m, v, mc0, mc1, vc0, vc1] at table. */
export function adamBf16Multi(step: AdamBf16Step, count: i32, table: usize, scratch: usize, beta1: f32, beta2: f32,
                              eps: f32, stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32, k0: u32, k1: u32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 36;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), load<u32>(r, 16), scratch,
      beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags,
      load<u32>(r, 20), load<u32>(r, 24), load<u32>(r, 28), load<u32>(r, 32), k0, k1);
  }
}
