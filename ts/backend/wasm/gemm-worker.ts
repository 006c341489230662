// The body of a GEMM pool worker. It is shipped as source text (Function.prototype.toString),
// so it must be self-contained: no imports, no closures, no TypeScript-only runtime helpers.
// Protocol over a small SharedArrayBuffer `ctrl` (Int32 slots, then the Float64 job record):
//   slot 0 SEQ  — the main thread bumps it and notifies to start a job; −1 asks workers to stop;
//   slot 1 DONE — each worker adds 1 when it has finished its part (or has none) and notifies;
//   slot 2 FAIL — set to 1 by a worker whose part threw.
// Worker `index` computes part index + 1 (part 0 is the calling thread's).

type RunPart = (ex: WebAssembly.Exports, job: Float64Array, part: number) => void;

/** Runs in the worker; `runPart` is the driver's own function, passed as source. */
export function gemmWorkerMain(runPart: RunPart, jobOffset: number, jobLen: number): void {
  // Node's eval'd workers have globalThis.require (read as a property so that bundlers do not
  // rewrite it into their own shim, which would not exist in the worker)
  const req = (globalThis as unknown as { require?: (m: string) => { parentPort: unknown } }).require;
  const port = (req ? req('node:worker_threads').parentPort : globalThis) as {
    postMessage(m: unknown): void;
    on?: (ev: string, f: (m: unknown) => void) => void;
    onmessage?: (e: { data: unknown }) => void;
  };
  const start = (msg: unknown): void => {
    const { module, memory, ctrl, index } = msg as { module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: SharedArrayBuffer; index: number };
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      imports[imp.module] ??= {};
      imports[imp.module][imp.name] = imp.kind === 'memory' ? memory : () => {
        throw new Error(`gemm worker: wasm import ${imp.module}.${imp.name} is not available in workers`);
      };
    }
    const ex = new WebAssembly.Instance(module, imports).exports;
    const flags = new Int32Array(ctrl, 0, 4);
    const job = new Float64Array(ctrl, jobOffset, jobLen);
    let seq = Atomics.load(flags, 0); // read before 'ready': no job can be posted earlier
    port.postMessage('ready');
    for (;;) {
      Atomics.wait(flags, 0, seq);
      const now = Atomics.load(flags, 0);
      if (now < 0) return;
      if (now === seq) continue;
      seq = now;
      try {
        if (index + 1 < job[18]) runPart(ex, job, index + 1);
      } catch {
        Atomics.store(flags, 2, 1); // the main thread reports it; this worker keeps serving
      } finally {
        Atomics.add(flags, 1, 1);
        Atomics.notify(flags, 1);
      }
    }
  };
  if (port.on) port.on('message', start);
  else port.onmessage = (e) => start(e.data);
}
