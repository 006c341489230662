// The wasm module's memory and the allocator that hands out blocks of it. TypeScript owns the
// layout: [0, heapBase) is the compiler's static data, everything above is ours.
//
// Invariants:
// - Every block is 64-byte aligned (a cache line; v128 loads never straddle one) and at least 64
//   bytes, so ptrs are unique even for 0-byte requests; live blocks never overlap.
// - Small requests (≤ 256 KiB) round up to one of four classes per power of two, large ones to a
//   multiple of 64 KiB; a released block is parked on its size's free list and the next request
//   of that size takes it back (a training step frees and asks for the same sizes every step).
//   A large miss is served best-fit from the free runs (split when bigger); any other from the top.
// - Before memory grows, the free lists are flushed into the runs (merging neighbours) and the
//   request is tried best-fit there: without this, blocks parked at one size could never serve
//   another, so a program whose tensor sizes drift would grow memory by the sum of every size's
//   peak instead of the peak of all live bytes.
// - The bump pointer `top` only grows through memory.grow; a free block that ends at `top` is
//   given back to the bump region so long-running loops do not ratchet memory up.
// - Callers must not keep typed-array views across a call that may grow memory (views() makes
//   fresh ones on every call).

import { DescentError } from '../../errors.js';

export const PAGE = 65536;
export const ALIGN = 64;
const SMALL_MAX = 256 * 1024;
const LARGE_STEP = 64 * 1024;
/** wasm32 limit: 65536 pages. */
const MAX_PAGES = 65536;

export interface MemoryOptions {
  initialPages?: number;
  /** A shared memory (threads) needs a maximum; the threaded build passes it. */
  shared?: boolean;
  maximumPages?: number;
}

/** The one place the module's memory is created (a threaded build asks for a shared one). */
export function createMemory(opts: MemoryOptions = {}): WebAssembly.Memory {
  const initial = opts.initialPages ?? 32;
  if (opts.shared) {
    return new WebAssembly.Memory({ initial, maximum: opts.maximumPages ?? MAX_PAGES, shared: true });
  }
  return new WebAssembly.Memory(opts.maximumPages ? { initial, maximum: opts.maximumPages } : { initial });
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Rounds a small request up to its class: 4 classes per power of two, multiples of 64. */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, alignUp(bytes, ALIGN));
  if (b <= 4 * ALIGN) return b;
  const p = 2 ** Math.floor(Math.log2(b - 1)); // b in (p, 2p]
  const step = p / 4;
  return alignUp(b, step);
}

/**
 * Test-only fault injection: after failNthAllocation(n) the n-th malloc from then on (of any
 * allocator) throws OUT_OF_MEMORY, as a full memory would; 0 disarms it. Not exported publicly.
 */
let failIn = 0;
export function failNthAllocation(n: number): void {
  failIn = n;
}

export class Allocator {
  private top: number;
  private readonly live = new Map<number, number>();
  /** Released blocks by size, waiting for a request of that size. */
  private readonly parked = new Map<number, number[]>();
  /** Free runs (blocks flushed from the lists, merged, and the rests of split runs): start → size, and end → start. */
  private readonly runs = new Map<number, number>();
  private readonly runEnd = new Map<number, number>();
  private inUse = 0;

  constructor(private readonly memory: WebAssembly.Memory, heapBase: number) {
    this.top = alignUp(Math.max(heapBase, ALIGN), ALIGN);
  }

  /** Bytes in live blocks (rounded to their classes). */
  get bytesInUse(): number { return this.inUse; }

  /** A 64-byte aligned block of at least `bytes` bytes; grows memory when needed. */
  malloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new DescentError('BAD_ARGUMENT', `malloc: expected a byte count (integer ≥ 0), got ${bytes}`);
    }
    if (failIn > 0 && --failIn === 0) throw new DescentError('OUT_OF_MEMORY', `wasm memory: cannot allocate ${bytes} bytes (injected by failNthAllocation)`);
    const large = bytes > SMALL_MAX;
    const size = large ? alignUp(bytes, LARGE_STEP) : sizeClass(bytes);
    let ptr = this.parked.get(size)?.pop() ?? (large ? this.takeRun(size) : undefined);
    if (ptr === undefined && this.top + size > this.memory.buffer.byteLength) {
      this.flushParked();
      ptr = this.takeRun(size);
    }
    ptr ??= this.bump(size);
    this.live.set(ptr, size);
    this.inUse += size;
    return ptr;
  }

  /** Returns a block from malloc; releasing anything else is an error (double free included). */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new DescentError('BAD_ARGUMENT', `release: ${ptr} is not a live block`);
    this.live.delete(ptr);
    this.inUse -= size;
    if (ptr + size === this.top) this.lowerTop(ptr);
    else {
      const list = this.parked.get(size);
      if (list) list.push(ptr);
      else this.parked.set(size, [ptr]);
    }
  }

  private bump(size: number): number {
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        throw new DescentError('OUT_OF_MEMORY',
          `wasm memory: cannot grow by ${pages} pages to ${end} bytes (have ${have} bytes, wasm32 limit 4 GiB)`);
      }
    }
    this.top = end;
    return ptr;
  }

  /** Best-fit from the free runs; the rest of a bigger run stays free (sizes are multiples of 64). */
  private takeRun(size: number): number | undefined {
    let best = -1;
    let bestSize = Infinity;
    for (const [p, s] of this.runs) if (s >= size && s < bestSize) { best = p; bestSize = s; }
    if (best < 0) return undefined;
    this.unlinkRun(best);
    if (bestSize > size) this.linkRun(best + size, bestSize - size);
    return best;
  }

  /** Moves every block parked in a free list into the runs, merging neighbours. */
  private flushParked(): void {
    for (const [size, list] of this.parked) for (const p of list) this.freeRun(p, size);
    this.parked.clear();
  }

  private freeRun(ptr: number, size: number): void {
    const after = this.runs.get(ptr + size);
    if (after !== undefined) { this.unlinkRun(ptr + size); size += after; }
    const before = this.runEnd.get(ptr);
    if (before !== undefined) { size += ptr - before; this.unlinkRun(before); ptr = before; }
    if (ptr + size === this.top) this.lowerTop(ptr);
    else this.linkRun(ptr, size);
  }

  /** Moves `top` down to ptr, absorbing free runs that now end at the top. */
  private lowerTop(ptr: number): void {
    this.top = ptr;
    for (let start = this.runEnd.get(this.top); start !== undefined; start = this.runEnd.get(this.top)) {
      this.unlinkRun(start);
      this.top = start;
    }
  }

  private linkRun(ptr: number, size: number): void {
    this.runs.set(ptr, size);
    this.runEnd.set(ptr + size, ptr);
  }

  private unlinkRun(ptr: number): void {
    const size = this.runs.get(ptr)!;
    this.runs.delete(ptr);
    this.runEnd.delete(ptr + size);
  }
}

/** Typed-array views made on demand over the current buffer (never cache them across a grow). */
export function makeViews(memory: WebAssembly.Memory) {
  return {
    f32: (ptr: number, n: number) => new Float32Array(memory.buffer, ptr, n),
    f64: (ptr: number, n: number) => new Float64Array(memory.buffer, ptr, n),
    i32: (ptr: number, n: number) => new Int32Array(memory.buffer, ptr, n),
    u16: (ptr: number, n: number) => new Uint16Array(memory.buffer, ptr, n),
    u8: (ptr: number, n: number) => new Uint8Array(memory.buffer, ptr, n),
  };
}
export type Views = ReturnType<typeof makeViews>;
