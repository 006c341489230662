// SIMD panel packing shared by the f32 packer and the bf16/f16 → f32 widening packers (internal
// helper; layout in ./_pack.ts). Two fast paths cover all four transpose cases of GEMM: sp = 1
// (B row-major, Aᵀ) moves w contiguous elements per k; sk = 1 (A row-major, Bᵀ) transposes 4×4
// blocks in registers. Other strides, the partial last panel and the k remainder of the
// transposing path go through the scalar loop, so the output equals packScalar's bit for bit.
import { packScalar, loadAs, MODE_SAME, MODE_BF16 } from './_pack';

/** 4 consecutive source elements (f32, or bf16/f16 bits) as an f32x4. */
@inline
function load4(p: usize, mode: i32): v128 {
  if (mode == MODE_SAME) return v128.load(p);
  const h = v128.load16x4_u(p);
  if (mode == MODE_BF16) return i32x4.shl(h, 16);
  return halfToF32x4(h);
}

/**
 * IEEE binary16 (zero-extended in i32 lanes) → f32x4, exact: the magnitude is shifted into place
 * and rebiased; Inf/NaN get the rest of the exponent; subnormals are renormalised by a
 * subtraction that is exact in f32 (the classic "magic number" conversion).
 */
@inline
function halfToF32x4(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  let o = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const exp = v128.and(o, i32x4.splat(0x0f800000));
  o = i32x4.add(o, i32x4.splat(112 << 23));
  const infNan = i32x4.eq(exp, i32x4.splat(0x0f800000));
  o = v128.bitselect(i32x4.add(o, i32x4.splat(112 << 23)), o, infNan);
  const sub = i32x4.eq(exp, i32x4.splat(0));
  const renorm = f32x4.sub(i32x4.add(o, i32x4.splat(1 << 23)), i32x4.splat(113 << 23));
  o = v128.bitselect(renorm, o, sub);
  return v128.or(o, sign);
}

/** Packs like packScalar<S, f32> using the SIMD paths where they apply (w a multiple of 4). */
@inline
export function packSimd<S>(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize, mode: i32): void {
  const full = (w & 3) == 0 ? n / w : 0;
  if ((w & 3) == 0 && sp == 1) {
    packContiguous<S>(w, kc, full, src, sk, dst, mode);
  } else if (full > 0 && sk == 1) {
    packTransposed<S>(w, kc, full, src, sp, dst, mode);
  } else {
    packScalar<S, f32>(w, kc, n, src, sp, sk, dst, mode);
    return;
  }
  const done = full * w; // the partial last panel
  if (done == n) return;
  const from = src + <usize>done * <usize>sp * sizeof<S>(), to = dst + <usize>full * <usize>kc * <usize>w * 4;
  // contiguous rows (small-n B: n = 10 packs 2 of its 3 vectors per k step in SIMD); else scalar
  if (sp == 1) packContiguousPartial<S>(w, kc, n - done, from, sk, to, mode);
  else packScalar<S, f32>(w, kc, n - done, from, sp, sk, to, mode);
}

/** One panel of `cols` < w columns from contiguous rows: whole vectors, then scalar lanes and zeros. */
@inline
function packContiguousPartial<S>(w: i32, kc: i32, cols: i32, src: usize, sk: i32, dst: usize, mode: i32): void {
  const skBytes = <usize>sk * sizeof<S>(), vecs = cols >> 2;
  for (let p = 0; p < kc; p++) {
    for (let j = 0; j < vecs; j++) v128.store(dst + (<usize>j << 4), load4(src + <usize>(j << 2) * sizeof<S>(), mode));
    for (let j = vecs << 2; j < w; j++) {
      store<f32>(dst + (<usize>j << 2), j < cols ? loadAs<S, f32>(src + <usize>j * sizeof<S>(), mode) : 0);
    }
    dst += <usize>w << 2;
    src += skBytes;
  }
}

@inline
function packContiguous<S>(w: i32, kc: i32, panels: i32, src: usize, sk: i32, dst: usize, mode: i32): void {
  const skBytes = <usize>sk * sizeof<S>();
  for (let q = 0; q < panels; q++) {
    let s = src + <usize>(q * w) * sizeof<S>();
    for (let p = 0; p < kc; p++) {
      for (let j = 0; j < w; j += 4) v128.store(dst + (<usize>j << 2), load4(s + <usize>j * sizeof<S>(), mode));
      dst += <usize>w << 2;
      s += skBytes;
    }
  }
}

@inline
function packTransposed<S>(w: i32, kc: i32, panels: i32, src: usize, sp: i32, dst: usize, mode: i32): void {
  const spBytes = <usize>sp * sizeof<S>(), wBytes = <usize>w << 2;
  const k4 = kc & ~3;
  for (let q = 0; q < panels; q++) {
    const out = dst + <usize>q * <usize>kc * wBytes;
    for (let j = 0; j < w; j += 4) {
      const r0 = src + <usize>(q * w + j) * spBytes;
      const r1 = r0 + spBytes, r2 = r1 + spBytes, r3 = r2 + spBytes;
      let o = out + (<usize>j << 2);
      for (let p = 0; p < k4; p += 4) {
        const off = <usize>p * sizeof<S>();
        const x0 = load4(r0 + off, mode), x1 = load4(r1 + off, mode);
        const x2 = load4(r2 + off, mode), x3 = load4(r3 + off, mode);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(o + wBytes, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(o + 2 * wBytes, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(o + 3 * wBytes, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
        o += wBytes << 2;
      }
      for (let p = k4; p < kc; p++) { // k remainder: one row of 4 widened scalars
        const off = <usize>p * sizeof<S>();
        v128.store(o, f32x4(loadAs<S, f32>(r0 + off, mode), loadAs<S, f32>(r1 + off, mode),
                            loadAs<S, f32>(r2 + off, mode), loadAs<S, f32>(r3 + off, mode)));
        o += wBytes;
      }
    }
  }
}
