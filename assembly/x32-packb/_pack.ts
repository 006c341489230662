// Generic scalar panel packing shared by the x32/x64 packers and the half→f32 widening packers
// (internal helper). Layout written by every packer in this repo ("w-panels"):
//   panel q = 0..ceil(n/w)-1 starts at dst + q·kc·w elements; inside it element (p, j) sits at
//   p·w + j and holds src[(q·w + j)·sp + p·sk]; positions with q·w + j ≥ n are zero.
// A is packed with w = MR (sp = row stride, sk = column stride), B with w = NR (sp = column
// stride, sk = row stride): transposes are just swapped strides, never copies.

/** How a source element of type S becomes a destination element (widening halves). */
export const MODE_SAME: i32 = 0, MODE_BF16: i32 = 1, MODE_F16: i32 = 2;

/** IEEE binary16 bits → f32 (exact; subnormals, Inf and NaN kept). */
@inline
export function f16ToF32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0x1f) return reinterpret<f32>(sign | 0x7f800000 | (m << 13));
  if (e != 0) return reinterpret<f32>(sign | ((e + 112) << 23) | (m << 13));
  // subnormal or zero: m · 2^-24, exact in f32
  const v = <f32>m * reinterpret<f32>(0x33800000);
  return sign != 0 ? -v : v;
}

/** One source element of type S (f32/f64, or bf16/f16 bits when S is u16) as a D. */
@inline
export function loadAs<S, D>(ptr: usize, mode: i32): D {
  if (mode == MODE_BF16) return <D>reinterpret<f32>((<u32>load<u16>(ptr)) << 16);
  if (mode == MODE_F16) return <D>f16ToF32(<u32>load<u16>(ptr));
  return <D>load<S>(ptr);
}

/** Packs every panel with scalar loads (strides in ELEMENTS of S). */
@inline
export function packScalar<S, D>(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize,
                                 mode: i32): void {
  const panels = (n + w - 1) / w;
  for (let q = 0; q < panels; q++) {
    const out = dst + <usize>q * <usize>kc * <usize>w * sizeof<D>();
    for (let p = 0; p < kc; p++) {
      for (let j = 0; j < w; j++) {
        const col = q * w + j;
        const v: D = col < n
          ? loadAs<S, D>(src + (<usize>col * <usize>sp + <usize>p * <usize>sk) * sizeof<S>(), mode)
          : <D>0;
        store<D>(out + (<usize>(p * w + j)) * sizeof<D>(), v);
      }
    }
  }
}
