// Module API: registration and traversal, train/eval, zeroGrad, stateDict/loadStateDict (tensor
// and JSON forms, strictness, in-place copy), apply, to, dispose and memory behaviour.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { DescentError } from '../ts/errors.js';

const { nn } = d;
const REF = { device: 'reference' } as const;

const mlp = () => new nn.Sequential(new nn.Linear(4, 8, REF), new nn.Tanh(), new nn.Linear(8, 3, REF));

function throwsCode(fn: () => unknown, code: string, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(DescentError);
  expect((err as DescentError).code).toBe(code);
  for (const p of parts) expect((err as Error).message).toMatch(p);
}

class Tied extends nn.Module {
  readonly enc = this.registerModule('enc', new nn.Linear(3, 3, REF));
  constructor() {
    super();
    this.registerModule('dec', this.enc); // the same module twice: its parameters count once
    this.registerBuffer('scratch', d.zeros([2], REF), { persistent: false });
  }

  forward(x: d.Tensor): d.Tensor { return this.enc.call(x); }
}

describe('Module traversal', () => {
  it('lists parameters, names and children in registration order', () => {
    const m = mlp();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(m.parameters().reduce((a, p) => a + p.size, 0)).toBe(4 * 8 + 8 + 8 * 3 + 3);
    expect(m.children().length).toBe(3);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(m.modules().length).toBe(4);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', '0', '1', '2']);
    expect(m.parameters().every((p) => p.requiresGrad && p.gradFn === null)).toBe(true);
    expect(m.length).toBe(3);
    expect(m.at(-1)).toBe(m.children()[2]);
    m.dispose();
  });

  it('counts a shared module once and skips non-persistent buffers in stateDict', () => {
    const t = new Tied();
    expect(t.parameters().length).toBe(2);
    expect(t.buffers().length).toBe(1);
    const sd = t.stateDict();
    expect(Object.keys(sd)).toEqual(['enc.weight', 'enc.bias']);
    d.dispose(sd);
    expect(t.enc.weight.isDisposed).toBe(false); // stateDict entries are separate handles
    t.dispose();
  });

  it('BatchNorm state holds running statistics and the batch count under torch names', () => {
    const bn = new nn.BatchNorm1d(3, REF);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.numBatchesTracked!.dtype).toBe('i32');
    bn.dispose();
  });

  it('rejects duplicate or dotted names', () => {
    const m = mlp();
    throwsCode(() => m.registerParameter('0', d.zeros([1], REF)), 'BAD_ARGUMENT', /already registered/);
    throwsCode(() => m.registerBuffer('a.b', d.zeros([1], REF)), 'BAD_ARGUMENT', /without '\.'/);
    throwsCode(() => m.registerParameter('ix', d.zeros([1], { ...REF, dtype: 'i32' })), 'BAD_DTYPE', /floating/);
    m.dispose();
  });
});

describe('replaceModule', () => {
  it('swaps a child, rebinds the fields aliasing it, and rejects a non-module', () => {
    const block = new d.nn.TransformerBlock(8, 2, { dropout: 0 });
    const old = block.linear1;
    const fresh = new d.nn.Linear(8, old.outFeatures);
    expect(block.replaceModule('linear1', fresh)).toBe(old);
    expect(block.child('linear1')).toBe(fresh);
    expect(block.linear1).toBe(fresh);
    expect(() => block.replaceModule('linear1', {} as never)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(() => block.replaceModule('nope', fresh)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(block.linear1).toBe(fresh);
  });
});

describe('train / eval / zeroGrad / apply', () => {
  it('train(false) and eval() reach every descendant; dropout becomes the identity', () => {
    const m = new nn.Sequential(new nn.Linear(4, 4, REF), new nn.Dropout(0.5));
    expect(m.modules().every((x) => x.training)).toBe(true);
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    const x = d.ones([2, 4], REF);
    const a = m.call(x).toArray();
    expect(m.call(x).toArray()).toEqual(a);
    m.train();
    expect(m.at(1).training).toBe(true);
    m.dispose();
  });

  it('zeroGrad drops every gradient', () => {
    const m = mlp();
    m.call(d.randn([5, 4], REF)).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    m.dispose();
  });

  it('requiresGrad_(false) freezes parameters: no graph, no gradients', () => {
    const m = mlp();
    (m.at(0) as InstanceType<typeof nn.Linear>).requiresGrad_(false);
    const x = d.randn([2, 4], REF);
    m.call(x).sum().backward();
    expect(m.parameters().map((p) => p.grad !== null)).toEqual([false, false, true, true]);
    m.requiresGrad_(false);
    expect(m.call(x).requiresGrad).toBe(false);
    m.dispose();
  });

  it('apply visits children before the parent and can re-initialize', () => {
    const m = mlp();
    const seen: string[] = [];
    m.apply((x) => seen.push(x.constructor.name));
    expect(seen).toEqual(['Linear', 'Tanh', 'Linear', 'Sequential']);
    m.apply((x) => { if (x instanceof nn.Linear) nn.init.constant(x.weight, 0.5); });
    expect(new Set((m.at(0) as InstanceType<typeof nn.Linear>).weight.dataSync())).toEqual(new Set([0.5]));
    m.dispose();
  });
});

describe('stateDict / loadStateDict', () => {
  it('a bad value (or a disposed tensor) in the last key changes no earlier key and leaves no tensor', () => {
    d.manualSeed(2);
    const m = mlp();
    const before = m.parameters().map((p) => Array.from(p.dataSync()));
    const json = JSON.parse(JSON.stringify(mlp().stateDictJson())) as Record<string, { data: unknown[] }>;
    const live = d.memory().reference.tensors;
    json['2.bias'].data[2] = 'x';
    throwsCode(() => m.loadStateDict(json as never), 'INVALID_DATA', /"x" at 2/);
    expect(d.memory().reference.tensors).toBe(live);
    const other = mlp().stateDict();
    const gone = other['2.bias'];
    gone.dispose();
    const live2 = d.memory().reference.tensors;
    throwsCode(() => m.loadStateDict(other), 'DISPOSED', /'2.bias' was disposed/);
    expect(d.memory().reference.tensors).toBe(live2);
    expect(m.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);
  });

  it('loading JSON or another dtype leaves no temporary alive', () => {
    const m = mlp();
    const json = JSON.parse(JSON.stringify(mlp().stateDictJson()));
    const f64 = new nn.Sequential(new nn.Linear(4, 8, { ...REF, dtype: 'f64' }), new nn.Tanh(), new nn.Linear(8, 3, { ...REF, dtype: 'f64' }));
    const sd = f64.stateDict();
    const live = d.memory().reference.tensors;
    m.loadStateDict(json);
    m.loadStateDict(sd);
    expect(d.memory().reference.tensors).toBe(live);
  });

  it('round-trips through tensors and through JSON text, copying in place', () => {
    d.manualSeed(1);
    const a = mlp();
    const b = mlp();
    const x = d.randn([3, 4], REF);
    const w0 = b.parameters()[0];
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.parameters()[0]).toBe(w0); // same tensor object: optimizers keep their references
    expect(b.call(x).toArray()).toEqual(a.call(x).toArray());
    const c = mlp();
    c.loadStateDict(JSON.parse(JSON.stringify(a.stateDictJson())));
    expect(c.call(x).toArray()).toEqual(a.call(x).toArray());
    [a, b, c].forEach((m) => m.dispose());
  });

  it('keeps non-finite values through JSON and converts dtype on load', () => {
    const src = new nn.Linear(2, 1, { ...REF, dtype: 'f64' });
    nn.init.constant(src.bias!, -Infinity);
    const dst = new nn.Linear(2, 1, REF);
    dst.loadStateDict(JSON.parse(JSON.stringify(src.stateDictJson())));
    expect(dst.bias!.item()).toBe(-Infinity);
    expect(dst.weight.dtype).toBe('f32');
    expect(Array.from(dst.weight.dataSync())).toEqual(Array.from(src.weight.dataSync(), Math.fround));
  });

  it('strict mode names missing and unexpected keys; non-strict reports them', () => {
    const m = mlp();
    const sd = m.stateDict();
    const partial = { '0.weight': sd['0.weight'], extra: sd['0.bias'] };
    throwsCode(() => m.loadStateDict(partial), 'BAD_ARGUMENT', /missing \[0\.bias, 2\.weight, 2\.bias\]/, /unexpected \[extra\]/);
    expect(m.loadStateDict(partial, { strict: false })).toEqual({ missingKeys: ['0.bias', '2.weight', '2.bias'], unexpectedKeys: ['extra'] });
    m.dispose();
  });

  it('a shape mismatch names the key and both shapes, and changes nothing', () => {
    const m = mlp();
    const before = m.parameters().map((p) => Array.from(p.dataSync()));
    const sd = { ...m.stateDict(), '2.weight': d.zeros([3, 7], REF), '0.bias': d.ones([8], REF) };
    throwsCode(() => m.loadStateDict(sd), 'SHAPE_MISMATCH', /'2\.weight'/, /\[3, 8\]/, /\[3, 7\]/);
    expect(m.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);
    m.dispose();
  });
});

describe('to / dispose / memory', () => {
  it('to(dtype) casts floating state, keeps integer buffers, and keeps leaves', () => {
    const bn = new nn.BatchNorm1d(2, REF);
    bn.to('f64');
    expect(bn.weight!.dtype).toBe('f64');
    expect(bn.runningMean!.dtype).toBe('f64');
    expect(bn.numBatchesTracked!.dtype).toBe('i32');
    expect(bn.weight!.requiresGrad && bn.weight!.gradFn === null).toBe(true);
    bn.dispose();
  });

  it('dispose frees every parameter and buffer', () => {
    const before = d.memory().reference;
    const m = new nn.Sequential(new nn.Conv2d(2, 3, 3, REF), new nn.BatchNorm2d(3, REF));
    expect(d.memory().reference.tensors).toBe(before.tensors + 7);
    m.dispose();
    expect(d.memory().reference).toEqual(before);
  });

  it('modules built inside tidy survive it; inference temporaries do not leak', () => {
    const m = d.tidy(() => new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1, ...REF }), new nn.ReLU(),
      new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(16, 3, REF)));
    expect(m.parameters().every((p) => !p.isDisposed)).toBe(true);
    const x = d.randn([2, 2, 4, 4], REF);
    const before = d.memory().reference.tensors;
    const y = d.noGrad(() => m.call(x));
    expect(d.memory().reference.tensors).toBe(before + 1);
    y.dispose();
    x.dispose();
    m.dispose();
  });

  it('training steps inside tidy leave memory where it was (BatchNorm buffers included)', () => {
    const m = new nn.Sequential(new nn.Linear(4, 6, REF), new nn.BatchNorm1d(6, REF), new nn.GELU(), new nn.Dropout(0.2), new nn.Linear(6, 2, REF));
    const x = d.randn([8, 4], REF);
    const step = () => {
      d.tidy(() => m.call(x).square().mean().backward());
      m.zeroGrad();
    };
    step();
    const before = d.memory().reference;
    for (let i = 0; i < 3; i++) step();
    expect(d.memory().reference).toEqual(before);
    expect((m.at(1) as InstanceType<typeof nn.BatchNorm1d>).numBatchesTracked!.item()).toBe(4);
    m.dispose();
    x.dispose();
  });

  it('toString shows the tree', () => {
    const m = mlp();
    expect(String(m)).toBe('Sequential(\n  (0): Linear(inFeatures=4, outFeatures=8, bias=true)\n  (1): Tanh()\n  (2): Linear(inFeatures=8, outFeatures=3, bias=true)\n)');
    m.dispose();
  });
});
