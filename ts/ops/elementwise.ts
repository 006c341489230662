// Elementwise ops: unary maps, broadcasting binary ops, comparisons, where and clamp. Each
// primitive keeps its forward dispatch and its VJP rule side by side.

import { f32UnderAutocast } from '../amp/autocast.js';
import { type BinaryOp, COMPARE_OPS, INT_UNARY_OPS, type UnaryOp } from '../backend/backend.js';
import { isContiguous } from '../backend/view.js';
import { type DType, promote } from '../dtype.js';
import { attach, noGrad } from '../autograd/tape.js';
import { check } from '../errors.js';
import { Tensor } from '../tensor.js';
import { zerosLike } from './creation.js';
import { sumTo } from './broadcast.js';
import {
  type TensorLike, assertTensor, broadcastShapes, broadcastView, checkSameDevice, describe, empty,
  inCompute, liftPair, scalar, scoped,
} from './util.js';

// ---- unary --------------------------------------------------------------------------------

function unaryForward(op: UnaryOp, x: Tensor): Tensor {
  const dt: DType = x.dtype === 'i32' && !INT_UNARY_OPS.includes(op) ? 'f32' : x.dtype;
  return inCompute(dt, [x], ([cx], cdt) => {
    const out = empty(x.shape, cdt, x.device);
    x.backend.unary(op, cx, out);
    return out;
  });
}

type UnaryVjp = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

function defineUnary(op: UnaryOp, vjp: UnaryVjp): (x: Tensor) => Tensor {
  return (x: Tensor) => {
    assertTensor(x, op);
    const y = unaryForward(op, x);
    return attach(y, [x], (g) => [vjp(g, x, y)], op);
  };
}

const zeroGrad: UnaryVjp = (_g, x) => zerosLike(x);

export const neg = defineUnary('neg', (g) => neg(g));
export const abs = defineUnary('abs', (g, x) => mul(g, sign(x)));
export const exp = f32UnderAutocast(defineUnary('exp', (g, _x, y) => mul(g, y)));
export const log = f32UnderAutocast(defineUnary('log', (g, x) => div(g, x)));
export const log1p = defineUnary('log1p', (g, x) => div(g, add(x, 1)));
export const expm1 = defineUnary('expm1', (g, _x, y) => mul(g, add(y, 1)));
export const sqrt = defineUnary('sqrt', (g, _x, y) => div(mul(g, 0.5), y));
export const rsqrt = defineUnary('rsqrt', (g, _x, y) => mul(mul(g, -0.5), mul(y, square(y))));
export const sin = defineUnary('sin', (g, x) => mul(g, cos(x)));
export const cos = defineUnary('cos', (g, x) => neg(mul(g, sin(x))));
export const tanh = defineUnary('tanh', (g, _x, y) => mul(g, sub(1, square(y))));
export const sigmoid = defineUnary('sigmoid', (g, _x, y) => mul(g, mul(y, sub(1, y))));
/**
 * relu's VJP, where(le(x, 0), 0, g): the gradient is cut only where x ≤ 0, so it passes at NaN
 * (torch's threshold_backward). x may be relu's input or its output: x ≤ 0 exactly where
 * relu(x) ≤ 0 (relu passes -0 and NaN through), so a fused Linear→ReLU masks with its output and
 * gets the same bits. Backends with reluGrad do it in one pass, without the mask tensor.
 */
export function reluBackward(g: Tensor, x: Tensor): Tensor {
  assertTensor(g, 'reluBackward', 'g');
  assertTensor(x, 'reluBackward', 'x');
  const fast = g.backend.reluGrad !== undefined && g.dtype === 'f32' && x.dtype === 'f32'
    && g.shape.length === x.shape.length && g.shape.every((n, i) => n === x.shape[i]) && isContiguous(g) && isContiguous(x);
  if (!fast) return where(le(x, 0), 0, g);
  const out = empty(g.shape, 'f32', checkSameDevice('relu', g, x));
  g.backend.reluGrad!(x, g, out);
  // linear in g, the mask constant: its own VJP masks again
  return attach(out, [g], (gg) => [reluBackward(gg, x)], 'reluGrad', [x]);
}
export const relu = defineUnary('relu', reluBackward);
/**
 * gelu's VJP at input x with output y. dGELU = Φ(x) + x·φ(x), Φ(x) = gelu(x)/x; near 0 Φ comes
 * from its Taylor series (and x/1 stands in for x in the division) so the second derivative is
 * finite and exact there too (a masked 0/0 would still send NaN back).
 */
export function geluBackward(g: Tensor, x: Tensor, y: Tensor): Tensor {
  for (const [t, name] of [[g, 'g'], [x, 'x'], [y, 'y']] as const) assertTensor(t, 'geluBackward', name);
  const small = lt(abs(x), 1e-3);
  const taylor = add(0.5, mul(mul(x, 1 / Math.sqrt(2 * Math.PI)), sub(1, div(square(x), 6))));
  const phi = where(small, taylor, div(y, where(small, 1, x)));
  const density = mul(exp(mul(square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return mul(g, add(phi, mul(x, density)));
}
/** Exact GELU, 0.5·x·(1 + erf(x/√2)) (PyTorch's default). */
export const gelu = defineUnary('gelu', geluBackward);
export const silu = defineUnary('silu', (g, x) => {
  const s = sigmoid(x);
  return mul(g, mul(s, add(1, mul(x, sub(1, s)))));
});
export const sign = defineUnary('sign', zeroGrad);
export const square = defineUnary('square', (g, x) => mul(g, mul(x, 2)));
export const reciprocal = defineUnary('reciprocal', (g, _x, y) => neg(mul(g, square(y))));
/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (the normal CDF is ½(1 + erf(x/√2))); derivative 2/√π·e^(−x²). */
export const erf = defineUnary('erf', (g, x) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));
export const floor = defineUnary('floor', zeroGrad);
export const ceil = defineUnary('ceil', zeroGrad);
/** Round half to even, like torch.round. */
export const round = defineUnary('round', zeroGrad);

// ---- binary -------------------------------------------------------------------------------

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const device = checkSameDevice(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  let dt = promote(a.dtype, b.dtype);
  if (dt === 'i32' && op === 'div') dt = 'f32'; // true division, as torch.div
  const isCompare = COMPARE_OPS.includes(op);
  return inCompute(dt, [a, b], ([ca, cb], cdt) => {
    if (op === 'pow' && cdt === 'i32') {
      check(!cb.dataSync().some((e) => e < 0), 'INVALID_DATA', () => 'pow: integers to negative integer powers are not allowed');
    }
    const out = empty(shape, isCompare ? 'i32' : cdt, device);
    a.backend.binary(op, broadcastView(ca, shape), broadcastView(cb, shape), out);
    return out;
  });
}

type BinaryVjp = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

function defineBinary(op: BinaryOp, vjp: BinaryVjp | null): (a: TensorLike, b: TensorLike) => Tensor {
  // scoped: lifted scalars are freed here, also when the op rejects its input (a graph node
  // holds them until it is released).
  return (a: TensorLike, b: TensorLike) => scoped(() => {
    const [ta, tb] = liftPair(a, b, op);
    const y = binaryForward(op, ta, tb);
    return vjp === null ? y : attach(y, [ta, tb], (g) => {
      const [ga, gb] = vjp(g, ta, tb, y);
      return [ga && sumTo(ga, ta.shape), gb && sumTo(gb, tb.shape)];
    }, op);
  });
}

export const add = defineBinary('add', (g) => [g, g]);
export const sub = defineBinary('sub', (g) => [g, neg(g)]);
export const mul = defineBinary('mul', (g, a, b) => [mul(g, b), mul(g, a)]);
export const div = defineBinary('div', (g, _a, b, y) => [div(g, b), neg(div(mul(g, y), b))]);
/**
 * a^b; d/da is 0 where b = 0 (a is swapped for 1 there, so 0·0^-1 never makes NaN, also not in a
 * second derivative) and d/db uses log(a), zeroed where a = 0 and b ≥ 0, as PyTorch does.
 */
export const pow: (a: TensorLike, b: TensorLike) => Tensor = f32UnderAutocast(defineBinary('pow', (g, a, b, y) => [
  mul(g, mul(b, pow(where(eq(b, 0), 1, a), sub(b, 1)))),
  where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(g, mul(y, log(a)))),
]));
/**
 * Elementwise max; ties split the gradient evenly, and an input gets none only where it loses
 * outright, so a NaN (which neither wins nor ties) sends the gradient to both inputs (PyTorch).
 */
export const maximum = defineBinary('maximum', (g, a, b) => tieSplit(g, lt(a, b), eq(a, b), gt(a, b)));
export const minimum = defineBinary('minimum', (g, a, b) => tieSplit(g, gt(a, b), eq(a, b), lt(a, b)));

function tieSplit(g: Tensor, aLoses: Tensor, tie: Tensor, bLoses: Tensor): [Tensor, Tensor] {
  const share = where(tie, mul(g, 0.5), g);
  return [where(aLoses, 0, share), where(bLoses, 0, share)];
}

/** Comparisons return i32 tensors of 0/1 and carry no gradient. */
export const eq = defineBinary('eq', null);
export const ne = defineBinary('ne', null);
export const lt = defineBinary('lt', null);
export const le = defineBinary('le', null);
export const gt = defineBinary('gt', null);
export const ge = defineBinary('ge', null);

export const logicalAnd = (a: Tensor, b: Tensor): Tensor => scoped(() => mul(ne(a, 0), ne(b, 0)));
const logicalOr = (a: Tensor, b: Tensor): Tensor => ne(add(ne(a, 0), ne(b, 0)), 0);

// ---- where and clamp ----------------------------------------------------------------------

/**
 * cond ? a : b elementwise with broadcasting; cond is true where nonzero. a and b may both be
 * numbers (as torch.where): the result is i32 when both are integers, else f32, on cond's device.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  assertTensor(cond, 'where', 'cond');
  return scoped(() => {
    if (a instanceof Tensor || b instanceof Tensor) return whereLifted(cond, ...liftPair(a, b, 'where'));
    for (const [name, v] of [['a', a], ['b', b]] as const) {
      check(typeof v === 'number', 'BAD_ARGUMENT', () => `where: expected ${name} to be a Tensor or a number, got ${describe(v)}`);
    }
    const dt: DType = Number.isInteger(a) && Number.isInteger(b) ? 'i32' : 'f32';
    return whereLifted(cond, scalar(a, dt, cond.device), scalar(b, dt, cond.device));
  });
}

function whereLifted(cond: Tensor, ta: Tensor, tb: Tensor): Tensor {
  const device = checkSameDevice('where', cond, ta, tb);
  const shape = broadcastShapes('where', cond.shape, ta.shape, tb.shape);
  const c = cond.dtype === 'i32' ? cond : noGrad(() => ne(cond, 0));
  const y = inCompute(promote(ta.dtype, tb.dtype), [ta, tb], ([ca, cb], cdt) => {
    const out = empty(shape, cdt, device);
    cond.backend.where(broadcastView(c, shape), broadcastView(ca, shape), broadcastView(cb, shape), out);
    return out;
  });
  return attach(y, [ta, tb], (g) => [sumTo(where(cond, g, 0), ta.shape), sumTo(where(cond, 0, g), tb.shape)], 'where', [cond]);
}

/**
 * Clamps into [min, max]; either bound may be null, a number or a tensor broadcasting with x
 * (torch.clamp). Where min > max the result is max. The gradient goes to x where
 * min ≤ x ≤ max, to min where x < min < max, and to max where x > max or max < min, as torch.
 */
export function clamp(x: Tensor, min: TensorLike | null = null, max: TensorLike | null = null): Tensor {
  assertTensor(x, 'clamp');
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    check(v === null || typeof v === 'number' || v instanceof Tensor, 'BAD_ARGUMENT',
      () => `clamp: expected ${name} to be a number, a Tensor or null, got ${describe(v)}`);
  }
  check(min !== null || max !== null, 'BAD_ARGUMENT', () => 'clamp: at least one of min and max must be given');
  return scoped(() => {
    const lo = min === null ? null : liftPair(x, min, 'clamp')[1];
    const hi = max === null ? null : liftPair(x, max, 'clamp')[1];
    const bounds = [lo, hi].filter((b): b is Tensor => b !== null);
    checkSameDevice('clamp', x, ...bounds);
    broadcastShapes('clamp', x.shape, ...bounds.map((b) => b.shape));
    const y = noGrad(() => {
      const above = lo === null ? x : maximum(x, lo);
      return hi === null ? above : minimum(above, hi);
    });
    return attach(y, [x, ...bounds], (g) => {
      const inside = lo === null ? le(x, hi!) : hi === null ? ge(x, lo) : logicalAnd(ge(x, lo), le(x, hi));
      const grads = [where(inside, g, 0)];
      if (lo !== null) grads.push(where(hi === null ? lt(x, lo) : logicalAnd(lt(x, lo), lt(lo, hi)), g, 0));
      if (hi !== null) grads.push(where(lo === null ? gt(x, hi) : logicalOr(gt(x, hi), lt(hi, lo)), g, 0));
      return grads.map((gi, i) => sumTo(gi, i === 0 ? x.shape : bounds[i - 1].shape));
    }, 'clamp');
  });
}

/** torch.clip: another name for clamp. */
export const clip = clamp;
