// Packs A for the 5×8 FMA tile: the w-panel layout of x32_packb with w = 5 (panel q holds rows
// 5q..5q+4, 5 floats per k step, rows past n zero), which the generic packer only does with
// scalar loads (34 µs per 128×256 block, a tenth of a 128×784·784×256 product). Row-major A is
// moved 4 k steps at a time through 4×4 transposes; column-major A is a vector copy per k step.

/**
 * Same contract and output as x32_packb_scalar(5, kc, n, src, sp, sk, dst): src byte pointer,
 * sp = row stride, sk = column stride (ELEMENTS). dst needs no alignment.
 */
export function f32_gemm_5x8_packa_wasmsimd(kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  const spB = <usize>sp << 2, skB = <usize>sk << 2;
  for (let q = 0; q * 5 < n; q++) {
    const rows = min(5, n - q * 5);
    const from = src + <usize>(q * 5) * spB, out = dst + <usize>q * <usize>kc * 20;
    let p = 0;
    if (rows == 5 && sk == 1) {
      for (; p + 4 <= kc; p += 4) {
        const at = from + (<usize>p << 2);
        const v0 = v128.load(at), v1 = v128.load(at + spB), v2 = v128.load(at + 2 * spB), v3 = v128.load(at + 3 * spB);
        const v4 = v128.load(at + 4 * spB);
        const lo01 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const hi01 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        const o = out + <usize>p * 20;
        v128.store(o, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5)); v128.store32_lane(o, v4, 0, 16);
        v128.store(o, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7), 20); v128.store32_lane(o, v4, 1, 36);
        v128.store(o, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), 40); v128.store32_lane(o, v4, 2, 56);
        v128.store(o, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7), 60); v128.store32_lane(o, v4, 3, 76);
      }
    } else if (rows == 5 && sp == 1) {
      for (; p < kc; p++) {
        const at = from + <usize>p * skB, o = out + <usize>p * 20;
        v128.store(o, v128.load(at)); store<f32>(o, load<f32>(at, 16), 16);
      }
    }
    // what the vector paths left: the k tail, a partial last panel, general strides
    for (; p < kc; p++) {
      for (let j = 0; j < 5; j++) {
        store<f32>(out + <usize>(p * 5 + j) * 4, j < rows ? load<f32>(from + <usize>j * spB + <usize>p * skB) : 0);
      }
    }
  }
}
