// logSoftmax and the unfused crossEntropy keep full f32 accuracy at extreme logits (torch 1.13
// values: log_softmax([[3.4e38, 3.4e38, 0], [1e4, -1e4, 0]]) and their cross entropies).

import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

await d.init();

test.each(['wasm', 'reference'] as const)('extreme logits on %s', (device) => {
  d.tidy(() => {
    const x = d.tensor([[3.4e38, 3.4e38, 0], [1e4, -1e4, 0]], { device });
    const l = Array.from(d.nn.functional.logSoftmax(x, 1).dataSync());
    expect(l[0]).toBeCloseTo(-Math.LN2, 6);
    expect(l[1]).toBeCloseTo(-Math.LN2, 6);
    expect(l[2] / -3.4e38).toBeCloseTo(1, 6);
    expect(l.slice(3)).toEqual([0, -20000, -10000]);
    const labels = d.tensor([0, 2], { dtype: 'i32', device });
    // unfused path (class weights force the composite even on wasm) and the default path
    const weighted = d.nn.functional.crossEntropy(x, labels, { reduction: 'none', weight: d.ones([3], { device }) });
    const plain = d.nn.functional.crossEntropy(x, labels, { reduction: 'none' });
    for (const t of [weighted, plain]) {
      const [a, b] = Array.from(t.dataSync());
      expect(a).toBeCloseTo(Math.LN2, 6);
      expect(b).toBe(10000);
    }
    const allInf = d.nn.functional.logSoftmax(d.full([1, 3], -Infinity, { device }), 1).dataSync();
    expect(Array.from(allInf).every(Number.isNaN)).toBe(true); // torch: nan
  });
});
