// The demo page's script (bundled by scripts/demo-server.mjs into demo/dist/app.js): trains a
// small MLP on a synthetic spiral with the chosen device and optimizer and draws the loss live.
// window.demo.train(...) is what the end-to-end test drives.

import * as d from '../ts/index.js';

type OptName = 'Adam' | 'AdamW' | 'SGD' | 'RMSprop' | 'Lion';
interface TrainOptions { device: 'webgpu' | 'wasm'; optimizer: OptName; lr: number; steps: number }

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = (s: string): void => { $('status').textContent = s; };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const curves: { label: string; losses: number[] }[] = [];

/** 3-class spiral, 100 points per class, from a fixed LCG so every device sees the same data. */
function spiral(): { x: number[][]; y: number[] } {
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const x: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 100; i++) {
      const r = i / 100;
      const t = c * 4 + 4 * r + 0.2 * (rnd() - 0.5);
      x.push([r * Math.sin(t), r * Math.cos(t)]);
      y.push(c);
    }
  }
  return { x, y };
}

function makeOptimizer(name: OptName, params: d.Tensor[], lr: number): d.optim.Optimizer {
  switch (name) {
    case 'SGD': return new d.optim.SGD(params, { lr, momentum: 0.9 });
    case 'AdamW': return new d.optim.AdamW(params, { lr });
    case 'RMSprop': return new d.optim.RMSprop(params, { lr });
    case 'Lion': return new d.optim.Lion(params, { lr: lr / 10 });
    default: return new d.optim.Adam(params, { lr });
  }
}

async function useDevice(device: 'webgpu' | 'wasm'): Promise<string> {
  // The demo takes any adapter (a browser without a GPU offers SwiftShader).
  await d.init({ device, adapter: 'any' });
  return device === 'webgpu' ? d.backendInfo()!.webgpu!.adapter : `wasm (${d.backendInfo()!.build}, ${d.backendInfo()!.threads} threads)`;
}

async function train(o: TrainOptions): Promise<number[]> {
  const where = await useDevice(o.device);
  d.manualSeed(0);
  const f = { device: o.device };
  const data = spiral();
  const x = d.tensor(data.x, f);
  const y = d.tensor(data.y, { dtype: 'i32', device: o.device });
  const model = new d.nn.Sequential(new d.nn.Linear(2, 32, f), new d.nn.ReLU(), new d.nn.Linear(32, 32, f), new d.nn.ReLU(), new d.nn.Linear(32, 3, f));
  const opt = makeOptimizer(o.optimizer, model.parameters(), o.lr);
  const curve = { label: `${o.optimizer} lr ${o.lr} on ${o.device}`, losses: [] as number[] };
  curves.push(curve);
  for (let step = 0; step < o.steps; step++) {
    const loss = d.tidy(() => {
      opt.zeroGrad();
      const l = d.nn.functional.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    curve.losses.push((await loss.data())[0]);
    loss.dispose();
    draw();
    status(`${curve.label} — ${where}\nstep ${step + 1}/${o.steps}  loss ${curve.losses[step].toFixed(5)}`);
  }
  d.dispose([x, y, ...model.parameters()]);
  return curve.losses;
}

function draw(): void {
  const c = $<HTMLCanvasElement>('plot');
  const g = c.getContext('2d')!;
  g.clearRect(0, 0, c.width, c.height);
  const all = curves.flatMap((k) => k.losses);
  if (all.length === 0) return;
  const top = Math.max(...all);
  const n = Math.max(...curves.map((k) => k.losses.length));
  const px = (i: number): number => 40 + (i / Math.max(1, n - 1)) * (c.width - 50);
  const py = (v: number): number => 10 + (1 - v / top) * (c.height - 30);
  g.strokeStyle = '#999';
  g.strokeRect(40, 10, c.width - 50, c.height - 30);
  g.fillText(top.toFixed(2), 2, 14);
  g.fillText('0', 28, c.height - 20);
  g.fillText(`step ${n}`, c.width - 60, c.height - 5);
  curves.forEach((k, j) => {
    g.strokeStyle = COLORS[j % COLORS.length];
    g.beginPath();
    k.losses.forEach((v, i) => (i === 0 ? g.moveTo(px(i), py(v)) : g.lineTo(px(i), py(v))));
    g.stroke();
  });
  $('legend').innerHTML = curves.map((k, j) => `<span style="background:${COLORS[j % COLORS.length]}"></span>${k.label}`).join('');
}

async function onTrain(): Promise<void> {
  const o: TrainOptions = {
    device: $<HTMLSelectElement>('device').value as TrainOptions['device'],
    optimizer: $<HTMLSelectElement>('optimizer').value as OptName,
    lr: Number($<HTMLInputElement>('lr').value),
    steps: Number($<HTMLInputElement>('steps').value),
  };
  $<HTMLButtonElement>('train').disabled = true;
  try {
    await train(o);
  } catch (e) {
    status(`error: ${(e as Error).message}`);
  } finally {
    $<HTMLButtonElement>('train').disabled = false;
  }
}

$('train').addEventListener('click', () => void onTrain());
const ready = useDevice('wasm').then(() => {
  const gpu = (navigator as { gpu?: unknown }).gpu !== undefined;
  if (!gpu) $<HTMLSelectElement>('device').value = 'wasm';
  status(`ready: ${gpu ? 'navigator.gpu present' : 'no navigator.gpu (wasm only)'}; crossOriginIsolated ${String(globalThis.crossOriginIsolated)}`);
});
(globalThis as { demo?: unknown }).demo = { ready, train, info: () => d.backendInfo() };
