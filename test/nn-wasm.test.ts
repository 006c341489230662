// Layers on the wasm device agree with the reference device (f32, same weights via a cross-device
// loadStateDict), forward and backward; Sequential's fused Linear → ReLU/GELU gives the unfused
// chain's bits; and a tiny character-level transformer LM trains on wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { Adam } from '../ts/optim/index.js';
import type { AnyModule } from '../ts/nn/index.js';
import { expectSameBits } from './helpers/compare.js';

const { nn } = d;
const F = nn.functional;

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

type Make = (device: 'wasm' | 'reference') => { m: AnyModule; x: () => d.Tensor; out: (y: unknown) => d.Tensor };

const cases: [string, Make][] = [
  ['Conv2d + BatchNorm2d + MaxPool2d', (device) => ({
    m: new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1, stride: [1, 2], device }), new nn.BatchNorm2d(4, { device }), new nn.ReLU(), new nn.MaxPool2d(2, { padding: 1 })),
    x: () => d.randn([2, 3, 6, 7], { device }), out: (y) => y as d.Tensor,
  })],
  ['AvgPool2d + grouped dilated Conv2d', (device) => ({
    m: new nn.Sequential(new nn.Conv2d(4, 4, 3, { groups: 2, dilation: 2, padding: 2, device }), new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false })),
    x: () => d.randn([1, 4, 7, 5], { device }), out: (y) => y as d.Tensor,
  })],
  ['LSTM', (device) => ({ m: new nn.LSTM(3, 5, { numLayers: 2, batchFirst: true, device }), x: () => d.randn([2, 4, 3], { device }), out: (y) => (y as [d.Tensor])[0] })],
  ['TransformerBlock', (device) => ({ m: new nn.TransformerBlock(8, 2, { device }), x: () => d.randn([2, 5, 8], { device }), out: (y) => y as d.Tensor })],
];

function close(a: d.Tensor, b: d.Tensor, what: string): void {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i]), `${what}[${i}]: ${x[i]} vs ${y[i]}`).toBeLessThan(1e-4 + 1e-4 * Math.abs(y[i]));
}

describe('wasm matches the reference device', () => {
  for (const [name, make] of cases) {
    it(name, () => {
      d.manualSeed(3);
      const ref = make('reference');
      d.manualSeed(3);
      const xr = ref.x();
      const was = make('wasm');
      was.m.loadStateDict(ref.m.stateDict()); // copies across devices
      const xw = xr.to('wasm').detach();
      xr.requiresGrad = true;
      xw.requiresGrad = true;
      const yr = ref.out(ref.m.call(xr));
      const yw = was.out(was.m.call(xw));
      expect(yw.device).toBe('wasm');
      close(yw, yr, `${name} output`);
      yr.square().sum().backward();
      yw.square().sum().backward();
      close(xw.grad!, xr.grad!, `${name} input grad`);
      const pr = ref.m.namedParameters();
      was.m.namedParameters().forEach(([n, p], i) => close(p.grad!, pr[i][1].grad!, `${name} ${n}.grad`));
      for (const [n, b] of was.m.namedBuffers()) close(b, ref.m.namedBuffers().find(([k]) => k === n)![1], `${name} buffer ${n}`);
      ref.m.dispose();
      was.m.dispose();
    });
  }
});

describe('Module.to(device)', () => {
  it('moves parameters and buffers to wasm as leaves, same outputs', () => {
    const m = new nn.Sequential(new nn.Linear(3, 4, { device: 'reference' }), new nn.BatchNorm1d(4, { device: 'reference' })).eval();
    const x = d.randn([2, 3], { device: 'reference' });
    const yr = m.call(x);
    m.to('wasm');
    expect([...m.parameters(), ...m.buffers()].every((t) => t.device === 'wasm')).toBe(true);
    expect(m.parameters().every((p) => p.requiresGrad && p.gradFn === null)).toBe(true);
    close(m.call(x.to('wasm')), yr, 'moved output');
    m.dispose();
  });
});

class CharLM extends nn.Module<[d.Tensor]> {
  readonly tok: InstanceType<typeof nn.Embedding>;
  readonly pos: InstanceType<typeof nn.Embedding>;
  readonly block: InstanceType<typeof nn.TransformerBlock>;
  readonly ln: InstanceType<typeof nn.LayerNorm>;
  readonly head: InstanceType<typeof nn.Linear>;

  constructor(vocab: number, ctx: number, dim: number) {
    super();
    this.tok = this.registerModule('tok', new nn.Embedding(vocab, dim));
    this.pos = this.registerModule('pos', new nn.Embedding(ctx, dim));
    this.block = this.registerModule('block', new nn.TransformerBlock(dim, 2));
    this.ln = this.registerModule('ln', new nn.LayerNorm(dim));
    this.head = this.registerModule('head', new nn.Linear(dim, vocab));
  }

  forward(idx: d.Tensor): d.Tensor {
    const positions = d.arange(idx.shape[1], undefined, 1, { device: idx.device });
    const h = this.tok.forward(idx).add(this.pos.forward(positions));
    return this.head.forward(this.ln.forward(this.block.forward(h)));
  }
}

describe('a tiny character-level language model', () => {
  it('learns a repeating text on wasm (loss falls by more than 3×)', () => {
    d.manualSeed(0);
    const text = 'hello descent! '.repeat(8);
    const chars = [...new Set(text)];
    const ids = [...text].map((c) => chars.indexOf(c));
    const ctx = 8;
    const model = new CharLM(chars.length, ctx, 16);
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const batch = (start: number) => {
      const starts = [0, 1, 2, 3].map((k) => (start + 5 * k) % (ids.length - ctx - 1));
      const x = d.tensor(starts.map((s) => ids.slice(s, s + ctx)), { dtype: 'i32' });
      const y = d.tensor(starts.map((s) => ids.slice(s + 1, s + ctx + 1)), { dtype: 'i32' });
      return [x, y];
    };
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const loss = d.tidy(() => {
        const [x, y] = batch(step * 3);
        const logp = F.logSoftmax(model.call(x), -1);
        const l = logp.gather(2, y.unsqueeze(2)).mean().neg();
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.item();
      });
      losses.push(loss);
    }
    expect(losses[0]).toBeGreaterThan(Math.log(chars.length) * 0.8);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 3);
    model.dispose();
  });
});

describe('Sequential fuses a Linear and the ReLU/GELU after it into one GEMM', () => {
  /** Output and gradients (input, then every parameter) through `run`, as plain arrays. */
  function outputs(m: AnyModule, x0: d.Tensor, run: (x: d.Tensor) => d.Tensor): Float32Array[] {
    const x = x0.detach().requiresGrad_();
    m.zeroGrad();
    const y = run(x);
    y.square().sum().backward();
    const out = [y, x.grad!, ...m.parameters().map((p) => p.grad!)].map((t) => t.dataSync() as Float32Array);
    d.dispose([x, y]);
    return out;
  }
  /** The unfused chain: each child's own forward in turn. */
  const chained = (m: AnyModule) => (x: d.Tensor) => m.children().reduce((y, c) => c.forward(y) as d.Tensor, x);
  /** backend calls of one forward pass under no_grad. */
  const callsOf = (m: AnyModule, x: d.Tensor) => {
    const p = d.startProfile();
    d.tidy(() => d.noGrad(() => m.call(x)));
    return p.stop().calls;
  };

  it('gives the bits of the unfused chain, forward and every gradient, with one GEMM per Linear and no activation op', () => {
    d.manualSeed(8);
    for (const [batch, hidden] of [[1, 3], [17, 130], [130, 10], [257, 17]]) {
      const m = new nn.Sequential(new nn.Flatten(), new nn.Linear(12, hidden), new nn.ReLU(), new nn.Linear(hidden, 10), new nn.GELU(),
        new nn.Linear(10, 3, { bias: false }), new nn.ReLU());
      const x = d.randn([batch, 3, 4]);
      const fused = outputs(m, x, (t) => m.call(t)), want = outputs(m, x, chained(m));
      fused.forEach((v, i) => expectSameBits(v, want[i]));
      const calls = callsOf(m, x);
      expect(calls.matmulBiasAct).toBe(3);
      expect((calls.unary ?? 0) + (calls.binary ?? 0) + (calls.matmul ?? 0)).toBe(0);
      m.dispose(); x.dispose();
    }
  });

  it('leaves tanh-GELU, Linear subclasses and 3-d inputs to the unfused chain, with the same results', () => {
    class Scaled extends nn.Linear { override forward(x: d.Tensor) { return super.forward(x).mul(2); } }
    const cases: [AnyModule, number[]][] = [
      [new nn.Sequential(new nn.Linear(5, 6), new nn.GELU({ approximate: 'tanh' })), [4, 5]],
      [new nn.Sequential(new Scaled(5, 6), new nn.ReLU()), [4, 5]],
      [new nn.Sequential(new nn.Linear(5, 6), new nn.GELU()), [2, 4, 5]],
    ];
    for (const [m, shape] of cases) {
      const x = d.randn(shape);
      const fused = outputs(m, x, (t) => m.call(t)), want = outputs(m, x, chained(m));
      fused.forEach((v, i) => expectSameBits(v, want[i]));
      expect(callsOf(m, x).unary).toBeGreaterThan(0);
      m.dispose(); x.dispose();
    }
  });

  it('keeps the module tree: children, state dict keys and printing are those of the layers given', () => {
    const m = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(String(m)).toBe('Sequential(\n  (0): Linear(inFeatures=4, outFeatures=8, bias=true)\n  (1): ReLU()\n  (2): Linear(inFeatures=8, outFeatures=2, bias=true)\n)');
    m.dispose();
  });
});
