// Elementwise WGSL kernels: unary, binary, where and copy (with dtype conversion) over strided,
// broadcast views, plus fill. One shader per (op, dtypes), generated and cached by the queue.
// Semantics are Backend's (ts/backend/backend.ts); float math follows the reference device's
// formulas, in f32.

import type { BinaryOp, UnaryOp, View } from '../backend.js';
import type { DType } from '../../dtype.js';
import { elementwiseWords, grid } from './meta.js';
import type { GpuQueue } from './queue.js';
import { GRID_LOOP, HALVES, UNIFORMS, bindingDecl, convert, loader, offsets, scalarType, storer, withHelpers } from './wgsl.js';

export type BufferOf = (v: View) => GPUBuffer;

// Stable forms where the WGSL builtin is undefined or loses accuracy (tanh overflows, no log1p).
const MATH = /* wgsl */ `
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn tanh_(x: f32) -> f32 {
  let t = exp(-2.0 * abs(x));
  let r = (1.0 - t) / (1.0 + t);
  return select(r, -r, x < 0.0);
}
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (x > 1e4) { return log(u); }
  return log(u) * x / (u - 1.0);
}
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 1e-5) { return x + 0.5 * x * x; }
  return exp(x) - 1.0;
}
// erf: Abramowitz & Stegun 7.1.26 refined (|error| < 1.2e-7) via the complementary form.
fn erf_(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let y = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - y, y - 1.0, x < 0.0);
}
// Drivers may fold NaN comparisons, so relu tests the sign bit: NaN and -0 pass through.
fn relu_(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  return select(x, 0.0, b > 0x80000000u && !is_nan(x));
}
fn sign_(x: f32) -> f32 { return select(0.0, 1.0, x > 0.0) - select(0.0, 1.0, x < 0.0); }
fn powf_(a: f32, b: f32) -> f32 {
  // C99 / torch pow, as the reference: 1 when b = 0 or a = 1 (NaN in the other operand too), (−1)^±∞ = 1.
  if (b == 0.0 || a == 1.0 || (a == -1.0 && abs(b) == inf_())) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_(); }
  let odd = b == trunc(b) && abs(b) < 16777216.0 && (i32(b) & 1) == 1;
  if (a == 0.0) {
    let inf = inf_();
    if (b < 0.0) { return select(inf, -inf, odd && bitcast<u32>(a) != 0u); }
    return select(0.0, a, odd);
  }
  if (a == -inf_()) {
    if (b < 0.0) { return select(0.0, -0.0, odd); }
    return select(inf_(), -inf_(), odd);
  }
  if (a < 0.0 && b != trunc(b)) { return nan_(); }
  let r = exp2(b * log2(abs(a)));
  return select(r, -r, a < 0.0 && odd);
}
fn ipow_(a: i32, b: i32) -> i32 {
  var r = 1;
  var base = a;
  var e = b;
  loop {
    if (e <= 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
`;

const UNARY_F32: Record<UnaryOp, string> = {
  neg: '-x', abs: 'abs(x)', exp: 'exp(x)', log: 'log(x)', log1p: 'log1p_(x)', expm1: 'expm1_(x)',
  sqrt: 'sqrt(x)', rsqrt: '1.0 / sqrt(x)', sin: 'sin(x)', cos: 'cos(x)', tanh: 'tanh_(x)',
  sigmoid: 'sigmoid_(x)', relu: 'relu_(x)', gelu: '0.5 * x * (1.0 + erf_(x * 0.70710678118654752))',
  silu: 'x * sigmoid_(x)', sign: 'sign_(x)', square: 'x * x', reciprocal: '1.0 / x', floor: 'floor(x)', ceil: 'ceil(x)',
  round: 'round(x)', erf: 'erf_(x)',
};
const UNARY_I32: Partial<Record<UnaryOp, string>> = { // INT_UNARY_OPS
  neg: '0 - x', abs: 'select(x, 0 - x, x < 0)', sign: 'select(0, 1, x > 0) - select(0, 1, x < 0)', square: 'x * x',
  relu: 'max(x, 0)',
};

const NAN = 'nan_()';
function binaryExpr(op: BinaryOp, t: 'f32' | 'i32'): string {
  const nanOr = (e: string): string => (t === 'f32' ? `select(${e}, ${NAN}, is_nan(a) || is_nan(b))` : e);
  switch (op) {
    case 'add': return 'a + b';
    case 'sub': return 'a - b';
    case 'mul': return 'a * b';
    case 'div': return 'a / b';
    case 'pow': return t === 'f32' ? 'powf_(a, b)' : 'ipow_(a, b)';
    case 'maximum': return nanOr('select(b, a, a > b)');
    case 'minimum': return nanOr('select(b, a, a < b)');
    case 'eq': return 'select(0, 1, a == b)';
    case 'ne': return 'select(0, 1, a != b)';
    case 'lt': return 'select(0, 1, a < b)';
    case 'le': return 'select(0, 1, a <= b)';
    case 'gt': return 'select(0, 1, a > b)';
    case 'ge': return 'select(0, 1, a >= b)';
  }
}

/** A shader computing `expr` of inputs named in `ins` into `out`, element by element. */
function shader(ins: { name: string; dtype: DType }[], out: DType, body: string): string {
  const decls = ins.map((x, k) => `${bindingDecl(k + 1, `in_${x.name}`, x.dtype, false)}\n${loader(`in_${x.name}`, x.dtype)}`);
  const loads = ins.map((x, k) => `let ${x.name} = ld_in_${x.name}(o${k});`).join('\n    ');
  return UNIFORMS + withHelpers(`
${decls.join('\n')}
${bindingDecl(ins.length + 1, 'y', out, true)}
${storer('y', out)}
${GRID_LOOP}
    ${offsets(ins.length + 1)}
    ${loads}
    st_y(o${ins.length}, ${body});
  }
}`, HALVES + MATH);
}

function run(q: GpuQueue, key: string, wgsl: () => string, views: View[], buf: BufferOf): void {
  const { words, groups } = elementwiseWords(views[views.length - 1].shape, views);
  if (words[0] === 0) return;
  q.dispatch(q.pipeline(key, wgsl), words, views.map(buf), groups);
}

export function unary(q: GpuQueue, buf: BufferOf, op: UnaryOp, x: View, out: View): void {
  const dt = x.storage.dtype;
  const expr = dt === 'i32' ? UNARY_I32[op]! : UNARY_F32[op];
  run(q, `unary:${op}:${dt}`, () => shader([{ name: 'x', dtype: dt }], dt, expr), [x, out], buf);
}

export function binary(q: GpuQueue, buf: BufferOf, op: BinaryOp, a: View, b: View, out: View): void {
  const dt = a.storage.dtype;
  const od = out.storage.dtype;
  run(q, `binary:${op}:${dt}`, () => shader([{ name: 'a', dtype: dt }, { name: 'b', dtype: dt }], od, binaryExpr(op, scalarType(dt))), [a, b, out], buf);
}

export function where(q: GpuQueue, buf: BufferOf, cond: View, a: View, b: View, out: View): void {
  const dt = a.storage.dtype;
  const ins = [{ name: 'c', dtype: 'i32' as DType }, { name: 'a', dtype: dt }, { name: 'b', dtype: dt }];
  run(q, `where:${dt}`, () => shader(ins, dt, 'select(b, a, c != 0)'), [cond, a, b, out], buf);
}

export function copy(q: GpuQueue, buf: BufferOf, src: View, dst: View): void {
  const from = src.storage.dtype;
  const to = dst.storage.dtype;
  run(q, `copy:${from}:${to}`, () => shader([{ name: 'x', dtype: from }], to, convert('x', from, to)), [src, dst], buf);
}

/** Sets the first `words` u32 words of a buffer to `word` (a dtype's bits, halves doubled). */
export function fillWords(q: GpuQueue, buffer: GPUBuffer, words: number, word: number): void {
  if (words === 0) return;
  const wgsl = (): string => `${UNIFORMS}
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
${GRID_LOOP}
    y[i] = m(48u);
  }
}`;
  const [groups, threads] = grid(words);
  const u = new Uint32Array(64);
  u[0] = words;
  u[2] = threads;
  u[48] = word >>> 0;
  q.dispatch(q.pipeline('fill', wgsl), u, [buffer], groups);
}
