// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the same
// generator as ts/ops/random.ts: block b under key (k0, k1) gives 4 words, and a kernel that draws
// one word per element uses word i & 3 of block counter + (i >> 2), exactly the host stream
// `randomWords(n)` after the host reserved those blocks. So every device sees the same bits.

const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;

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
    k0 += 0x9e3779b9;
    k1 += 0xbb67ae85;
  }
  return i32x4(x0, x1, x2, x3);
}

/** The block holding element i's word, for a stream whose first block is (c0, c1). */
@inline export function philoxAt(i: i32, c0: u32, c1: u32, k0: u32, k1: u32): v128 {
  const b = ((<u64>c1 << 32) | <u64>c0) + <u64>(i >> 2);
  return philoxBlock(<u32>b, <u32>(b >> 32), k0, k1);
}
