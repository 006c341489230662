// Global engine state: registered backends, the default device, tidy scopes and live-memory
// accounting. Everything here is per-process; tensors never reach into it except through the
// helpers below.

import type { Backend, Device, Storage } from './backend/backend.js';
import { DescentError } from './errors.js';

const backends = new Map<Device, Backend>();

let defaultDevice: Device | null = null;

export function registerBackend(b: Backend): void {
  backends.set(b.device, b);
}

export function getBackend(device: Device): Backend {
  const b = backends.get(device);
  if (!b) {
    throw new DescentError('NOT_INITIALIZED', device === 'reference'
      ? 'reference backend missing (internal error)'
      : `device '${device}' is not initialized; call \`await init({ device: '${device}' })\` first`);
  }
  return b;
}

export function hasBackend(device: Device): boolean {
  return backends.has(device);
}

export function setDefaultDevice(d: Device): void {
  getBackend(d);
  defaultDevice = d;
}

export function getDefaultDevice(): Device {
  if (defaultDevice === null) {
    throw new DescentError('NOT_INITIALIZED', 'no default device: call `await init()` first (or pass { device: "reference" })');
  }
  return defaultDevice;
}

// ---- live memory accounting ---------------------------------------------------------------

interface Usage { tensors: number; bytes: number }
const usage = new Map<Device, Usage>();

function usageOf(d: Device): Usage {
  let u = usage.get(d);
  if (!u) usage.set(d, (u = { tensors: 0, bytes: 0 }));
  return u;
}

export function countTensor(d: Device, delta: number): void {
  usageOf(d).tensors += delta;
}

export function retainStorage(s: Storage): void {
  if (s.refs++ === 0) usageOf(s.device).bytes += s.bytes;
}

export function releaseStorage(s: Storage): void {
  if (--s.refs === 0) {
    usageOf(s.device).bytes -= s.bytes;
    getBackend(s.device).free(s);
  }
}

/** Live tensors and bytes of tensor storage per device (views share bytes; scratch is not counted). */
export function memory(): Record<string, Usage> {
  const out: Record<string, Usage> = {};
  for (const [d, u] of usage) out[d] = { tensors: u.tensors, bytes: u.bytes };
  for (const d of backends.keys()) out[d] ??= { tensors: 0, bytes: 0 };
  return out;
}

// ---- tidy scopes --------------------------------------------------------------------------

export interface Disposable { dispose(): void; readonly isDisposed: boolean }
const scopes: Disposable[][] = [];

export function trackInScope(t: Disposable): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
}

export function pushScope(): void {
  scopes.push([]);
}

/** Disposes what the innermost scope made, except what `keep` holds (moved to the outer scope). */
export function popScope(keep: Set<Disposable>): void {
  const made = scopes.pop()!;
  for (const t of made) {
    if (keep.has(t)) trackInScope(t);
    else if (!t.isDisposed) t.dispose();
  }
}

/** Removes a tensor from every open scope so tidy() will not free it. */
export function untrack(t: Disposable): void {
  for (const s of scopes) {
    const i = s.indexOf(t);
    if (i >= 0) s.splice(i, 1);
  }
}
