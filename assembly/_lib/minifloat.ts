// Small binary float formats narrower than f32, described by one code each so a single plain
// routine converts them all: IEEE binary16 (f16), bfloat16 (bf16), and the OCP 8-bit formats
// (OCP "8-bit Floating Point Specification (OFP8)" 1.0, 2023): e4m3 (bias 7, max 448, no Inf, NaN =
// S.1111.111) and e5m2 (IEEE-like, bias 15, max 57344, Inf = S.11111.00).
//
// Narrowing f32 → format (this file is the readable ground truth; minifloat-simd.ts must match it
// bit for bit, which `npm run verify -- half` checks over all 2^32 inputs):
// - nearest: round to nearest, ties to even; subnormals of the format are produced exactly;
// - stochastic: with r a uniform 32-bit word, round away from zero iff r < the discarded fraction
//   scaled to 2^32 (truncated), so the result is one of the two neighbours and E[Q(x)] = x exactly
//   whenever at most 32 bits are discarded (every normal and all but the tiniest subnormal inputs);
// - overflow (a result above the largest finite, ±Inf included): non-saturating gives ±Inf (f16,
//   bf16, e5m2) or NaN (e4m3, which has no Inf); saturating gives ±max finite (as ONNX Cast);
// - NaN: the format's canonical quiet NaN; the payload is dropped. f16 and fp8 keep the sign, bf16
//   gives +0x7FC0 as PyTorch's round_to_nearest_even does.
// Widening format → f32 is exact; a NaN keeps its sign and payload bits (shifted into f32's
// mantissa, as PyTorch and NumPy widen f16), so a quiet NaN stays quiet.

export const FMT_F16 = 0, FMT_BF16 = 1, FMT_E4M3 = 2, FMT_E5M2 = 3;

@inline export function fmtBias(f: i32): u32 { return f == FMT_F16 ? 15 : f == FMT_BF16 ? 127 : f == FMT_E4M3 ? 7 : 15; }
@inline export function fmtMant(f: i32): u32 { return f == FMT_F16 ? 10 : f == FMT_BF16 ? 7 : f == FMT_E4M3 ? 3 : 2; }
@inline export function fmtWidth(f: i32): u32 { return f == FMT_F16 || f == FMT_BF16 ? 16 : 8; }
@inline export function fmtMax(f: i32): u32 { return f == FMT_F16 ? 0x7bff : f == FMT_BF16 ? 0x7f7f : f == FMT_E4M3 ? 0x7e : 0x7b; }
@inline export function fmtNaN(f: i32): u32 { return f == FMT_F16 ? 0x7e00 : f == FMT_BF16 ? 0x7fc0 : f == FMT_E4M3 ? 0x7f : 0x7e; }
@inline export function fmtNaNSign(f: i32): bool { return f != FMT_BF16; }
/** e4m3 spends its all-ones exponent on finite values: only S.1111.111 is special. */
@inline export function fmtIeeeSpecials(f: i32): bool { return f != FMT_E4M3; }

/** f32 → format bits (sign in the format's top bit). r: a random word, used only when stochastic. */
export function narrowBits(f: i32, x: f32, sat: bool, stochastic: bool, r: u32): u32 {
  const u = reinterpret<u32>(x);
  const sign = (u >> 31) << (fmtWidth(f) - 1);
  const a = u & 0x7fffffff;
  if (a > 0x7f800000) return fmtNaN(f) | (fmtNaNSign(f) ? sign : 0);
  const M = fmtMant(f);
  let code: u64 = <u64>fmtMax(f) + 1; // ±Inf overflows
  if (a < 0x7f800000) {
    const E = max<i32>(<i32>(a >> 23), 1); // f32 subnormals share exponent 1's scale
    const sig = <u64>((a & 0x7fffff) | (a >= 0x800000 ? 0x800000 : 0));
    const te = E - 127 + <i32>fmtBias(f); // target biased exponent; < 1: a subnormal of the format
    const shift = <u64>(23 - M) + <u64>(te >= 1 ? 0 : 1 - te);
    code = (te >= 1 ? <u64>(te - 1) << M : 0) + (shift < 64 ? sig >> shift : 0);
    const rem = shift < 64 ? sig & ((<u64>1 << shift) - 1) : sig;
    if (stochastic) {
      const frac32 = shift <= 32 ? rem << (32 - shift) : shift < 96 ? rem >> (shift - 32) : 0;
      if (<u64>r < frac32) code++;
    } else if (shift < 64) {
      const half = <u64>1 << (shift - 1);
      if (rem > half || (rem == half && (code & 1) == 1)) code++;
    }
  }
  if (code > <u64>fmtMax(f)) code = sat ? fmtMax(f) : fmtIeeeSpecials(f) ? fmtMax(f) + 1 : fmtNaN(f);
  return sign | <u32>code;
}

/** format bits → f32, exact. */
export function widenBits(f: i32, h: u32): f32 {
  const W = fmtWidth(f), M = fmtMant(f);
  const E = W - 1 - M;
  const sign = (h >> (W - 1)) & 1;
  const e = (h >> M) & ((1 << E) - 1);
  const m = h & ((1 << M) - 1);
  const special = fmtIeeeSpecials(f) ? e == <u32>(1 << E) - 1 : (h & ((1 << (W - 1)) - 1)) == (1 << (W - 1)) - 1;
  if (special) return reinterpret<f32>((sign << 31) | 0x7f800000 | (m << (23 - M)));
  const bias = <i32>fmtBias(f);
  const mag = e == 0 ? <f64>m * Math.pow(2, <f64>(1 - bias - <i32>M)) : (1 + <f64>m / <f64>(1 << M)) * Math.pow(2, <f64>(<i32>e - bias));
  return <f32>(sign ? -mag : mag);
}
