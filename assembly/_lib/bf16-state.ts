// Optimizer state stored as bf16 (u16 bits), shared by the f32-<kind>-bf16state kernels: each
// chunk of CHUNK elements is widened (exactly) into f32 scratch, updated there by the f32-<kind>
// kernel of the same variant, and narrowed back with stochastic rounding: element i of a state
// draws word i & 3 of Philox block c + (i >> 2), the words the host's randomWords(n) would give
// after it reserved them. So a kernel is bit for bit f32-<kind> followed by the host's stochastic
// narrowing (kernels.f32ToBf16), wherever it runs.
import { FMT_BF16 } from './minifloat';
import { narrowScalar, narrowSimd, widenScalar, widenSimd } from './vcvt';

/** Elements per chunk (a multiple of 4, so a chunk starts on a Philox block); scratch holds CHUNK f32 per state. */
export const CHUNK: i32 = 1024;

/** n bf16 at x → f32 at y. */
@inline export function widenState(simd: bool, n: i32, x: usize, y: usize): void {
  if (simd) widenSimd(FMT_BF16, n, x, y);
  else widenScalar(FMT_BF16, 0, n, x, y);
}

/** n f32 at x → bf16 at y, stochastically, with the words of Philox block c (u64) onwards. */
@inline export function narrowState(simd: bool, n: i32, x: usize, y: usize, c: u64, k0: u32, k1: u32): void {
  if (simd) narrowSimd(FMT_BF16, false, true, n, x, y, <u32>c, <u32>(c >> 32), k0, k1);
  else narrowScalar(FMT_BF16, false, true, 0, n, x, y, <u32>c, <u32>(c >> 32), k0, k1);
}

/** The 64-bit block counter of (lo, hi). */
@inline export function block(c0: u32, c1: u32): u64 {
  return (<u64>c1 << 32) | <u64>c0;
}
