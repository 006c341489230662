// A size-bucketed pool of GPU storage buffers. Sizes round up to a power of two (at least 256
// bytes), so a freed buffer serves any later request of its bucket; buffers are destroyed only
// when the pool is trimmed or the device goes. A buffer freed while recorded commands may still
// read it waits in `pending` until those commands are submitted: a reuse before the submit would
// let a queue.writeBuffer overtake the commands that were recorded earlier.

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export const bucketBytes = (bytes: number): number => Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  /** Bytes held in GPU buffers, live or pooled. */
  reservedBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = bucketBytes(bytes);
    const hit = this.free.get(size)?.pop();
    if (hit) return hit;
    this.reservedBytes += size;
    return this.device.createBuffer({ size, usage: USAGE() });
  }

  /** Returns a buffer; it becomes reusable after the next submit (see the header). */
  release(b: GPUBuffer): void {
    this.pending.push(b);
  }

  /** Called right after a submit: buffers released before it are free for reuse. */
  afterSubmit(): void {
    for (const b of this.pending) {
      const list = this.free.get(b.size) ?? [];
      list.push(b);
      this.free.set(b.size, list);
    }
    this.pending = [];
  }

  /** Destroys every pooled (not live) buffer. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.reservedBytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }
}
