// The roundToMinifloat capability in WGSL: each f32 is narrowed to a minifloat code as
// assembly/_lib/minifloat.ts `narrowBits` does (nearest-even, or stochastic with one 32-bit word
// per element), then widened back to f32 bits as `widenBits` does. Integer arithmetic on the bit
// patterns only: GPUs may flush f32 subnormals, so no float operation touches a value. The 64-bit
// intermediates of the wasm routine fit 32 bits here because the significand has 24 bits: a
// shift of 24 or more keeps none of it.

import type { Minifloat } from '../../minifloat.js';
import { MINIFLOAT_SPECS } from '../../minifloat.js';
import type { View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, setExtra, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { GRID_LOOP, UNIFORMS } from './wgsl.js';

// Flag bits of word 53.
const NAN_SIGN = 1, IEEE = 2, SATURATE = 4, STOCHASTIC = 8;

const SHADER = /* wgsl */ `${UNIFORMS}
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> words: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;

fn flag(bit: u32) -> bool { return (m(53u) & bit) != 0u; }

fn narrow(b: u32, r: u32) -> u32 {
  let M = m(48u); let bias = m(49u); let W = m(50u); let top = m(51u);
  let sign = (b >> 31u) << (W - 1u);
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) { return m(52u) | select(0u, sign, flag(${NAN_SIGN}u)); }
  var code = top + 1u; // ±Inf overflows
  if (a < 0x7f800000u) {
    let sig = (a & 0x7fffffu) | select(0u, 0x800000u, a >= 0x800000u);
    let te = i32(max(a >> 23u, 1u)) - 127 + i32(bias); // < 1: a subnormal of the format
    var shift = 23u - M;
    if (te >= 1) { code = u32(te - 1) << M; } else { code = 0u; shift += u32(1 - te); }
    var rem = sig;
    if (shift < 24u) { code += sig >> shift; rem = sig & ((1u << shift) - 1u); }
    if (flag(${STOCHASTIC}u)) {
      // the dropped fraction scaled to 2^32, truncated
      var frac = 0u;
      if (shift <= 32u) { frac = rem << (32u - shift); } else if (shift < 56u) { frac = rem >> (shift - 32u); }
      if (r < frac) { code += 1u; }
    } else if (shift <= 24u) {
      let half = 1u << (shift - 1u);
      if (rem > half || (rem == half && (code & 1u) == 1u)) { code += 1u; }
    }
  }
  if (code > top) { code = select(select(m(52u), top + 1u, flag(${IEEE}u)), top, flag(${SATURATE}u)); }
  return sign | code;
}

fn widen(h: u32) -> u32 {
  let M = m(48u); let bias = m(49u); let W = m(50u);
  let s = (h >> (W - 1u)) << 31u;
  let body = h & ((1u << (W - 1u)) - 1u);
  let e = body >> M;
  let mt = body & ((1u << M) - 1u);
  let special = select(body == (1u << (W - 1u)) - 1u, e == (1u << (W - 1u - M)) - 1u, flag(${IEEE}u));
  if (special) { return s | 0x7f800000u | (mt << (23u - M)); }
  if (e != 0u) { return s | ((e + 127u - bias) << 23u) | (mt << (23u - M)); }
  // ±0, and bf16 subnormals, which are f32 subnormals bit for bit
  if (mt == 0u || bias == 127u) { return s | (mt << (23u - M)); }
  let p = firstLeadingBit(mt); // mt · 2^(1 − bias − M) = 2^(p + 1 − bias − M) · 1.f
  return s | ((p + 128u - bias - M) << 23u) | ((mt ^ (1u << p)) << (23u - p));
}

${GRID_LOOP}
    y[m(46u) + i] = widen(narrow(x[m(44u) + i], words[m(45u) + i]));
  }
}`;

/**
 * out ← x's values rounded to `format` (contract: Backend.roundToMinifloat). x, words (i32 holding
 * the u32 words) and out are contiguous; without words the kernel rounds to nearest and binds x
 * in their place (never read).
 */
export function roundToMinifloat(q: GpuQueue, buf: BufferOf, x: View, words: View | null, format: Minifloat, saturate: boolean, out: View): void {
  const n = sizeOf(x.shape);
  if (n === 0) return;
  const s = MINIFLOAT_SPECS[format];
  const [groups, threads] = grid(n);
  const w = new Uint32Array(64);
  w[0] = n;
  w[2] = threads;
  [x.offset, words?.offset ?? 0, out.offset].forEach((o, k) => { w[44 + k] = o; });
  [s.mant, s.bias, s.width, s.max, s.nan].forEach((v, i) => setExtra(w, i, v));
  setExtra(w, 5, (s.nanSign ? NAN_SIGN : 0) | (s.ieee ? IEEE : 0) | (saturate ? SATURATE : 0) | (words ? STOCHASTIC : 0));
  q.dispatch(q.pipeline('roundToMinifloat', () => SHADER), w, [buf(x), buf(words ?? x), buf(out)], groups);
}
