// How tensors print (console.log, util.inspect, String(t)): values laid out as PyTorch lays them
// out — nested brackets, one width for every element, 4 decimals or scientific notation when the
// magnitudes call for it, at most 80 columns — and summarized with `...` past 1,000 elements.
// Reading values is a sync read; devices without one (webgpu) print their header unless asked.

import type { Tensor } from './tensor.js';
import { contiguousStrides } from './backend/view.js';
import { fmtShape } from './errors.js';

export interface PrintOptions {
  /** Read and print the values (default: true where a synchronous read exists, not on webgpu). */
  read?: boolean;
}

/** Past this many elements only the first and last EDGE items of each dim are shown. */
const THRESHOLD = 1000;
const EDGE = 3;
const LINE_WIDTH = 80;

/** Indices shown along a dim of length n (-1 marks the `...`). */
function shown(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

/** |x| = digits × 10^exp10 exactly (a double is m·2^e, and m·2^-k = m·5^k·10^-k). */
function exactDecimal(x: number): { digits: bigint; exp10: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0), biased = (hi >>> 20) & 0x7ff;
  const m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4)) | (biased === 0 ? 0n : 1n << 52n);
  const e = Math.max(biased, 1) - 1075;
  return e >= 0 ? { digits: m << BigInt(e), exp10: 0 } : { digits: m * 5n ** BigInt(-e), exp10: e };
}

/** n / 10^drop rounded half to even (Python's rule; JavaScript's toFixed rounds ties up). */
function roundEven(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const unit = 10n ** BigInt(drop), q = n / unit, r = (n % unit) * 2n;
  return r > unit || (r === unit && q % 2n === 1n) ? q + 1n : q;
}

/** Python's '{:.4f}' and '{:.4e}' of a finite double, exact. */
function pyFormat(x: number, sci: boolean, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { digits: n, exp10 } = exactDecimal(x);
  if (!sci) {
    const s = roundEven(n, -exp10 - digits).toString().padStart(digits + 1, '0');
    return `${sign}${s.slice(0, s.length - digits)}${digits > 0 ? `.${s.slice(s.length - digits)}` : ''}`;
  }
  let e10 = n === 0n ? 0 : n.toString().length - 1 + exp10;
  let m = roundEven(n, e10 - exp10 - digits);
  if (m.toString().length > digits + 1) {
    m /= 10n;
    e10++;
  }
  const s = m.toString().padStart(digits + 1, '0');
  return `${sign}${s[0]}.${s.slice(1)}e${e10 < 0 ? '-' : '+'}${String(Math.abs(e10)).padStart(2, '0')}`;
}

/**
 * PyTorch's element formatter and width: integral floats as `3.`, else 4 decimals, scientific
 * when nonzero magnitudes span more than 1000× or leave [1e-4, 1e8]; widths count nonzero finite
 * values only (integers: every value).
 */
function formatter(values: number[], isInt: boolean): { fmt: (v: number) => string; width: number } {
  if (isInt) return { fmt: String, width: Math.max(...values.map((v) => String(v).length)) };
  const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0);
  const abs = nonzero.map(Math.abs);
  const max = Math.max(0, ...abs), min = Math.min(Infinity, ...abs);
  const integral = nonzero.every(Number.isInteger);
  const sci = nonzero.length > 0 && (max / min > 1000 || max > 1e8 || (!integral && min < 1e-4));
  const finite = (v: number): string => (sci ? pyFormat(v, true, 4) : integral ? `${pyFormat(v, false, 0)}.` : pyFormat(v, false, 4));
  const fmt = (v: number): string => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : finite(v));
  return { fmt, width: Math.max(1, ...nonzero.map((v) => finite(v).length)) };
}

function body(t: Tensor, indent: number): string {
  const data = t.dataSync();
  const shape = t.shape;
  if (shape.length === 0) return formatter([data[0]], t.dtype === 'i32').fmt(data[0]);
  if (t.size === 0) return '[]';
  const summarize = t.size > THRESHOLD;
  const strides = contiguousStrides(shape);
  // Every element that will be printed, to size the common format and width.
  const picked: number[] = [];
  const gather = (dim: number, off: number): void => {
    for (const i of shown(shape[dim], summarize)) {
      if (i < 0) continue;
      if (dim === shape.length - 1) picked.push(data[off + i]);
      else gather(dim + 1, off + i * strides[dim]);
    }
  };
  gather(0, 0);
  const { fmt, width } = formatter(picked, t.dtype === 'i32');
  const cell = (v: number): string => fmt(v).padStart(width);
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent - shape.length + 1) / (width + 2)));
  const render = (dim: number, off: number): string => {
    const pad = ' '.repeat(indent + dim + 1);
    const idx = shown(shape[dim], summarize);
    if (dim === shape.length - 1) {
      const cells = idx.map((i) => (i < 0 ? ' ...' : cell(data[off + i])));
      const lines: string[] = [];
      for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${pad}`)}]`;
    }
    const rows = idx.map((i) => (i < 0 ? '...' : render(dim + 1, off + i * strides[dim])));
    return `[${rows.join(`,${'\n'.repeat(shape.length - dim - 1)}${pad}`)}]`;
  };
  return render(0, 0);
}

/**
 * `tensor([[0.1000, 0.2000], ...], dtype=f32, device=wasm, requiresGrad=true)`: the values (or,
 * unread, the shape) then dtype, device, and the autograd state when there is one.
 */
export function formatTensor(t: Tensor, opts: PrintOptions = {}): string {
  if (t.isDisposed) return `tensor(<disposed>, shape=${fmtShape(t.shape)})`;
  const read = opts.read ?? t.device !== 'webgpu';
  const values = read ? body(t, 'tensor('.length) : `<not read>, shape=${fmtShape(t.shape)}`;
  const tail = [`dtype=${t.dtype}`, `device=${t.device}`];
  if (read && t.size === 0 && t.ndim !== 1) tail.unshift(`shape=${fmtShape(t.shape)}`);
  if (t.gradFn !== null) tail.push(`gradFn=${t.gradFn.name}`);
  else if (t.requiresGrad) tail.push('requiresGrad=true');
  return `tensor(${values}, ${tail.join(', ')})`;
}
