// Tensors print as PyTorch prints them (the bodies are checked against torch 1.13's str() in
// fixtures/print.json, made by fixtures/gen_print.py), and serialize to JSON with their values.

import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import * as d from '../ts/index.js';

interface PrintCase { name: string; dtype: 'f32' | 'i32'; shape: number[]; data: (number | string)[]; body: string }
const fx = JSON.parse(readFileSync(new URL('./fixtures/print.json', import.meta.url), 'utf8')) as { cases: PrintCase[] };

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

test.each(fx.cases.map((c) => [c.name, c] as const))('prints %s as torch does', (_, c) => {
  const values = c.data.map(Number);
  const t = d.tensor(c.dtype === 'i32' ? Int32Array.from(values) : Float32Array.from(values), { shape: c.shape });
  const text = t.toString();
  expect(text.slice('tensor('.length, text.indexOf(', dtype='))).toBe(c.body);
  expect(text.endsWith(`, dtype=${c.dtype}, device=wasm)`)).toBe(true);
  t.dispose();
});

test('the header names dtype, device and the autograd state; console.log and util.inspect print the same', () => {
  const w = d.tensor([[0.1, 0.2], [0.3, 0.4]], { requiresGrad: true });
  expect(w.toString()).toBe('tensor([[0.1000, 0.2000],\n        [0.3000, 0.4000]], dtype=f32, device=wasm, requiresGrad=true)');
  const y = w.mul(2).sum();
  expect(String(y)).toBe('tensor(2., dtype=f32, device=wasm, gradFn=sum)');
  expect(inspect(y)).toBe(y.toString());
  expect(inspect({ y })).toContain('tensor(2., dtype=f32');
  const r = d.ones([2], { dtype: 'f64', device: 'reference' });
  expect(`${r}`).toBe('tensor([1., 1.], dtype=f64, device=reference)');
  d.dispose([w, y, r]);
});

test('toString({ read: false }) prints no values; disposed and empty tensors print without throwing', () => {
  const t = d.randn([3, 4]);
  expect(t.toString({ read: false })).toBe('tensor(<not read>, shape=[3, 4], dtype=f32, device=wasm)');
  t.dispose();
  expect(t.toString()).toBe('tensor(<disposed>, shape=[3, 4])');
  const e = d.zeros([0, 3]);
  expect(e.toString()).toBe('tensor([], shape=[0, 3], dtype=f32, device=wasm)');
  expect(() => e.toString({ reed: true } as never)).toThrow(/toString: unknown option 'reed'/);
  expect(() => e.toString({ read: 1 } as never)).toThrow(/option 'read' expected a boolean, got 1/);
  e.dispose();
});

test('JSON.stringify(model.stateDict()) keeps the values, and loadStateDict reads them back', () => {
  const { nn } = d;
  const a = new nn.Linear(3, 2);
  const b = new nn.Linear(3, 2);
  const sd = a.stateDict();
  const text = JSON.stringify(sd);
  expect(JSON.parse(text).bias).toEqual({ dtype: 'f32', shape: [2], data: Array.from(a.bias!.dataSync()) });
  b.loadStateDict(JSON.parse(text));
  expect(b.weight.toArray()).toEqual(a.weight.toArray());
  expect(JSON.stringify(a.stateDictJson())).toBe(text);
  const odd = d.tensor([NaN, -Infinity, 1.5], { dtype: 'f64' });
  expect(JSON.parse(JSON.stringify(odd))).toEqual({ dtype: 'f64', shape: [3], data: ['NaN', '-Infinity', 1.5] });
  d.dispose([sd, a.parameters(), b.parameters(), odd]);
});
