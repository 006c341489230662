// Scratch blocks for host-side kernel calls: allocates several blocks and releases every one
// that was obtained, also when a later allocation (OUT_OF_MEMORY) or the work itself throws.

export interface BlockAllocator {
  malloc(bytes: number): number;
  release(ptr: number): void;
}

/** Runs fn with fresh blocks of `bytes[i]` bytes each; all are released afterwards. */
export function withBlocks<T>(rt: BlockAllocator, bytes: readonly number[], fn: (ptrs: number[]) => T): T {
  const ptrs: number[] = [];
  try {
    for (const b of bytes) ptrs.push(rt.malloc(b));
    return fn(ptrs);
  } finally {
    for (const p of ptrs) rt.release(p);
  }
}
