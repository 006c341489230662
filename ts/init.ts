// init(): loads the wasm runtime, registers the devices and picks the default one.

import { DEVICES, type Device } from './backend/backend.js';
import {
  loadWasmDevice, loadWebGpuDevice, needsWasm, wasmDeviceInfo, webGpuDeviceInfo, type AdapterChoice, type WasmDeviceInfo, type WebGpuInfo,
} from './backend/devices.js';
import { setDefaultDevice } from './engine.js';
import { check, checkOptions } from './errors.js';

export interface InitOptions {
  /**
   * Default device for new tensors: 'webgpu', 'wasm' or 'reference'. Without it: webgpu when a
   * hardware adapter is found, else wasm.
   */
  device?: Device;
  /**
   * Which WebGPU adapters count: 'hardware' (the default), 'software' (SwiftShader, llvmpipe,
   * lavapipe: for CI and GPU-less machines) or 'any'. The env var DESCENT_WEBGPU_ADAPTER sets the
   * default ('hardware' | 'software' | 'any' | 'none'; 'none' never probes for a GPU).
   */
  adapter?: AdapterChoice;
  /** Worker threads for large GEMMs, elementwise ops and reductions (default: the core count). */
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
  checkOptions('init', opts, ['device', 'adapter', 'threads', 'build', 'deterministic']);
  check(opts.adapter === undefined || ['hardware', 'software', 'any'].includes(opts.adapter), 'BAD_OPTION',
    () => `init: adapter must be 'hardware', 'software' or 'any', got ${String(opts.adapter)}`);
  check(opts.deterministic === undefined || typeof opts.deterministic === 'boolean', 'BAD_OPTION',
    () => `init: deterministic must be a boolean, got ${String(opts.deterministic)}`);
  const asked = opts.device;
  check(asked === undefined || DEVICES.includes(asked), 'BAD_OPTION',
    () => `init: unknown device '${String(asked)}'; expected one of ${DEVICES.map((x) => `'${x}'`).join(', ')}`);
  // The reference device alone needs no wasm (so it works where wasm cannot load); otherwise wasm
  // loads first: it is the fallback, and a webgpu failure must not leave the library unloaded.
  if (needsWasm(asked ?? 'wasm', opts)) {
    await loadWasmDevice({ build: opts.build, threads: opts.threads, deterministic: opts.deterministic });
  }
  const gpu = asked === 'webgpu' || asked === undefined ? await loadWebGpuDevice(opts.adapter, asked === 'webgpu') : false;
  setDefaultDevice(asked ?? (gpu ? 'webgpu' : 'wasm'));
}

/** What backendInfo() reports: the wasm build and settings, and the WebGPU adapter (or null). */
export type BackendInfo = WasmDeviceInfo & { webgpu: WebGpuInfo | null };

/** Which wasm build and features are running, how many threads GEMM uses, and the WebGPU adapter (null before wasm loads). */
export function backendInfo(): BackendInfo | null {
  const wasm = wasmDeviceInfo();
  return wasm && { ...wasm, webgpu: webGpuDeviceInfo() };
}
