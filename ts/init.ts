// init(): loads the wasm runtime, registers the devices and picks the default one.

import type { Device } from './backend/backend.js';
import type { AdapterChoice } from './backend/webgpu/adapter.js';
import type { WebGpuBackend } from './backend/webgpu/index.js';
import type { WasmRuntime } from './backend/wasm/runtime.js';
import { poolThreads, setThreads } from './backend/wasm/threads.js';
import { isDeterministic, setDeterministic } from './backend/wasm/gemm.js';
import { hasBackend, registerBackend, setDefaultDevice } from './engine.js';
import { DescentError, check, checkOptions } from './errors.js';

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
  checkOptions('init', opts, ['device', 'adapter', 'threads', 'build', 'deterministic']);
  check(opts.adapter === undefined || ['hardware', 'software', 'any'].includes(opts.adapter), 'BAD_OPTION',
    () => `init: adapter must be 'hardware', 'software' or 'any', got ${String(opts.adapter)}`);
  check(opts.deterministic === undefined || typeof opts.deterministic === 'boolean', 'BAD_OPTION',
    () => `init: deterministic must be a boolean, got ${String(opts.deterministic)}`);
  const asked = opts.device;
  check(asked === undefined || asked === 'wasm' || asked === 'reference' || asked === 'webgpu', 'BAD_OPTION',
    () => `init: unknown device '${String(asked)}'; expected 'webgpu', 'wasm' or 'reference'`);
  const gpu = asked === 'webgpu' || asked === undefined ? await startWebGpu(opts.adapter, asked === 'webgpu') : false;
  const device: Device = asked ?? (gpu ? 'webgpu' : 'wasm');
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

let gpuBackend: WebGpuBackend | null = null;
/** Adapter choices found empty by a plain init(): not probed again in this process. */
const notFound = new Set<string>();

/**
 * Opens (or keeps) the webgpu device; true when it is ready. A lost device is replaced. When
 * `required`, finding no adapter is an error; otherwise it just means "use wasm".
 */
async function startWebGpu(adapter: AdapterChoice | undefined, required: boolean): Promise<boolean> {
  const { adapterChoice, openGpu } = await import('./backend/webgpu/adapter.js');
  const choice = adapterChoice(adapter);
  if (gpuBackend && gpuBackend.q.lost === null && matches(gpuBackend, choice)) return true;
  if (!required && choice === 'none') return false;
  if (!required && notFound.has(choice)) return false;
  const ctx = await openGpu(choice === 'none' ? 'hardware' : choice);
  if (!ctx) {
    notFound.add(choice);
    if (!required) return false;
    throw new DescentError('UNSUPPORTED', `init: no ${choice === 'any' ? '' : `${choice} `}WebGPU adapter was found` +
      (choice === 'hardware' ? "; pass { adapter: 'software' } (or set DESCENT_WEBGPU_ADAPTER=software) to use a software adapter" : '') +
      " (in Node this needs the optional package 'webgpu'), or use device 'wasm'");
  }
  const { WebGpuBackend } = await import('./backend/webgpu/index.js');
  gpuBackend = new WebGpuBackend(ctx);
  registerBackend(gpuBackend);
  return true;
}

const matches = (b: WebGpuBackend, choice: string): boolean =>
  choice === 'any' || choice === 'none' || b.ctx.software === (choice === 'software');

/** Which wasm build and features are running, how many threads GEMM uses, and the WebGPU adapter. */
export function backendInfo(): (Omit<WasmRuntime['info'], 'threads'> & { threads: number; deterministic: boolean; webgpu: WebGpuInfo | null }) | null {
  const webgpu = gpuBackend && {
    adapter: gpuBackend.ctx.name, software: gpuBackend.ctx.software, shaderF16: gpuBackend.ctx.shaderF16,
    featureLevel: gpuBackend.ctx.featureLevel, lost: gpuBackend.q.lost !== null, reservedBytes: gpuBackend.q.pool.reservedBytes,
  };
  return runtime ? { ...runtime.info, threads: poolThreads(), deterministic: isDeterministic(), webgpu } : null;
}

export interface WebGpuInfo {
  adapter: string; software: boolean; shaderF16: boolean; featureLevel: string; lost: boolean;
  /** Bytes of GPU buffers held, by live tensors or pooled for reuse. */
  reservedBytes: number;
}
