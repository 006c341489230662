// init(): loads the wasm runtime, registers the devices and picks the default one.

import type { Device } from './backend/backend.js';
import type { WasmRuntime } from './backend/wasm/runtime.js';
import { poolThreads, setThreads } from './backend/wasm/threads.js';
import { isDeterministic, setDeterministic } from './backend/wasm/gemm.js';
import { WEBGPU_MISSING, hasBackend, registerBackend, setDefaultDevice } from './engine.js';
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

let runtime: WasmRuntime | null = null;

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
  const device = opts.device ?? 'wasm';
  check(device === 'wasm' || device === 'reference' || device === 'webgpu', 'BAD_OPTION',
    () => `init: unknown device '${String(device)}'; expected 'wasm' or 'reference'`);
  if (device === 'webgpu') {
    throw new DescentError('UNSUPPORTED', `init: ${WEBGPU_MISSING}`);
  }
  if (!hasBackend('wasm') || (opts.build && runtime?.info.build !== opts.build)) {
    // Loaded lazily so the reference device works without instantiating any wasm.
    const [{ loadRuntime }, { WasmBackend }] = await Promise.all([
      import('./backend/wasm/runtime.js'), import('./backend/wasm/index.js')]);
    runtime = await loadRuntime({ build: opts.build });
    registerBackend(new WasmBackend(runtime));
    await setThreads(runtime, opts.threads);
  } else if (opts.threads !== undefined) {
    await setThreads(runtime!, opts.threads);
  }
  if (opts.deterministic !== undefined) setDeterministic(opts.deterministic);
  setDefaultDevice(device);
}

/** Which wasm build and features are running, and how many threads GEMM uses. */
export function backendInfo(): (Omit<WasmRuntime['info'], 'threads'> & { threads: number; deterministic: boolean }) | null {
  return runtime ? { ...runtime.info, threads: poolThreads(), deterministic: isDeterministic() } : null;
}
