// Shared body of the SIMD softmax cross-entropy kernels (internal, '_' prefix): the plain and
// relaxed files instantiate it with a constant `fma` flag that binaryen folds away after inlining.
//
// Per row, three passes that stay in L1/L2 (a row of 50257 floats is 200 KiB): (1) max in four
// lanes, (2) e^{x−m} stored into the dlogits row and summed (f32 lanes over blocks of 64 floats,
// each block added into f64), (3) the row scaled by scale/s. DRAM sees the logits read once and
// dlogits written once. The exponent is always ≤ 0, which allows a cheaper exp than _lib/expf
// (see expNonPositive): the exp is what bounds this kernel, the passes themselves are cheap.

const LOG2E: f32 = 1.4426950408889634;
const D_MIN: f32 = -86.0; // e^{-86} ≈ 4e-38: the smallest exponent kept exact; below it (−Inf included) the term is 0
const MAGIC: f32 = 12582912.0; // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits
const BLOCK = 64; // floats summed in f32 before promotion: bounds the f32 rounding error growth
// 2^f on [-1/2, 1/2], degree 5, near-minimax for relative error (weighted least squares by
// Lawson's iteration): 1.9e-7 max relative error evaluated in f32 (≈ 3 ulp).
const P1: f32 = 0.6931470036506653, P2: f32 = 0.24022242426872253, P3: f32 = 0.05550733581185341;
const P4: f32 = 0.009671512991189957, P5: f32 = 0.001326472731307149;

// The exp constants live in static memory and are loaded once per row: as v128.const they sit
// inside the loop, where V8 11.3 rebuilds each one (several instructions) on every iteration.
const K = memory.data<f32>([D_MIN, LOG2E, MAGIC, P5, P4, P3, P2, P1, 1.0]);

@inline function madd(a: v128, b: v128, c: v128, fma: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && fma) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * e^d for d ≤ 0 (d = x − max, exact near the max by Sterbenz): t = d·log2e = n + f with n an
 * integer and |f| ≤ 1/2, 2^f by the polynomial, 2^n added into the exponent bits (n ≥ −125, so
 * the result is a normal float). The rounding of t adds |t|·2^-24 relative: 1e-6 at d = −10,
 * where the term is 4.5e-5 of the largest. Below D_MIN the term is flushed to 0, so a −Inf
 * logit gets a gradient of exactly 0 (as torch), not 4e-38. NaN-free input (the caller handles
 * non-finite rows).
 */
@inline function expNonPositive(d: v128, dMin: v128, log2e: v128, magic: v128, p5: v128, p4: v128, p3: v128,
                                p2: v128, p1: v128, one: v128, fma: bool): v128 {
  const t = f32x4.mul(f32x4.pmax(d, dMin), log2e);
  const nm = f32x4.add(t, magic);
  const f = f32x4.sub(t, f32x4.sub(nm, magic));
  let p = madd(p5, f, p4, fma);
  p = madd(p, f, p3, fma);
  p = madd(p, f, p2, fma);
  p = madd(p, f, p1, fma);
  p = madd(p, f, one, fma);
  return v128.and(i32x4.add(p, i32x4.shl(i32x4.sub(nm, magic), 23)), f32x4.ge(d, dMin));
}

/** Row max; NaN if any element is NaN. pmax is one instruction where the NaN-propagating f32x4.max
 * is several on x86, so NaN is tracked on the side (x ≠ x). */
@inline function rowMax(x: usize, n: i32): f32 {
  let i = 4;
  let m: f32 = load<f32>(x);
  if (n >= 4) {
    let mv = v128.load(x);
    let nan = f32x4.ne(mv, mv);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      mv = f32x4.pmax(mv, v);
      nan = v128.or(nan, f32x4.ne(v, v));
    }
    const a = f32x4.pmax(mv, v128.shuffle<i32>(mv, mv, 2, 3, 0, 1));
    m = f32x4.extract_lane(f32x4.pmax(a, v128.shuffle<i32>(a, a, 1, 0, 3, 2)), 0);
    if (v128.any_true(nan)) m = NaN;
  } else i = 1;
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > m || v != v) m = v;
  }
  return m;
}

/** Σ e^{x_j − m}; stores the terms at d when d ≠ 0. */
@inline function expSum(x: usize, n: i32, m: f32, d: usize, fma: bool): f64 {
  const mv = f32x4.splat(m);
  const dMin = v128.load32_splat(K), log2e = v128.load32_splat(K, 4), magic = v128.load32_splat(K, 8);
  const p5 = v128.load32_splat(K, 12), p4 = v128.load32_splat(K, 16), p3 = v128.load32_splat(K, 20);
  const p2 = v128.load32_splat(K, 24), p1 = v128.load32_splat(K, 28), one = v128.load32_splat(K, 32);
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + BLOCK);
    let acc = f32x4.splat(0), acc2 = f32x4.splat(0);
    for (; i + 8 <= end; i += 8) { // two independent vectors per step: more work in flight
      const e = expNonPositive(f32x4.sub(v128.load(x + (<usize>i << 2)), mv), dMin, log2e, magic, p5, p4, p3, p2, p1, one, fma);
      const e2 = expNonPositive(f32x4.sub(v128.load(x + (<usize>i << 2), 16), mv), dMin, log2e, magic, p5, p4, p3, p2, p1, one, fma);
      if (d != 0) {
        v128.store(d + (<usize>i << 2), e);
        v128.store(d + (<usize>i << 2), e2, 16);
      }
      acc = f32x4.add(acc, e);
      acc2 = f32x4.add(acc2, e2);
    }
    for (; i + 4 <= end; i += 4) {
      const e = expNonPositive(f32x4.sub(v128.load(x + (<usize>i << 2)), mv), dMin, log2e, magic, p5, p4, p3, p2, p1, one, fma);
      if (d != 0) v128.store(d + (<usize>i << 2), e);
      acc = f32x4.add(acc, e);
    }
    acc = f32x4.add(acc, acc2);
    const h = f32x4.add(acc, v128.shuffle<i32>(acc, acc, 2, 3, 0, 1));
    total += <f64>f32x4.extract_lane(h, 0) + <f64>f32x4.extract_lane(h, 1);
  }
  for (; i < n; i++) {
    const xv = f32x4.splat(load<f32>(x + (<usize>i << 2)) - m);
    const e = f32x4.extract_lane(expNonPositive(xv, dMin, log2e, magic, p5, p4, p3, p2, p1, one, fma), 0);
    if (d != 0) store<f32>(d + (<usize>i << 2), e);
    total += <f64>e;
  }
  return total;
}

@inline function fillRow(d: usize, n: i32, v: f32): void {
  const vv = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), vv);
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), v);
}

@inline function scaleRow(d: usize, n: i32, k: f32): void {
  const kv = f32x4.splat(k);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), f32x4.mul(v128.load(d + (<usize>i << 2)), kv));
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(d + (<usize>i << 2)) * k);
}

/** The kernel body; contract in assembly/f32-softmaxce/scalar.ts. */
@inline
export function softmaxceRows(logits: usize, labels: usize, rows: i32, cols: i32, loss: usize, dlogits: usize,
                              scale: f32, fma: bool): void {
  for (let r = 0; r < rows; r++) {
    const x = logits + (<usize>r * <usize>cols << 2);
    const d: usize = dlogits == 0 ? 0 : dlogits + (<usize>r * <usize>cols << 2);
    const label = load<i32>(labels + (<usize>r << 2));
    const valid = label >= 0 && label < cols;
    const m = rowMax(x, cols);
    if (!isFinite(m)) { // NaN or ±Inf in the row: torch gives NaN there too
      store<f32>(loss + (<usize>r << 2), valid ? NaN : 0);
      if (d != 0) fillRow(d, cols, valid ? NaN : 0);
      continue;
    }
    const s = expSum(x, cols, m, d, fma);
    const xl = valid ? load<f32>(x + (<usize>label << 2)) : m;
    store<f32>(loss + (<usize>r << 2), valid ? <f32>(<f64>(m - xl) + Math.log(s)) : 0);
    if (d == 0) continue;
    scaleRow(d, cols, valid ? <f32>(<f64>scale / s) : 0);
    if (valid) store<f32>(d + (<usize>label << 2), load<f32>(d + (<usize>label << 2)) - scale);
  }
}
