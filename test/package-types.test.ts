// The published types (build/types, emitted by `npm run types`) as a user's project sees them: a
// project made by `tsc --init` (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, no
// @types) with skipLibCheck off compiles against the package, with and without the DOM lib.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const dir = mkdtempSync(join(tmpdir(), 'descent-consumer-'));

const consumer = `import * as d from 'descent';
declare const console: { log(...args: unknown[]): void };
const { nn, optim } = d;
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 });
const loss = nn.functional.mseLoss(model.call(d.randn([16, 4])), d.zeros([16, 1]));
loss.backward();
opt.step();
const { muon, adam } = optim.splitForMuon(model.parameters());
const [fx, hv] = d.hvp((v: d.Tensor) => v.pow(3).sum(), [d.tensor([1, 2])], [d.tensor([1, 0])]);
// @ts-expect-error: one x, so hv is a tuple of one
hv[1].toArray();
const [value, [gx, gy]] = d.valueAndGrad((x: d.Tensor, y: d.Tensor) => x.mul(y).sum(), { argnums: [0, 1] })(d.ones([2]), d.ones([2]));
const g: d.Tensor = d.grad((x: d.Tensor) => x.square().sum())(d.ones([3]));
const [, vj] = d.vjp((x: d.Tensor) => x.exp(), d.ones([2]), d.ones([2]));
const info: d.BackendInfo | null = d.backendInfo();
const live: number = d.memory().wasm.tensors;
await d.init({ threads: 1 });
try { d.ones([2]).add(d.ones([3])); } catch (e) { if (e instanceof d.DescentError) console.log(e.code); }
console.log(fx.item(), hv[0].toArray(), value.item(), gx.shape, gy.shape, g.toString(), vj.toString({ read: false }),
  JSON.stringify(model.stateDict()), d.memory(), info?.build, muon.length + adam.length, live, d.kernels.sgemm(1, 1, 1, new Float32Array([2]), new Float32Array([3])));
`;

beforeAll(() => {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  writeFileSync(join(dir, 'main.ts'), consumer);
  execFileSync(process.execPath, [tsc, '--init'], { cwd: dir });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'descent'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(lib: string): string {
  try {
    return execFileSync(process.execPath, [tsc, '--noEmit', '--skipLibCheck', 'false', '--lib', lib, '-p', '.'],
      { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

test.each(['esnext', 'esnext,dom'])('a tsc --init project compiles against the built types (lib %s)', (lib) => {
  expect(existsSync(join(root, 'build', 'types', 'index.d.ts')), 'build/types is missing: run `npm run build`').toBe(true);
  expect(compile(lib)).toBe('');
});
