// Host side of the kernels' N-d iteration: shape/stride bookkeeping in TypeScript, written into a
// scratch block as the META words that assembly/_lib/nd.ts walks.
// META (i32 words): [nd, nops, shape[nd], strides[nops][nd] (elements), work: nd + nops words].

import { DescentError } from '../../errors.js';
import type { Strided } from '../view.js';
import type { WasmRuntime } from './runtime.js';

const I32_MAX = 0x7fffffff;

/** Words a META block needs. */
export const metaWords = (nd: number, nops: number): number => 2 + nd * (2 + nops) + nops;

/**
 * A scratch area for META blocks, reused by every kernel call on one runtime (kernels run to
 * completion before the next call, so one block suffices). Grows when a call needs more.
 */
export class MetaScratch {
  private words = 256;
  private ptr: number;

  /** Allocated up front so bytesInUse does not jump on the first kernel call. */
  constructor(private readonly rt: WasmRuntime) {
    this.ptr = rt.malloc(this.words * 4);
  }

  /** Writes META for `s` and returns its byte address. */
  write(s: Strided): number {
    writeMeta(s, (words) => {
      if (words > this.words) {
        // the new block first: if malloc fails (OUT_OF_MEMORY) the old one stays ours and valid
        const ptr = this.rt.malloc(words * 4);
        this.rt.release(this.ptr);
        this.ptr = ptr;
        this.words = words;
      }
      return this.rt.views.i32(this.ptr, words);
    });
    return this.ptr;
  }
}

/**
 * Validates `s` (a DescentError, with nothing written, where the kernels' i32 words cannot hold
 * it), then writes its META words into the block `block(words)` returns (kernels reset the work space).
 */
export function writeMeta(s: Strided, block: (words: number) => Int32Array): void {
  const nd = s.shape.length;
  const nops = s.strides.length;
  // every META word is an i32 in the kernels: a dim (or the row count) of 2^31 or more — only
  // possible through stride-0 broadcasts, which take no memory — would wrap and silently give
  // wrong results
  let rows = 1;
  for (let d = 0; d < nd; d++) {
    if (d < nd - 1) rows *= s.shape[d];
    if (s.shape[d] > I32_MAX || rows > I32_MAX) {
      throw new DescentError('UNSUPPORTED',
        `wasm: a kernel would iterate over shape [${s.shape.join(', ')}] (e.g. a reduction over a broadcast view); the kernels count in 32 bits, so each dim and the product of all but the last must be ≤ 2^31 − 1`);
    }
  }
  for (const row of s.strides) {
    for (const st of row) {
      if (!(st >= 0 && st <= I32_MAX)) throw new DescentError('BAD_ARGUMENT', `wasm: stride must be an integer in [0, 2^31), got ${st}`);
    }
  }
  const w = block(metaWords(nd, nops));
  w[0] = nd;
  w[1] = nops;
  for (let d = 0; d < nd; d++) w[2 + d] = s.shape[d];
  for (let k = 0; k < nops; k++) {
    for (let d = 0; d < nd; d++) w[2 + nd * (1 + k) + d] = s.strides[k][d];
  }
}
