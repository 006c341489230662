// Block-wise 8-bit state as bitsandbytes stores it (Dettmers et al., "8-bit Optimizers via
// Block-wise Quantization", ICLR 2022): each block of 256 elements keeps its absmax in f32, and
// each element the index of the nearest value of x / absmax in a 256-entry dynamic map. The
// dynamic map (bitsandbytes' create_dynamic_map) spends its bits on the exponent: values from
// 1e-7 to 1 with a few fraction bits each decade, so small and large moments both keep ~2
// significant digits. The signed map (first moments) has 127 magnitudes per sign; the unsigned map
// (a tensor with no negative value: second moments) uses the sign bit as one more fraction bit.
// Packed as one i32 tensor: [map (1 signed, 0 unsigned) | absmax bits per block | codes, 4 per word].

import { Tensor } from '../tensor.js';

export const BLOCK = 256;

/** n evenly spaced f32 values from 0.1 to 1 (torch.linspace(0.1, 1, n), up to its last bit). */
const linspace = (n: number): number[] => Array.from({ length: n }, (_, i) => Math.fround(0.1 + (0.9 * i) / (n - 1)));

/**
 * bitsandbytes' create_dynamic_map(signed, 7, 8): 256 f32 values in [-1, 1] (or [0, 1]), sorted.
 * Equal to it within an f32 ulp: torch's vectorized linspace rounds differently with the CPU's vector width.
 */
export function dynamicMap(signed: boolean): Float32Array {
  const f = Math.fround, data: number[] = [0, 1];
  for (let i = 0; i < 7; i++) {
    const b = linspace(2 ** (signed ? i : i + 1) + 1);
    const decade = f(10 ** (i - 6));
    for (let j = 0; j + 1 < b.length; j++) {
      const mean = f(f(b[j] + b[j + 1]) / 2);
      data.push(f(decade * mean));
      if (signed) data.push(-f(decade * mean));
    }
  }
  return Float32Array.from(data.sort((a, b) => a - b));
}

const MAPS = { signed: dynamicMap(true), unsigned: dynamicMap(false) };

/** Index of the map value nearest to x (the lower one on a tie, as an argmin would pick). */
function nearest(map: Float32Array, x: number): number {
  let lo = 0, hi = map.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (map[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(x - map[hi]) < Math.abs(x - map[lo]) ? hi : lo;
}

/** x quantized block-wise: the packed i32 words (see the file header). */
export function packBlockwise(x: Float32Array): Int32Array {
  const nb = Math.ceil(x.length / BLOCK);
  const words = new Int32Array(1 + nb + Math.ceil(x.length / 4));
  const absmax = new Float32Array(words.buffer, 4, nb);
  const codes = new Uint8Array(words.buffer, (1 + nb) * 4, x.length);
  const signed = x.some((v) => v < 0);
  const map = signed ? MAPS.signed : MAPS.unsigned;
  words[0] = signed ? 1 : 0;
  for (let b = 0; b < nb; b++) {
    const block = x.subarray(b * BLOCK, (b + 1) * BLOCK);
    const a = block.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    absmax[b] = a;
    for (let i = 0; i < block.length; i++) codes[b * BLOCK + i] = a > 0 ? nearest(map, Math.fround(block[i] / a)) : nearest(map, 0);
  }
  return words;
}

/** The n values packed in `words`: map value × the block's absmax. */
export function unpackBlockwise(words: Int32Array, n: number): Float32Array {
  const nb = Math.ceil(n / BLOCK);
  const absmax = new Float32Array(words.buffer, words.byteOffset + 4, nb);
  const codes = new Uint8Array(words.buffer, words.byteOffset + (1 + nb) * 4, n);
  const map = words[0] === 1 ? MAPS.signed : MAPS.unsigned;
  return Float32Array.from(codes, (c, i) => map[c] * absmax[(i / BLOCK) | 0]);
}

/** Element count of the packed i32 tensor holding n values. */
export const packedWords = (n: number): number => 1 + Math.ceil(n / BLOCK) + Math.ceil(n / 4);

/** Whether a state value is a packed 8-bit tensor ({ blocks8 }). */
export const isPacked = (v: unknown): v is { blocks8: Tensor } => v !== null && typeof v === 'object' && !(v instanceof Tensor) && 'blocks8' in v;
