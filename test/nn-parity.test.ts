// nn layers against PyTorch 1.13 in f64 (test/fixtures/nn.json from gen_nn.py): torch's state dict
// is loaded with loadStateDict, then forward outputs and the gradients of sum(out·g) with respect to
// the input and every parameter must match.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import type { AnyModule } from '../ts/nn/index.js';
import { F64, type JT, expectClose, fixture, fromJT, jsonState } from './nn-helpers.js';

const { nn } = d;

interface Case {
  name: string; args: Record<string, unknown>; state: Record<string, JT>; inputs: JT[];
  out: JT; g: JT; inputGrads: (JT | null)[]; paramGrads: Record<string, JT>;
  hN?: JT; cN?: JT; weights?: JT;
}

const pairOf = (v: unknown) => (Array.isArray(v) ? (v as [number, number]) : (v as number));

/** Our module for a fixture case, and how to call it (returning the compared output first). */
function build(c: Case): { m: AnyModule; run: (xs: d.Tensor[]) => d.Tensor[] } {
  const a = c.args as Record<string, never>;
  const one = (m: AnyModule) => ({ m, run: (xs: d.Tensor[]) => [m.call(...xs)] });
  const kind = c.name.split('_')[0];
  switch (kind) {
    case 'linear': return one(new nn.Linear(a.in, a.out, { bias: a.bias ?? true, ...F64 }));
    case 'conv2d':
      return one(new nn.Conv2d(a.in, a.out, pairOf(a.k), {
        stride: pairOf(a.stride ?? 1), padding: typeof a.padding === 'string' ? a.padding : pairOf(a.padding ?? 0), dilation: pairOf(a.dilation ?? 1),
        groups: a.groups ?? 1, bias: a.bias ?? true, ...F64,
      }));
    case 'maxpool':
      return one(new nn.MaxPool2d(a.kernel_size, { stride: a.stride ?? null, padding: a.padding ?? 0, dilation: a.dilation ?? 1, ceilMode: a.ceil_mode ?? false }));
    case 'avgpool':
      return one(new nn.AvgPool2d(a.kernel_size, {
        stride: a.stride ?? null, padding: a.padding ?? 0, ceilMode: a.ceil_mode ?? false,
        countIncludePad: a.count_include_pad ?? true, divisorOverride: a.divisor_override ?? null,
      }));
    case 'layernorm': return one(new nn.LayerNorm(a.shape, { eps: a.eps ?? 1e-5, elementwiseAffine: a.elementwiseAffine ?? true, ...F64 }));
    case 'embedding': return one(new nn.Embedding(a.num, a.dim, { paddingIdx: a.paddingIdx, ...F64 }));
    case 'rnn': {
      const m = new nn.RNN(a.in, a.hidden, { numLayers: a.numLayers ?? 1, nonlinearity: a.nonlinearity ?? 'tanh', batchFirst: a.batchFirst ?? false, ...F64 });
      return { m, run: (xs) => [m.call(xs[0], xs[1] ?? null)[0]] };
    }
    case 'lstm': {
      const m = new nn.LSTM(a.in, a.hidden, { numLayers: a.numLayers, batchFirst: a.batchFirst, ...F64 });
      return { m, run: (xs) => { const [o, [h, cc]] = m.call(xs[0]); return [o, h, cc]; } };
    }
    case 'mha': {
      const m = new nn.MultiheadAttention(a.embed, a.heads, { batchFirst: a.batchFirst ?? false, ...F64 });
      if (c.name === 'mha_causal') return { m, run: (xs) => { const [o, w] = m.call(xs[0], xs[0], xs[0], { isCausal: true }); return [o, w!]; } };
      const opts = { attnMask: fromJT(a.attnMask), keyPaddingMask: fromJT(a.keyPaddingMask, 'i32'), averageAttnWeights: false };
      return { m, run: (xs) => { const [o, w] = m.call(xs[0], xs[1], xs[1], opts); return [o, w!]; } };
    }
    case 'transformer': return one(new nn.TransformerBlock(a.dModel, a.heads, { dimFeedforward: a.ff, ...F64 }));
    default: throw new Error(`unknown fixture case ${c.name}`);
  }
}

describe('nn layers match PyTorch (f64, forward and gradients)', () => {
  it('MultiheadAttention: a boolean attnMask (true = masked) equals isCausal', () => {
    const m = new nn.MultiheadAttention(8, 2, F64);
    const x = d.randn([4, 1, 8], F64);
    const mask = d.tensor([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]], { dtype: 'i32', device: 'reference' });
    const [a] = m.call(x, x, x, { attnMask: mask, needWeights: false });
    const [b] = m.call(x, x, x, { isCausal: true });
    expect(a.toArray()).toEqual(b.toArray());
  });

  for (const c of fixture.cases as Case[]) {
    it(c.name, () => {
      const { m, run } = build(c);
      m.loadStateDict(jsonState(c.state));
      const xs = c.inputs.map((j, i) => {
        const isInt = c.name.startsWith('embedding');
        const t = fromJT(j, isInt ? 'i32' : 'f64');
        if (c.inputGrads[i] !== null) t.requiresGrad = true;
        return t;
      });
      const outs = run(xs);
      expectClose(outs[0], c.out, `${c.name} output`);
      if (c.hN) expectClose(outs[1], c.hN, `${c.name} hN`);
      if (c.cN) expectClose(outs[2], c.cN, `${c.name} cN`);
      if (c.weights) expectClose(outs[1], c.weights, `${c.name} attention weights`);
      outs[0].mul(fromJT(c.g)).sum().backward();
      c.inputGrads.forEach((g, i) => { if (g) expectClose(xs[i].grad, g, `${c.name} input ${i} grad`); });
      const params = new Map(m.namedParameters());
      expect(new Set(params.keys())).toEqual(new Set(Object.keys(c.paramGrads)));
      for (const [k, g] of Object.entries(c.paramGrads)) expectClose(params.get(k)!.grad, g, `${c.name} ${k}.grad`);
      m.dispose();
    });
  }
});

interface BnStep { x: JT; out: JT; g: JT; inputGrads: JT[]; paramGrads: Record<string, JT>; runningMean: JT | null; runningVar: JT | null }
interface BnCase { name: string; args: Record<string, never>; state: Record<string, JT>; steps: BnStep[]; eval: BnStep }

describe('BatchNorm matches PyTorch over train steps, then eval', () => {
  for (const c of fixture.batchnorm as BnCase[]) {
    it(c.name, () => {
      const a = c.args;
      const opts = { momentum: a.momentum === undefined ? 0.1 : a.momentum, eps: a.eps ?? 1e-5, affine: a.affine ?? true, trackRunningStats: a.trackRunningStats ?? true, ...F64 };
      const m = c.name.startsWith('batchnorm1d') ? new nn.BatchNorm1d(a.C, opts) : new nn.BatchNorm2d(a.C, opts);
      m.loadStateDict(jsonState(c.state));
      const check = (s: BnStep, tag: string) => {
        const x = fromJT(s.x);
        x.requiresGrad = true;
        const y = m.call(x);
        expectClose(y, s.out, `${tag} output`);
        y.mul(fromJT(s.g)).sum().backward();
        expectClose(x.grad, s.inputGrads[0], `${tag} input grad`);
        for (const [k, g] of Object.entries(s.paramGrads)) expectClose(m.param(k)!.grad, g, `${tag} ${k}.grad`);
        if (s.runningMean) expectClose(m.runningMean, s.runningMean, `${tag} running mean`);
        if (s.runningVar) expectClose(m.runningVar, s.runningVar, `${tag} running var`);
        m.zeroGrad();
      };
      m.train();
      c.steps.forEach((s, i) => check(s, `${c.name} step ${i}`));
      if (opts.trackRunningStats) expect(m.numBatchesTracked!.item()).toBe(c.steps.length);
      m.eval();
      check(c.eval, `${c.name} eval`);
    });
  }
});

describe('activation modules and max-pool ties match PyTorch', () => {
  const acts = fixture.activations as Record<string, Case> & { x: JT };
  const mods: Record<string, () => AnyModule> = {
    relu: () => new nn.ReLU(), gelu: () => new nn.GELU(), gelu_tanh: () => new nn.GELU({ approximate: 'tanh' }),
    tanh: () => new nn.Tanh(), sigmoid: () => new nn.Sigmoid(), silu: () => new nn.SiLU(),
    softmax1: () => new nn.Softmax(1), logsoftmax0: () => new nn.LogSoftmax(0),
  };
  for (const [name, make] of Object.entries(mods)) {
    it(name, () => {
      const c = acts[name];
      const x = fromJT(acts.x);
      x.requiresGrad = true;
      const y = make().call(x);
      expectClose(y, c.out, `${name} output`);
      y.mul(fromJT(c.g)).sum().backward();
      expectClose(x.grad, c.inputGrads[0]!, `${name} grad`);
    });
  }

  it('maxPool2d sends a tied window\'s gradient to its first maximum, as torch', () => {
    const c = fixture.maxpoolTies as Case & { x: JT };
    const x = fromJT(c.x);
    x.requiresGrad = true;
    const y = new nn.MaxPool2d(2).call(x);
    expectClose(y, c.out, 'ties output');
    y.mul(fromJT(c.g)).sum().backward();
    expectClose(x.grad, c.inputGrads[0]!, 'ties grad');
  });
});
