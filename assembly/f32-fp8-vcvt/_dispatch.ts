// Constant-argument dispatch for the fp8 kernels: each (format, saturate, rounding) triple gets its
// own inlined loop. format: 0 = e4m3, 1 = e5m2 (OCP OFP8 1.0; rules in _lib/minifloat.ts).
import { FMT_E4M3, FMT_E5M2 } from '../_lib/minifloat';
import { narrowScalar, narrowSimd, widenScalar, widenSimd } from '../_lib/vcvt';

@inline function narrowFmt(f: i32, simd: bool, sat: bool, st: bool, n: i32, x: usize, y: usize, c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (simd) narrowSimd(f, sat, st, n, x, y, c0, c1, k0, k1);
  else narrowScalar(f, sat, st, 0, n, x, y, c0, c1, k0, k1);
}

@inline function narrowSat(f: i32, simd: bool, sat: i32, st: i32, n: i32, x: usize, y: usize, c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (sat) {
    if (st) narrowFmt(f, simd, true, true, n, x, y, c0, c1, k0, k1);
    else narrowFmt(f, simd, true, false, n, x, y, 0, 0, 0, 0);
  } else if (st) narrowFmt(f, simd, false, true, n, x, y, c0, c1, k0, k1);
  else narrowFmt(f, simd, false, false, n, x, y, 0, 0, 0, 0);
}

@inline export function narrowFp8(simd: bool, format: i32, sat: i32, n: i32, x: usize, y: usize, st: i32,
                                  c0: u32, c1: u32, k0: u32, k1: u32): void {
  if (format == 0) narrowSat(FMT_E4M3, simd, sat, st, n, x, y, c0, c1, k0, k1);
  else narrowSat(FMT_E5M2, simd, sat, st, n, x, y, c0, c1, k0, k1);
}

@inline export function widenFp8(simd: bool, format: i32, n: i32, x: usize, y: usize): void {
  if (format == 0) { if (simd) widenSimd(FMT_E4M3, n, x, y); else widenScalar(FMT_E4M3, 0, n, x, y); }
  else if (simd) widenSimd(FMT_E5M2, n, x, y);
  else widenScalar(FMT_E5M2, 0, n, x, y);
}
