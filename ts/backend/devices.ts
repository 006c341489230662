// Loading the devices that need loading (today the wasm runtime), behind one door so that init()
// and the rest of the library never import a device's internals. The wasm modules are imported
// lazily: the reference device works without instantiating any wasm.

import { hasBackend, registerBackend, setDefaultDevice } from '../engine.js';
import { ReferenceBackend } from './reference/index.js';
import type { Device } from './backend.js';
import type { RuntimeInfo } from './wasm/runtime.js';

export interface WasmDeviceOptions {
  build?: 'simd' | 'relaxed';
  threads?: number;
  deterministic?: boolean;
}

export interface WasmDeviceInfo extends Omit<RuntimeInfo, 'threads'> { threads: number; deterministic: boolean }

/** The device init() makes the default when not told otherwise. */
export const DEFAULT_DEVICE: Device = 'wasm';

let info: (() => WasmDeviceInfo) | null = null;

/** Registers the always-present reference device and makes it the default until init(). */
export function registerReferenceDevice(): void {
  registerBackend(new ReferenceBackend());
  setDefaultDevice('reference');
}

/** Loads (or reloads, for another build) the wasm device and applies thread/determinism settings. */
export async function loadWasmDevice(opts: WasmDeviceOptions): Promise<void> {
  const [{ loadRuntime }, { WasmBackend }, threads, gemm] = await Promise.all([
    import('./wasm/runtime.js'), import('./wasm/index.js'), import('./wasm/threads.js'), import('./wasm/gemm.js')]);
  if (!hasBackend('wasm') || info === null || (opts.build && info().build !== opts.build)) {
    const rt = await loadRuntime({ build: opts.build });
    registerBackend(new WasmBackend(rt));
    await threads.setThreads(rt, opts.threads);
    info = () => ({ ...rt.info, threads: threads.poolThreads(), deterministic: gemm.isDeterministic() });
  } else if (opts.threads !== undefined) {
    const { wasmRuntime } = await import('./wasm/raw.js');
    await threads.setThreads(wasmRuntime('init'), opts.threads);
  }
  if (opts.deterministic !== undefined) gemm.setDeterministic(opts.deterministic);
}

/** The running wasm build and settings, or null before it is loaded. */
export const wasmDeviceInfo = (): WasmDeviceInfo | null => (info === null ? null : info());
