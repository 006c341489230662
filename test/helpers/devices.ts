// The fast devices every conformance suite runs against the reference device. A new device joins
// every suite by one line here: its name and how to bring it up.

import * as d from '../../ts/index.js';

export const DEVICES_UNDER_TEST: readonly { device: d.Device; setup: () => Promise<void>; dtypes: readonly d.DType[] }[] = [
  { device: 'wasm', setup: () => d.init({ device: 'wasm' }), dtypes: ['f64', 'f32', 'f16', 'bf16', 'i32'] },
  // the software adapter (Dawn on llvmpipe in Node); wasm stays the default device; no f64 in WGSL
  {
    device: 'webgpu', setup: () => d.init({ device: 'webgpu', adapter: 'software' }).then(() => d.init({ device: 'wasm' })),
    dtypes: ['f32', 'f16', 'bf16', 'i32'],
  },
];

/** The dtypes of `want` that `device` stores. */
export const dtypesOn = (device: d.Device, want: readonly d.DType[]): d.DType[] =>
  want.filter((t) => DEVICES_UNDER_TEST.find((x) => x.device === device)!.dtypes.includes(t));

/** Brings up every device under test (call in beforeAll). */
export async function setupDevices(): Promise<void> {
  for (const t of DEVICES_UNDER_TEST) await t.setup();
}
