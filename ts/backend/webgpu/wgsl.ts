// WGSL building blocks shared by the kernels: the uniform block, per-dtype storage bindings with
// load/store functions (halves packed two per u32 word, converted by bit manipulation with
// round-to-nearest-even, so results match dtype.ts bit for bit whether or not the adapter has
// shader-f16), exact int↔float conversions and strided N-d offsets.
//
// Uniform words (u32): [0] element count, [1] rank, [2] total invocations (grid stride),
// [3] free, [4..11] shape, [12 + 8k .. 19 + 8k] strides of operand k (k < 4), [44 + k] offset of
// operand k, [48..63] kernel specific. Strides and offsets are in elements.

import { isHalf, type DType } from '../../dtype.js';

export const MAX_RANK = 8;
export const W_COUNT = 0, W_RANK = 1, W_STRIDE = 2, W_SHAPE = 4, W_STRIDES = 12, W_OFFSETS = 44, W_EXTRA = 48;

export const UNIFORMS = /* wgsl */ `
@group(0) @binding(0) var<uniform> u: array<vec4<u32>, 16>;
fn m(i: u32) -> u32 { return u[i >> 2u][i & 3u]; }
fn mf(i: u32) -> f32 { return bitcast<f32>(m(i)); }
`;

/** The WGSL type a dtype computes in. */
export const scalarType = (d: DType): 'f32' | 'i32' => (d === 'i32' ? 'i32' : 'f32');

export const HALVES = /* wgsl */ `
fn f16_to_f32(h: u32) -> f32 {
  let s = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let mt = h & 0x3ffu;
  if (e == 0u) { let v = f32(mt) * 5.9604644775390625e-8; return select(v, -v, s != 0u); }
  if (e == 31u) { return bitcast<f32>(s | 0x7f800000u | (mt << 13u)); }
  return bitcast<f32>(s | ((e + 112u) << 23u) | (mt << 13u));
}
fn f32_to_f16(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let s = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) { return s | 0x7e00u; }
  if (a >= 0x477ff000u) { return s | 0x7c00u; }
  if (a < 0x38800000u) {
    let e = a >> 23u;
    if (e < 102u) { return s; }
    let mant = (a & 0x7fffffu) | 0x800000u;
    let sh = 126u - e;
    var q = mant >> sh;
    let rest = mant & ((1u << sh) - 1u);
    let half = 1u << (sh - 1u);
    if (rest > half || (rest == half && (q & 1u) == 1u)) { q = q + 1u; }
    return s | q;
  }
  var mm = (a & 0x7fffffu) >> 13u;
  let rest = a & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (mm & 1u) == 1u)) { mm = mm + 1u; }
  return s | ((((a >> 23u) - 112u) << 10u) + mm);
}
fn bf16_to_f32(h: u32) -> f32 { return bitcast<f32>(h << 16u); }
fn f32_to_bf16(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0x7fc0u; }
  return ((b + (((b >> 16u) & 1u) + 0x7fffu)) >> 16u) & 0xffffu;
}
// NaN and Inf built from a uniform word (always 0): WGSL rejects them as constants.
fn nan_() -> f32 { return bitcast<f32>(m(63u) | 0x7fc00000u); }
fn inf_() -> f32 { return bitcast<f32>(m(63u) | 0x7f800000u); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// i32 → f32 rounded to nearest even: both parts are exact, so the one addition rounds once.
fn i2f(x: i32) -> f32 { return f32(x >> 8u) * 256.0 + f32(x & 255); }
// f32 → i32 truncating toward zero, saturating, NaN → 0 (wasm's i32.trunc_sat).
fn f2i(x: f32) -> i32 {
  if (is_nan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return i32(-2147483647) - 1; }
  return i32(trunc(x));
}
`;

/**
 * `code` preceded by the helper functions of `library` it calls, directly or through other
 * helpers: shaders stay small, which matters where each pipeline is JIT-compiled on the CPU.
 */
export function withHelpers(code: string, library: string): string {
  // a helper: its comment lines, then a one-line fn or one whose closing brace starts a line
  const fns = [...library.matchAll(/((?:\/\/[^\n]*\n)*)fn (\w+)\((?:[^\n]*\}\n|[\s\S]*?\n\}\n)/g)].map((m) => ({ name: m[2], src: m[0] }));
  const used = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    const text = code + fns.filter((f) => used.has(f.name)).map((f) => f.src).join('');
    for (const f of fns) {
      if (!used.has(f.name) && new RegExp(`\\b${f.name}\\(`).test(text)) {
        used.add(f.name);
        grew = true;
      }
    }
  }
  return `${fns.filter((f) => used.has(f.name)).map((f) => f.src).join('')}${code}`;
}

/** Binding `binding` named `name` holding a dtype: read-only, or read-write (atomic words for halves). */
export function bindingDecl(binding: number, name: string, dtype: DType, write: boolean): string {
  const elem = isHalf(dtype) ? (write ? 'atomic<u32>' : 'u32') : scalarType(dtype);
  return `@group(0) @binding(${binding}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: array<${elem}>;`;
}

/** `fn ld_<name>(e: u32) -> f32|i32`: element e of the binding, widened to its compute type. */
export function loader(name: string, dtype: DType): string {
  const t = scalarType(dtype);
  if (!isHalf(dtype)) return `fn ld_${name}(e: u32) -> ${t} { return ${name}[e]; }`;
  return `fn ld_${name}(e: u32) -> f32 { return ${dtype}_to_f32((${name}[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu); }`;
}

/** `fn st_<name>(e: u32, v: f32|i32)`: stores v (already in the compute type) as the dtype. */
export function storer(name: string, dtype: DType): string {
  const t = scalarType(dtype);
  if (!isHalf(dtype)) return `fn st_${name}(e: u32, v: ${t}) { ${name}[e] = v; }`;
  // Two threads may own the two halves of one word: atomics keep both writes.
  return `fn st_${name}(e: u32, v: f32) {
  let sh = (e & 1u) * 16u;
  atomicAnd(&${name}[e >> 1u], ~(0xffffu << sh));
  atomicOr(&${name}[e >> 1u], f32_to_${dtype}(v) << sh);
}`;
}

/** Converts a WGSL expression from one dtype's compute type to another's. */
export function convert(expr: string, from: DType, to: DType): string {
  const a = scalarType(from);
  const b = scalarType(to);
  if (a === b) return expr;
  return a === 'i32' ? `i2f(${expr})` : `f2i(${expr})`;
}

/**
 * WGSL statements setting `o<k>` (k < nops) to operand k's element offset for flat index `i`,
 * walking the shape from the last dim (uniform layout in the header).
 */
export function offsets(nops: number, flat = 'i'): string {
  const decl = Array.from({ length: nops }, (_, k) => `var o${k} = m(${W_OFFSETS + k}u);`).join(' ');
  const add = Array.from({ length: nops }, (_, k) => `o${k} += c_ * m(${W_STRIDES + 8 * k}u + d_);`).join(' ');
  const flat1 = Array.from({ length: nops }, (_, k) => `o${k} += (${flat}) * m(${W_STRIDES + 8 * k}u);`).join(' ');
  // rank 1 (what collapse makes of contiguous and simply broadcast operands): no division
  return `${decl}
    var rem_ = ${flat};
    if (m(${W_RANK}u) == 1u) { ${flat1} rem_ = 0u; }
    for (var dd_ = select(m(${W_RANK}u), 0u, m(${W_RANK}u) == 1u); dd_ > 0u; dd_--) {
      let d_ = dd_ - 1u;
      let s_ = m(${W_SHAPE}u + d_);
      let c_ = rem_ % s_;
      rem_ = rem_ / s_;
      ${add}
    }`;
}

/** The entry point header with a grid-stride loop over `i` < count. */
export const GRID_LOOP = `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  for (var i = g.x; i < m(${W_COUNT}u); i += m(${W_STRIDE}u)) {`;
