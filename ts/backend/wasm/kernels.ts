// Typed signatures of the kernels the wasm backend calls (exports of the generated entry; names
// follow assembly/<family>/<file>.ts). Pointers are byte addresses; META layout is in meta.ts.

type Fn<A extends unknown[]> = (...args: A) => void;
/** (meta, dimStride, dimSize, x | target, index, out | src) → -1, or the first bad index's position. */
type IndexFn = (meta: number, dimStride: number, dimSize: number, a: number, index: number, b: number) => number;

export interface Kernels {
  descent_heap_base(): number;
  // (op, meta, x, out)
  f32_vunary_wasmsimd: Fn<[number, number, number, number]>;
  f32_vunary_scalar: Fn<[number, number, number, number]>;
  f64_vunary_scalar: Fn<[number, number, number, number]>;
  f64_vunary_wasmsimd: Fn<[number, number, number, number]>;
  s32_vunary_scalar: Fn<[number, number, number, number]>;
  s32_vunary_wasmsimd: Fn<[number, number, number, number]>;
  // (op, meta, a, b, out)
  f32_vbinary_wasmsimd: Fn<[number, number, number, number, number]>;
  f32_vbinary_scalar: Fn<[number, number, number, number, number]>;
  f64_vbinary_scalar: Fn<[number, number, number, number, number]>;
  f64_vbinary_wasmsimd: Fn<[number, number, number, number, number]>;
  s32_vbinary_scalar: Fn<[number, number, number, number, number]>;
  s32_vbinary_wasmsimd: Fn<[number, number, number, number, number]>;
  // (op, meta, x, out)
  f32_reduce_wasmsimd: Fn<[number, number, number, number]>;
  f32_reduce_scalar: Fn<[number, number, number, number]>;
  f64_reduce_scalar: Fn<[number, number, number, number]>;
  s32_reduce_scalar: Fn<[number, number, number, number]>;
  // (meta, cond, a, b, out)
  x32_where_scalar: Fn<[number, number, number, number, number]>;
  x32_where_wasmsimd: Fn<[number, number, number, number, number]>;
  x64_where_scalar: Fn<[number, number, number, number, number]>;
  // (srcType, dstType, meta, src, dst)
  xx_vcopy_scalar: Fn<[number, number, number, number, number]>;
  xx_vcopy_wasmsimd: Fn<[number, number, number, number, number]>;
  x32_gather_scalar: IndexFn;
  x64_gather_scalar: IndexFn;
  f32_scatteradd_scalar: IndexFn;
  f64_scatteradd_scalar: IndexFn;
  s32_scatteradd_scalar: IndexFn;
}
