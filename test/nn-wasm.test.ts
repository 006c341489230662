// Layers on the wasm device agree with the reference device (f32, same weights via a cross-device
// loadStateDict), forward and backward; and a tiny character-level transformer LM trains on wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { Adam } from '../ts/optim/index.js';
import type { AnyModule } from '../ts/nn/index.js';

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
