// Command batching for the webgpu device: every kernel call records one dispatch into a shared
// compute pass; the batch is submitted only when a read needs results, when a buffer must be
// overwritten from the host, or after MAX_BATCH dispatches. A training step is therefore a few
// submissions, not one per op. GPU errors reported by the device (validation, out of memory, a
// lost device) surface as DescentErrors at the next call.

import { DescentError } from '../../errors.js';
import { BufferPool } from './pool.js';

const MAX_BATCH = 512;
export const WORKGROUP = 64;
/** WebGPU's default maxComputeWorkgroupsPerDimension: kernels grid-stride past it. */
export const MAX_GROUPS = 65535;

export class GpuQueue {
  readonly pool: BufferPool;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private readonly inBatch = new Set<GPUBuffer>();
  private uniformsFree: GPUBuffer[] = [];
  private uniformsUsed: GPUBuffer[] = [];
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private error: string | null = null;
  lost: string | null = null;

  constructor(readonly device: GPUDevice) {
    this.pool = new BufferPool(device);
    device.addEventListener('uncapturederror', (e) => {
      this.error ??= (e as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => { this.lost = `${info.reason}: ${info.message}`; });
  }

  /** Throws the pending device error, if any, as a DescentError. */
  check(): void {
    if (this.lost !== null) {
      throw new DescentError('DEVICE_LOST', `webgpu: the device was lost (${this.lost}); call \`await init({ device: 'webgpu' })\` again`);
    }
    if (this.error !== null) {
      const msg = this.error;
      this.error = null;
      const oom = /out of memory|OOM|allocation/i.test(msg);
      throw new DescentError(oom ? 'OUT_OF_MEMORY' : 'UNSUPPORTED', `webgpu: the device reported an error: ${msg}`);
    }
  }

  pipeline(key: string, wgsl: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: wgsl() });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Whether recorded, unsubmitted commands use `b`. */
  uses(b: GPUBuffer): boolean {
    return this.inBatch.has(b);
  }

  private uniform(words: Uint32Array): GPUBuffer {
    const u = this.uniformsFree.pop() ?? this.device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(u, 0, words.buffer, words.byteOffset, words.byteLength);
    this.uniformsUsed.push(u);
    return u;
  }

  private computePass(): GPUComputePassEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    return this.pass;
  }

  /**
   * Records one dispatch: binding 0 is a 256-byte uniform block holding `words` (at most 64),
   * bindings 1.. are `buffers`; `groups` workgroups along x (kernels loop when more are needed).
   */
  dispatch(pipe: GPUComputePipeline, words: Uint32Array, buffers: GPUBuffer[], groups: number): void {
    this.check();
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniform(words) } }];
    buffers.forEach((buffer, i) => {
      entries.push({ binding: i + 1, resource: { buffer } });
      this.inBatch.add(buffer);
    });
    const pass = this.computePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, this.device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(Math.max(1, Math.min(groups, MAX_GROUPS)));
    if (++this.dispatches >= MAX_BATCH) this.flush();
  }

  /** Submits what was recorded. */
  flush(): void {
    if (this.pass) this.pass.end();
    this.pass = null;
    if (this.encoder) this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.dispatches = 0;
    this.inBatch.clear();
    this.uniformsFree.push(...this.uniformsUsed);
    this.uniformsUsed = [];
    this.pool.afterSubmit();
  }

  /** Copies `bytes` (a multiple of 4) from `src` at `offset` to the host, after everything recorded. */
  async read(src: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    this.check();
    const staging = this.device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      if (this.pass) this.pass.end();
      this.pass = null;
      this.encoder ??= this.device.createCommandEncoder();
      if (bytes > 0) this.encoder.copyBufferToBuffer(src, offset, staging, 0, bytes);
      this.flush();
      await staging.mapAsync(GPUMapMode.READ);
      return staging.getMappedRange(0, bytes).slice(0);
    } catch (e) {
      this.check();
      throw new DescentError('DEVICE_LOST', `webgpu: reading back failed: ${(e as Error).message}`);
    } finally {
      staging.destroy();
    }
  }
}
