// init(): loads the wasm runtime, registers the devices and picks the default one.

import { DEVICES, type Device } from './backend/backend.js';
import { DEFAULT_DEVICE, loadWasmDevice, wasmDeviceInfo, type WasmDeviceInfo } from './backend/devices.js';
import { WEBGPU_MISSING, setDefaultDevice } from './engine.js';
import { DescentError, check, checkOptions } from './errors.js';

export interface InitOptions {
  /** Default device for new tensors: 'wasm' (default) or 'reference'. */
  device?: Device;
  /** Worker threads for large GEMMs (default: the core count). */
  threads?: number;
  /** Force a wasm build: 'simd' or 'relaxed' (default: the best the runtime validates). */
  build?: 'simd' | 'relaxed';
  /**
   * true (the default): plain SIMD multiply-add everywhere, so results are bit-identical on every
   * machine and thread count. false: GEMM and softmax-cross-entropy use relaxed-SIMD FMA when the
   * relaxed build runs (last bits may then differ between machines).
   */
  deterministic?: boolean;
}

/**
 * Loads the kernels and sets the default device. Safe to call again to change the device.
 * @example await d.init(); // wasm, relaxed SIMD when the runtime has it
 */
export function init(opts: InitOptions = {}): Promise<void> {
  // Calls run one after another in call order, so the last call's options are the ones in force.
  const run = queue.then(() => initNow(opts));
  queue = run.catch(() => undefined);
  return run;
}

let queue: Promise<void> = Promise.resolve();

async function initNow(opts: InitOptions): Promise<void> {
  checkOptions('init', opts, ['device', 'threads', 'build', 'deterministic']);
  check(opts.deterministic === undefined || typeof opts.deterministic === 'boolean', 'BAD_OPTION',
    () => `init: deterministic must be a boolean, got ${String(opts.deterministic)}`);
  const device = opts.device ?? DEFAULT_DEVICE;
  check(DEVICES.includes(device), 'BAD_OPTION',
    () => `init: unknown device '${String(device)}'; expected 'wasm' or 'reference'`);
  if (device === 'webgpu') {
    throw new DescentError('UNSUPPORTED', `init: ${WEBGPU_MISSING}`);
  }
  await loadWasmDevice({ build: opts.build, threads: opts.threads, deterministic: opts.deterministic });
  setDefaultDevice(device);
}

/** Which wasm build and features are running, and how many threads GEMM uses. */
export function backendInfo(): WasmDeviceInfo | null {
  return wasmDeviceInfo();
}
