// Loading the devices that need loading (the wasm runtime, a WebGPU adapter), behind one door so
// that init() and the rest of the library never import a device's internals. Device modules are
// imported lazily: the reference device works without instantiating any wasm, and the webgpu
// code (and Node's `webgpu` package) loads only when a GPU is probed.

import { hasBackend, registerBackend } from '../engine.js';
import { ReferenceBackend } from './reference/index.js';
import type { Device } from './backend.js';
import type { WebGpuBackend } from './webgpu/index.js';
import { DescentError } from '../errors.js';

/** Which WebGPU adapters count (declared here so the public types never reach GPU* names). */
export type AdapterChoice = 'hardware' | 'software' | 'any';

export interface WasmDeviceOptions {
  build?: 'simd' | 'relaxed';
  threads?: number;
  deterministic?: boolean;
}

/** What backendInfo() reports (spelled out so the published types name no WebAssembly type). */
export interface WasmDeviceInfo {
  readonly build: 'simd' | 'relaxed';
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  /** Threads GEMM uses now, the calling thread included. */
  readonly threads: number;
  readonly sharedMemory: boolean;
  /** Current size of the wasm memory in bytes. */
  readonly memoryBytes: number;
  readonly deterministic: boolean;
}

let info: (() => WasmDeviceInfo) | null = null;

/** Registers the always-present reference device (the default device comes from init(), run on import). */
export function registerReferenceDevice(): void {
  registerBackend(new ReferenceBackend());
}

/** Whether init() for `device` with these options must load wasm (the reference device alone needs none). */
export const needsWasm = (device: Device, opts: WasmDeviceOptions): boolean =>
  device !== 'reference' || opts.build !== undefined || opts.threads !== undefined || opts.deterministic !== undefined;

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

export interface WebGpuInfo {
  adapter: string; software: boolean; shaderF16: boolean; featureLevel: string; lost: boolean;
  /** Bytes of GPU buffers held, by live tensors or pooled for reuse. */
  reservedBytes: number;
}

let gpu: WebGpuBackend | null = null;
/** Adapter choices a plain init() found empty: not probed again in this process. */
const notFound = new Set<string>();

/**
 * Opens (or keeps) the webgpu device; true when it is ready. A lost device is replaced. When
 * `required`, finding no adapter is an error; otherwise it means "stay on wasm".
 */
export async function loadWebGpuDevice(adapter: AdapterChoice | undefined, required: boolean): Promise<boolean> {
  const { adapterChoice, openGpu } = await import('./webgpu/adapter.js');
  const choice = adapterChoice(adapter);
  const fits = (b: WebGpuBackend): boolean => choice === 'any' || choice === 'none' || b.ctx.software === (choice === 'software');
  if (gpu && gpu.q.lost === null && fits(gpu)) return true;
  if (!required && (choice === 'none' || notFound.has(choice))) return false;
  const ctx = await openGpu(choice === 'none' ? 'hardware' : choice);
  if (!ctx) {
    notFound.add(choice);
    if (!required) return false;
    throw new DescentError('UNSUPPORTED', `init: no ${choice === 'any' ? '' : `${choice} `}WebGPU adapter was found` +
      (choice === 'software' || choice === 'any' ? '' : "; pass { adapter: 'software' } (or set DESCENT_WEBGPU_ADAPTER=software) to use a software adapter") +
      " (in Node this needs the optional package 'webgpu'), or use device 'wasm'");
  }
  const { WebGpuBackend } = await import('./webgpu/index.js');
  gpu = new WebGpuBackend(ctx);
  registerBackend(gpu);
  return true;
}

/** The webgpu adapter in use, or null when none was opened. */
export const webGpuDeviceInfo = (): WebGpuInfo | null => gpu && {
  adapter: gpu.ctx.name, software: gpu.ctx.software, shaderF16: gpu.ctx.shaderF16,
  featureLevel: gpu.ctx.featureLevel, lost: gpu.q.lost !== null, reservedBytes: gpu.q.pool.reservedBytes,
};
