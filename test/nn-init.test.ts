// nn.init: exact gains and fans (against torch), sample statistics of every initializer, the
// default inits of Linear/Conv2d/Embedding/MultiheadAttention, orthogonality and seeding.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { DescentError } from '../ts/errors.js';
import { erfinv } from '../ts/nn/erfinv.js';
import { erf } from '../ts/math/special.js';
import { fixture } from './nn-helpers.js';

const { nn } = d;
const { init } = nn;
const REF = { device: 'reference' } as const;

function stats(t: d.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (v.length - 1)), min: Math.min(...v), max: Math.max(...v) };
}

describe('gains and fans are torch\'s exactly', () => {
  it('calculateGain', () => {
    for (const [k, g] of Object.entries(fixture.gains as Record<string, number>)) {
      const got = k === 'leaky_relu_0.2' ? init.calculateGain('leaky_relu', 0.2) : init.calculateGain(k as never);
      expect(got, k).toBe(g);
    }
    expect(() => init.calculateGain('swish' as never)).toThrow(DescentError);
  });

  it('calculateFanInAndFanOut', () => {
    for (const [s, fans] of Object.entries(fixture.fans as Record<string, number[]>)) {
      const shape = s.replace(/[()]/g, '').split(',').map(Number);
      expect(init.calculateFanInAndFanOut({ shape }), s).toEqual(fans);
    }
    expect(() => init.calculateFanInAndFanOut({ shape: [5] })).toThrow(/at least 2 dims.*\[5\]/);
  });
});

describe('sample statistics (n = 40000)', () => {
  const big = () => d.zeros([200, 200], REF);

  it('uniform, normal and constant', () => {
    const u = stats(init.uniform(big(), -2, 4));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(4);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.std).toBeCloseTo(6 / Math.sqrt(12), 1);
    const n = stats(init.normal(big(), 3, 0.5));
    expect(Math.abs(n.mean - 3)).toBeLessThan(0.01);
    expect(Math.abs(n.std - 0.5)).toBeLessThan(0.01);
    expect(new Set(init.constant(d.zeros([3], REF), 7).dataSync())).toEqual(new Set([7]));
  });

  it('xavier and kaiming follow their std formulas', () => {
    const w = () => d.zeros([100, 400], REF); // fanIn 400, fanOut 100
    const cases: [d.Tensor, number][] = [
      [init.xavierUniform(w(), 2), 2 * Math.sqrt(2 / 500)],
      [init.xavierNormal(w()), Math.sqrt(2 / 500)],
      [init.kaimingUniform(w(), { nonlinearity: 'relu' }), Math.SQRT2 / Math.sqrt(400)],
      [init.kaimingNormal(w(), { mode: 'fanOut', nonlinearity: 'relu' }), Math.SQRT2 / Math.sqrt(100)],
      [init.kaimingNormal(w(), { a: 0.2 }), Math.sqrt(2 / 1.04) / 20],
    ];
    for (const [t, std] of cases) {
      const s = stats(t);
      expect(Math.abs(s.mean)).toBeLessThan(0.03 * std);
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.02);
    }
    const bound = Math.sqrt(6 / 500);
    const xu = stats(init.xavierUniform(w()));
    expect(xu.max).toBeLessThanOrEqual(bound);
    expect(xu.min).toBeGreaterThanOrEqual(-bound);
    expect(() => init.kaimingUniform(w(), { mode: 'fan_in' as never })).toThrow(/mode must be 'fanIn' or 'fanOut'/);
  });

  it('truncNormal stays in [a, b] with the truncated moments', () => {
    const s = stats(init.truncNormal(big(), 1, 2, -1, 2));
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThanOrEqual(2);
    // Truncated normal on α = -1, β = 0.5 (standardized): mean = μ + σ(φ(α) − φ(β))/Z.
    const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
    const z = cdf(0.5) - cdf(-1);
    const mean = 1 + 2 * (phi(-1) - phi(0.5)) / z;
    const variance = 4 * (1 + (-1 * phi(-1) - 0.5 * phi(0.5)) / z - ((phi(-1) - phi(0.5)) / z) ** 2);
    expect(Math.abs(s.mean - mean)).toBeLessThan(0.01);
    expect(Math.abs(s.std - Math.sqrt(variance))).toBeLessThan(0.01);
  });

  it('erfinv inverts erf', () => {
    for (const z of [-0.999999, -0.9, -0.3, 1e-9, 0.5, 0.99, 0.9999999]) expect(erf(erfinv(z))).toBeCloseTo(z, 14);
    expect(erfinv(1)).toBe(Infinity);
    expect(erfinv(0)).toBe(0);
  });
});

describe('orthogonal', () => {
  const gram = (t: d.Tensor, rows: boolean) => (rows ? t.matmul(t.transpose()) : t.transpose().matmul(t));
  for (const [shape, rows] of [[[4, 9], true], [[9, 4], false], [[3, 2, 2, 2], true]] as [number[], boolean][]) {
    it(`${shape.join('x')} has orthonormal ${rows ? 'rows' : 'columns'} (× gain)`, () => {
      const w = init.orthogonal(d.zeros(shape, { ...REF, dtype: 'f64' }), 1.5).reshape([shape[0], -1]);
      const g = gram(w, rows).dataSync();
      const n = Math.sqrt(g.length);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(g[i * n + j]).toBeCloseTo(i === j ? 2.25 : 0, 12);
    });
  }
});

describe('default layer inits follow PyTorch', () => {
  it('Linear and Conv2d: U(±1/√fanIn) weights and biases', () => {
    const lin = new nn.Linear(64, 300, REF);
    const conv = new nn.Conv2d(8, 200, 3, { groups: 2, ...REF }); // fanIn 4·9 = 36
    for (const [t, fanIn] of [[lin.weight, 64], [lin.bias!, 64], [conv.weight, 36], [conv.bias!, 36]] as [d.Tensor, number][]) {
      const s = stats(t);
      const b = 1 / Math.sqrt(fanIn);
      expect(s.max).toBeLessThanOrEqual(b);
      expect(s.min).toBeGreaterThanOrEqual(-b);
      if (t.size > 1000) expect(Math.abs(s.std / (b / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    }
  });

  it('Embedding: N(0, 1) with a zero padding row', () => {
    const e = new nn.Embedding(500, 40, { paddingIdx: -1, ...REF });
    expect(e.paddingIdx).toBe(499);
    const rows = e.weight.toArray() as number[][];
    expect(rows[499].every((v) => v === 0)).toBe(true);
    const s = stats(e.weight.narrow(0, 0, 499));
    expect(Math.abs(s.mean)).toBeLessThan(0.02);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.02);
  });

  it('MultiheadAttention: xavier in-projection, zero biases; LayerNorm/BatchNorm ones and zeros', () => {
    const m = new nn.MultiheadAttention(32, 4, REF);
    const b = Math.sqrt(6 / (96 + 32));
    const s = stats(m.param('in_proj_weight')!);
    expect(s.max).toBeLessThanOrEqual(b);
    expect(Math.abs(s.std / (b / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    expect(new Set(m.param('in_proj_bias')!.dataSync())).toEqual(new Set([0]));
    expect(new Set(m.outProj.bias!.dataSync())).toEqual(new Set([0]));
    const ln = new nn.LayerNorm([2, 3], REF);
    expect(new Set(ln.weight!.dataSync())).toEqual(new Set([1]));
    expect(new Set(ln.bias!.dataSync())).toEqual(new Set([0]));
  });

  it('the same seed gives the same weights', () => {
    d.manualSeed(42);
    const a = new nn.Linear(5, 5, REF).weight.toArray();
    d.manualSeed(42);
    expect(new nn.Linear(5, 5, REF).weight.toArray()).toEqual(a);
  });
});
