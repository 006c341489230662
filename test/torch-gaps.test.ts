// scatterAdd with a src larger than the index (torch scatters src's leading block) and norm with
// p = 0 (count of nonzeros), against torch 1.13 values; their gradients by gradcheck.

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

await d.init();

test.each(['wasm', 'reference'] as const)('scatterAdd uses the leading index-shaped block of a larger src (%s)', (device) => {
  d.tidy(() => {
    const x = d.zeros([3, 4], { dtype: 'f64', device });
    const src = d.arange(1, 16, 1, { dtype: 'f64', device }).reshape([3, 5]);
    const idx = d.tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: 'i32', device });
    // torch 1.13: x.scatter_add(0, idx, src)
    expect(x.scatterAdd(0, idx, src).toArray()).toEqual([[1, 0, 0, 13], [0, 2, 8, 0], [6, 7, 3, 0]]);
  });
  const idx = d.tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: 'i32', device: 'reference' });
  expect(d.gradcheck((x: d.Tensor, s: d.Tensor) => x.scatterAdd(0, idx, s),
    [d.randn([3, 4], { dtype: 'f64', device: 'reference' }), d.randn([3, 5], { dtype: 'f64', device: 'reference' })])).toBe(true);
  const tooSmall = d.zeros([1, 4], { device });
  const big = d.zeros([3, 4], { device });
  expect(() => big.scatterAdd(0, d.tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: 'i32', device }), tooSmall)).toThrow(/≤ src's \[1, 4\]/);
  d.dispose([idx, tooSmall, big]);
});

test.each(['wasm', 'reference'] as const)('norm p = 0 counts nonzeros with a zero gradient (%s)', (device) => {
  const v = d.tensor([[0, 2, 0], [1, 0, -3]], { device, requiresGrad: true });
  const all = v.norm(0);
  expect(all.item()).toBe(3); // torch.linalg.vector_norm(v, 0)
  expect(all.dtype).toBe('f32');
  expect(v.norm(0, 1).toArray()).toEqual([1, 2]);
  all.backward();
  expect(Array.from(v.grad!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  expect(() => v.norm(-1)).toThrow(/p ≥ 0/);
});
