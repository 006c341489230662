// SIMD128 f32 panel packer (layout in ./_pack.ts). Two fast paths cover all four transpose
// cases of GEMM: sp = 1 (B row-major, Aᵀ) copies w contiguous floats per k; sk = 1 (A row-major,
// Bᵀ) transposes 4×4 blocks in registers. Anything else, partial panels and the k remainder of
// the transposing path go through the scalar loop.
import { packScalar, MODE_SAME } from './_pack';

/** Same contract as x32_packb_scalar; identical output. w must be a multiple of 4 for the fast paths. */
export function x32_packb_wasmsimd(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  const full = (w & 3) == 0 ? n / w : 0;
  if (full > 0 && sp == 1) {
    packContiguous(w, kc, full, src, sk, dst);
  } else if (full > 0 && sk == 1) {
    packTransposed(w, kc, full, src, sp, dst);
  } else {
    packScalar<f32, f32>(w, kc, n, src, sp, sk, dst, MODE_SAME);
    return;
  }
  // the partial last panel (n % w columns), through the scalar path
  const done = full * w;
  if (done < n) {
    packScalar<f32, f32>(w, kc, n - done, src + <usize>done * <usize>sp * 4, sp, sk,
                         dst + <usize>full * <usize>kc * <usize>w * 4, MODE_SAME);
  }
}

@inline
function packContiguous(w: i32, kc: i32, panels: i32, src: usize, sk: i32, dst: usize): void {
  const skBytes = <usize>sk << 2;
  for (let q = 0; q < panels; q++) {
    let s = src + (<usize>(q * w) << 2);
    for (let p = 0; p < kc; p++) {
      for (let j = 0; j < w; j += 4) v128.store(dst + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
      dst += <usize>w << 2;
      s += skBytes;
    }
  }
}

@inline
function packTransposed(w: i32, kc: i32, panels: i32, src: usize, sp: i32, dst: usize): void {
  const spBytes = <usize>sp << 2, wBytes = <usize>w << 2;
  const k4 = kc & ~3;
  for (let q = 0; q < panels; q++) {
    const out = dst + <usize>q * <usize>kc * wBytes;
    for (let j = 0; j < w; j += 4) {
      const r0 = src + <usize>(q * w + j) * spBytes;
      const r1 = r0 + spBytes, r2 = r1 + spBytes, r3 = r2 + spBytes;
      let o = out + (<usize>j << 2);
      for (let p = 0; p < k4; p += 4) {
        const off = <usize>p << 2;
        const x0 = v128.load(r0 + off), x1 = v128.load(r1 + off);
        const x2 = v128.load(r2 + off), x3 = v128.load(r3 + off);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(o + wBytes, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(o + 2 * wBytes, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(o + 3 * wBytes, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
        o += wBytes << 2;
      }
      for (let p = k4; p < kc; p++) {
        const off = <usize>p << 2;
        v128.store(o, f32x4(load<f32>(r0 + off), load<f32>(r1 + off), load<f32>(r2 + off), load<f32>(r3 + off)));
        o += wBytes;
      }
    }
  }
}
