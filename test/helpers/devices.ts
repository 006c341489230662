// The fast devices every conformance suite runs against the reference device. A new device joins
// every suite by one line here: its name and how to bring it up.

import * as d from '../../ts/index.js';

export const DEVICES_UNDER_TEST: readonly { device: d.Device; setup: () => Promise<void> }[] = [
  { device: 'wasm', setup: () => d.init({ device: 'wasm' }) },
];

/** Brings up every device under test (call in beforeAll). */
export async function setupDevices(): Promise<void> {
  for (const t of DEVICES_UNDER_TEST) await t.setup();
}
