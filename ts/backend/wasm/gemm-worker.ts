// The body of a GEMM pool worker and the chunk-claiming loop it shares with the calling thread.
// Both are shipped to workers as source text (Function.prototype.toString), so they must be
// self-contained: no imports, no closures, no TypeScript-only runtime helpers.
//
// Protocol over a small SharedArrayBuffer `ctrl` (Int32 slots, then the Float64 job record):
//   slot 0 SEQ   — bumped (and notified) by the calling thread to wake workers; −1 stops them;
//   slot 1 DONE  — chunks completed in the current job (notified when it reaches the total);
//   slot 2 FAIL  — set to 1 when a chunk threw;
//   slot 3 CLAIM — (total chunks << 16) | next unclaimed chunk; published after the job record.
// Every thread, the caller included, claims chunks with a compare-and-swap until none is left,
// so a worker the OS schedules late simply claims fewer (or none): a busy machine degrades to
// one thread's speed instead of waiting on a descheduled worker. A successful claim implies
// the job is unfinished, so the job record it then reads is the one the claim belongs to.

type RunPart = (ex: WebAssembly.Exports, job: Float64Array, part: number, slot: number) => void;

/** Claims and runs chunks of the current job until none is left; `slot` picks the scratch. */
export function runClaims(runPart: RunPart, ex: WebAssembly.Exports, job: Float64Array, flags: Int32Array, slot: number): void {
  for (;;) {
    const w = Atomics.load(flags, 3);
    const total = w >>> 16;
    if ((w & 0xffff) >= total) return;
    if (Atomics.compareExchange(flags, 3, w, w + 1) !== w) continue;
    try {
      runPart(ex, job, w & 0xffff, slot);
    } catch {
      Atomics.store(flags, 2, 1); // the calling thread reports it
    } finally {
      if (Atomics.add(flags, 1, 1) + 1 === total) Atomics.notify(flags, 1);
    }
  }
}

/** Runs in the worker; `runPart` and `claims` are the driver's own functions, passed as source. */
export function gemmWorkerMain(runPart: RunPart, claims: typeof runClaims, jobOffset: number, jobLen: number, spinMs: number): void {
  // Node's eval'd workers have globalThis.require (read as a property so that bundlers do not
  // rewrite it into their own shim, which would not exist in the worker)
  const req = (globalThis as unknown as { require?: (m: string) => { parentPort: unknown } }).require;
  const port = (req ? req('node:worker_threads').parentPort : globalThis) as {
    postMessage(m: unknown): void;
    on?: (ev: string, f: (m: unknown) => void) => void;
    onmessage?: (e: { data: unknown }) => void;
  };
  // The handler is never bound to a name: a bundler's keepNames (esbuild's, or a CDN's such as
  // esm.sh) would wrap a named function in a call to its own helper (__name), which this
  // shipped source does not carry, and the worker would fail to start
  const listen = port.on
    ? (f: (m: unknown) => void) => port.on!('message', f)
    : (f: (m: unknown) => void) => { port.onmessage = (e) => f(e.data); };
  listen((msg: unknown): void => {
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
      // a short spin before sleeping keeps back-to-back GEMMs from paying a futex wake-up each
      const until = performance.now() + spinMs;
      while (Atomics.load(flags, 0) === seq && performance.now() < until) { /* spin */ }
      Atomics.wait(flags, 0, seq);
      seq = Atomics.load(flags, 0);
      if (seq < 0) return;
      claims(runPart, ex, job, flags, index + 1);
    }
  });
}
