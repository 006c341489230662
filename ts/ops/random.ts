// Counter-based RNG: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011). The stream is produced on the host and written to the device, so every device and
// every thread count sees the same numbers for the same seed.

import { check } from '../errors.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

let key0 = 0;
let key1 = 0;
let counter = 0; // next unused 128-bit block

/** Seeds the global generator (like torch.manual_seed); the stream restarts. */
export function manualSeed(seed: number): void {
  check(Number.isSafeInteger(seed) && seed >= 0, 'BAD_ARGUMENT', () => `manualSeed: expected a non-negative safe integer, got ${String(seed)}`);
  key0 = seed >>> 0;
  key1 = Math.floor(seed / 2 ** 32) >>> 0;
  counter = 0;
}

/** Generator state, for saving and restoring streams. */
export const getRngState = (): { key0: number; key1: number; counter: number } => ({ key0, key1, counter });
export function setRngState(s: { key0: number; key1: number; counter: number }): void {
  ({ key0, key1, counter } = s);
}

/** High 32 bits of the unsigned 64-bit product a·b, exact (16-bit limbs); the low half is Math.imul. */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block written into out[0..3]: the 4 output words for counter (c0..c3) under
 * key (k0, k1). Allocates nothing (a shuffle draws one block per 4 rows).
 */
export function philox4x32Into(out: Uint32Array, c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  for (let r = 0; r < 10; r++) {
    const h0 = mulhi(M0, x0), l0 = Math.imul(M0, x0) >>> 0;
    const h1 = mulhi(M1, x2), l1 = Math.imul(M1, x2) >>> 0;
    x0 = (h1 ^ x1 ^ k0) >>> 0;
    x1 = l1;
    x2 = (h0 ^ x3 ^ k1) >>> 0;
    x3 = l0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** One Philox4x32-10 block: the 4 output words for counter (c0..c3) under key (k0, k1). */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): number[] {
  const out = new Uint32Array(4);
  philox4x32Into(out, c0, c1, c2, c3, k0, k1);
  return Array.from(out);
}

/** Fills `out` with the words of blocks counter, counter+1, ... and advances the counter. */
function philoxWords(n: number, out: Uint32Array): void {
  const block = new Uint32Array(4);
  for (let blk = 0; blk * 4 < n; blk++) {
    const c = counter + blk;
    philox4x32Into(block, c >>> 0, Math.floor(c / 2 ** 32), 0, 0, key0, key1);
    for (let j = 0; j < 4 && blk * 4 + j < n; j++) out[blk * 4 + j] = block[j];
  }
  counter += Math.ceil(n / 4);
}

/**
 * Reserves the next n words for a kernel that runs Philox itself (assembly/_lib/philox.ts): it
 * draws exactly the words randomWords(n) would return. Advances the stream.
 */
export function reserveWords(n: number): { key0: number; key1: number; counter: number } {
  const at = { key0, key1, counter };
  counter += Math.ceil(n / 4);
  return at;
}

/** Raw 32-bit words from the stream (advances it). */
export function randomWords(n: number): Uint32Array {
  const out = new Uint32Array(n);
  philoxWords(n, out);
  return out;
}

/** n uniforms in [0, 1): 24 random bits for f32 targets, 53 for f64. */
export function uniforms(n: number, bits53: boolean): Float64Array {
  const w = randomWords(bits53 ? 2 * n : n);
  const out = new Float64Array(n);
  if (bits53) for (let i = 0; i < n; i++) out[i] = ((w[2 * i] >>> 5) * 67108864 + (w[2 * i + 1] >>> 6)) / 9007199254740992;
  else for (let i = 0; i < n; i++) out[i] = (w[i] >>> 8) / 16777216;
  return out;
}

/** n standard normals by Box–Muller on pairs of uniforms (computed in f64). */
export function normals(n: number, bits53: boolean): Float64Array {
  const u = uniforms(2 * Math.ceil(n / 2), bits53);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i])); // 1 - u ∈ (0, 1]: log is finite
    const t = 2 * Math.PI * u[i + 1];
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** n integers uniform in [low, high) by scaling a 32-bit word (bias < range / 2^32). */
export function integers(n: number, low: number, high: number): Float64Array {
  const w = randomWords(n);
  const range = high - low;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = low + Math.floor((w[i] * range) / 4294967296);
  return out;
}
