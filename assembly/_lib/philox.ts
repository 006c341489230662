// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the same
// generator as ts/ops/random.ts: block b under key (k0, k1) gives 4 words, and a kernel that draws
// one word per element uses word i & 3 of block counter + (i >> 2), exactly the host stream
// `randomWords(n)` after the host reserved those blocks. So every device sees the same bits.

const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9; // key schedule (Weyl) increments
const W1: u32 = 0xbb67ae85;

/** The 4 words of block (c0 + c1·2^32) as i32x4 lanes 0..3. */
@inline export function philoxBlock(c0: u32, c1: u32, k0: u32, k1: u32): v128 {
  let x0 = c0, x1 = c1, x2: u32 = 0, x3: u32 = 0;
  for (let r = 0; r < 10; r++) {
    const p0 = M0 * <u64>x0;
    const p1 = M1 * <u64>x2;
    x0 = <u32>(p1 >> 32) ^ x1 ^ k0;
    x1 = <u32>p1;
    x2 = <u32>(p0 >> 32) ^ x3 ^ k1;
    x3 = <u32>p0;
    k0 += W0;
    k1 += W1;
  }
  return i32x4(x0, x1, x2, x3);
}

/** The block holding element i's word, for a stream whose first block is (c0, c1). */
@inline export function philoxAt(i: i32, c0: u32, c1: u32, k0: u32, k1: u32): v128 {
  const b = ((<u64>c1 << 32) | <u64>c0) + <u64>(i >> 2);
  return philoxBlock(<u32>b, <u32>(b >> 32), k0, k1);
}

// philoxAt32's results: the words of elements i .. i + 31, 4 to a vector in element order.
export let philoxWords0 = i32x4.splat(0), philoxWords1 = philoxWords0, philoxWords2 = philoxWords0, philoxWords3 = philoxWords0,
  philoxWords4 = philoxWords0, philoxWords5 = philoxWords0, philoxWords6 = philoxWords0, philoxWords7 = philoxWords0;

// Multipliers and key increments splatted, then 0..3, loaded rather than rebuilt in the loop.
const LANES = memory.data<u32>([<u32>M0, <u32>M0, <u32>M0, <u32>M0, <u32>M1, <u32>M1, <u32>M1, <u32>M1,
  W0, W0, W0, W0, W1, W1, W1, W1, 0, 1, 2, 3], 16);

/** High and low halves of the u64 products in pl (lanes 0, 1) and ph (lanes 2, 3). */
@inline function hi32(pl: v128, ph: v128): v128 { return i32x4.shuffle(pl, ph, 1, 3, 5, 7); }
@inline function lo32(pl: v128, ph: v128): v128 { return i32x4.shuffle(pl, ph, 0, 2, 4, 6); }

/** Lane q of x0..x3 (block q's words) → vector q, for q = 0..3: a 4×4 transpose. */
@inline function transpose(x0: v128, x1: v128, x2: v128, x3: v128, q: i32): v128 {
  const a = q < 2 ? i32x4.shuffle(x0, x1, 0, 4, 1, 5) : i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const b = q < 2 ? i32x4.shuffle(x2, x3, 0, 4, 1, 5) : i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  return (q & 1) == 0 ? i64x2.shuffle(a, b, 0, 2) : i64x2.shuffle(a, b, 1, 3);
}

/**
 * philoxAt for the 8 blocks of elements i .. i + 31 (i a multiple of 4) at once: two independent
 * chains of 4 blocks, block q in lane q (two chains hide the multiply latency; the 32×32 → 64-bit
 * products come from i64x2.extmul), transposed into philoxWords0..7.
 */
@inline export function philoxAt32(i: i32, c0: u32, c1: u32, k0: u32, k1: u32): void {
  const m0 = v128.load(LANES), m1 = v128.load(LANES, 16), w0 = v128.load(LANES, 32), w1 = v128.load(LANES, 48);
  const b = ((<u64>c1 << 32) | <u64>c0) + <u64>(i >> 2);
  const base = i32x4.splat(<u32>b), high = i32x4.splat(<u32>(b >> 32));
  let x0 = i32x4.add(base, v128.load(LANES, 64)), y0 = i32x4.add(x0, i32x4.splat(4));
  let x1 = i32x4.sub(high, i32x4.lt_u(x0, base)), y1 = i32x4.sub(high, i32x4.lt_u(y0, base)); // + a wrapped low word's carry
  let x2 = i32x4.splat(0), x3 = x2, y2 = x2, y3 = x2;
  let kv0 = i32x4.splat(k0), kv1 = i32x4.splat(k1);
  for (let r = 0; r < 10; r++) {
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0), p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p1l = i64x2.extmul_low_i32x4_u(x2, m1), p1h = i64x2.extmul_high_i32x4_u(x2, m1);
    const q0l = i64x2.extmul_low_i32x4_u(y0, m0), q0h = i64x2.extmul_high_i32x4_u(y0, m0);
    const q1l = i64x2.extmul_low_i32x4_u(y2, m1), q1h = i64x2.extmul_high_i32x4_u(y2, m1);
    x0 = v128.xor(v128.xor(hi32(p1l, p1h), x1), kv0);
    x1 = lo32(p1l, p1h);
    x2 = v128.xor(v128.xor(hi32(p0l, p0h), x3), kv1);
    x3 = lo32(p0l, p0h);
    y0 = v128.xor(v128.xor(hi32(q1l, q1h), y1), kv0);
    y1 = lo32(q1l, q1h);
    y2 = v128.xor(v128.xor(hi32(q0l, q0h), y3), kv1);
    y3 = lo32(q0l, q0h);
    kv0 = i32x4.add(kv0, w0);
    kv1 = i32x4.add(kv1, w1);
  }
  philoxWords0 = transpose(x0, x1, x2, x3, 0);
  philoxWords1 = transpose(x0, x1, x2, x3, 1);
  philoxWords2 = transpose(x0, x1, x2, x3, 2);
  philoxWords3 = transpose(x0, x1, x2, x3, 3);
  philoxWords4 = transpose(y0, y1, y2, y3, 0);
  philoxWords5 = transpose(y0, y1, y2, y3, 1);
  philoxWords6 = transpose(y0, y1, y2, y3, 2);
  philoxWords7 = transpose(y0, y1, y2, y3, 3);
}
