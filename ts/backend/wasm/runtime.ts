// Loads the kernel module: picks the build (relaxed SIMD when it validates, else plain SIMD),
// creates the memory (memory.ts), instantiates, and wires the allocator above the static data.
// One WasmRuntime per loadRuntime() call; the backend and the GEMM driver share it.

import { DescentError, checkOptions } from '../../errors.js';
import { wasmBytes, type BuildName } from './binaries.js';
import { detectFeatures } from './features.js';
import { Allocator, createMemory, makeViews, type Views } from './memory.js';
import type { Kernels } from './kernels.js';
import { shareMemoryImport, sharedMemoryUsable } from './threads.js';

export interface RuntimeInfo {
  readonly build: BuildName;
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: boolean;
  readonly sharedMemory: boolean;
  /** Current size of the wasm memory in bytes. */
  readonly memoryBytes: number;
}

export interface WasmRuntime {
  readonly memory: WebAssembly.Memory;
  /** The compiled module (a worker pool instantiates it again on the same memory). */
  readonly module: WebAssembly.Module;
  readonly exports: Kernels & WebAssembly.Exports;
  readonly info: RuntimeInfo;
  readonly views: Views;
  /** Bytes held by live blocks. */
  readonly bytesInUse: number;
  malloc(bytes: number): number;
  release(ptr: number): void;
}

export interface LoadOptions {
  /** Force a build; default: 'relaxed' when the engine validates relaxed SIMD, else 'simd'. */
  build?: BuildName;
}

function chooseBuild(requested: BuildName | undefined): BuildName {
  const f = detectFeatures();
  if (!f.simd) {
    throw new DescentError('UNSUPPORTED',
      'wasm: this JavaScript engine does not support WebAssembly SIMD (128-bit), which descent requires; use a current browser or Node ≥ 20, or the reference device');
  }
  if (requested === undefined) return f.relaxedSimd ? 'relaxed' : 'simd';
  if (requested !== 'simd' && requested !== 'relaxed') {
    throw new DescentError('BAD_OPTION', `loadRuntime: build must be 'simd' or 'relaxed', got ${String(requested)}`);
  }
  if (requested === 'relaxed' && !f.relaxedSimd) {
    throw new DescentError('UNSUPPORTED',
      "wasm: build 'relaxed' requested but this engine does not validate relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)");
  }
  return requested;
}

/**
 * Compiles and instantiates the kernels.
 * @example const rt = await loadRuntime(); const p = rt.malloc(1024); rt.views.f32(p, 256).fill(1);
 */
export async function loadRuntime(opts: LoadOptions = {}): Promise<WasmRuntime> {
  checkOptions('loadRuntime', opts, ['build']);
  const build = chooseBuild(opts.build);
  const f = detectFeatures();
  // Both builds import a shared memory (asconfig: threads, sharedMemory, maximumMemory) so the
  // GEMM pool can use them; where it cannot be shared the import's shared bit is cleared instead.
  const shared = f.sharedMemory && sharedMemoryUsable();
  const memory = createMemory({ shared, maximumPages: 65536 });
  const module = await compileKernels(shareMemoryImport(await wasmBytes(build), shared));
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: wasmAbort } });
  const exports = instance.exports as Kernels & WebAssembly.Exports;
  const alloc = new Allocator(memory, exports.descent_heap_base());
  return {
    memory,
    module,
    exports,
    views: makeViews(memory),
    info: {
      build, simd: true, relaxedSimd: f.relaxedSimd, threads: false, sharedMemory: f.sharedMemory,
      get memoryBytes() { return memory.buffer.byteLength; },
    },
    get bytesInUse() { return alloc.bytesInUse; },
    malloc: (bytes) => alloc.malloc(bytes),
    release: (ptr) => alloc.release(ptr),
  };
}

/**
 * Compiles the kernels. A page whose Content-Security-Policy has script-src without
 * 'wasm-unsafe-eval' may compile no wasm at all: that is reported as a DescentError that says so.
 */
async function compileKernels(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const csp = /Content.Security/i.test(why)
      ? "; the page's Content-Security-Policy must allow 'wasm-unsafe-eval' in script-src (init({ device: 'reference' }) needs no wasm)"
      : '';
    throw new DescentError('UNSUPPORTED', `wasm: the kernels could not be compiled: ${why}${csp}`);
  }
}

/** Kernels are compiled with --noAssert and never call abort; if one did, say so plainly. */
function wasmAbort(): never {
  throw new DescentError('UNSUPPORTED', 'wasm: a kernel aborted (internal error); please report it');
}
