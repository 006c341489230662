// Global engine state: registered backends, the default device, tidy scopes and live-memory
// accounting. Everything here is per-process; tensors never reach into it except through the
// helpers below.

import { type Backend, DEVICES, type Device, type Storage } from './backend/backend.js';
import { DescentError } from './errors.js';
import type { Tensor } from './tensor.js';

const backends = new Map<Device, Backend>();

let defaultDevice: Device | null = null;
/** Why there is no default device: the default device failed to load at import. */
let loadFailure: string | null = null;
/** The last change of default device, and the first tensor id made after it (for mismatch messages). */
let lastSwitch: { from: Device; to: Device; firstId: number } | null = null;
let tensorCount = 0;

/** Tensor ids count up from 1, so an id tells whether a tensor predates a default-device change. */
export function nextTensorId(): number {
  return ++tensorCount;
}

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
  if (defaultDevice !== null && defaultDevice !== d) lastSwitch = { from: defaultDevice, to: d, firstId: tensorCount + 1 };
  defaultDevice = d;
  loadFailure = null;
}

/** Records why the default device could not be loaded at import; ops then say so. */
export function defaultDeviceFailed(cause: unknown): void {
  loadFailure = cause instanceof Error ? cause.message : String(cause);
}

export function getDefaultDevice(): Device {
  if (defaultDevice === null) {
    throw new DescentError('NOT_INITIALIZED', loadFailure === null
      ? 'no default device: call `await init()` first (or pass { device: "reference" })'
      : `no default device: the wasm device failed to load when descent was imported (${loadFailure}); ` +
        'fix that and call `await init()`, or use `await init({ device: "reference" })`');
  }
  return defaultDevice;
}

/**
 * Why two tensors sit on different devices, when the default-device history explains it: the one
 * on the old default was made before init({ device }) switched to the other's device.
 */
export function mismatchCause(a: { id: number; device: Device }, b: { id: number; device: Device }): string {
  const s = lastSwitch;
  if (s === null) return '';
  const [old, cur] = a.device === s.from ? [a, b] : [b, a];
  if (old.device !== s.from || cur.device !== s.to || old.id >= s.firstId || cur.id < s.firstId) return '';
  return ` (tensor #${old.id} was made on '${s.from}' before init({ device: '${s.to}' }) changed the default device)`;
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

/**
 * Live tensors and bytes of tensor storage per device (views share bytes; scratch is not counted),
 * every device listed so `memory().wasm` needs no undefined check.
 */
export function memory(): Record<Device, Usage> {
  const out = {} as Record<Device, Usage>;
  for (const d of DEVICES) out[d] = { tensors: usage.get(d)?.tensors ?? 0, bytes: usage.get(d)?.bytes ?? 0 };
  return out;
}

// ---- tidy scopes --------------------------------------------------------------------------

export interface Disposable { dispose(): void; readonly isDisposed: boolean }
const scopes: Disposable[][] = [];

export function trackInScope(t: Disposable): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
  else if (nurseryOpen) addToNursery(t as Tensor);
}

export function pushScope(): void {
  scopes.push(spareScopes.pop() ?? []);
}

/** Emptied scope arrays, reused by pushScope: every op opens a scope, so this spares an allocation per op. */
const spareScopes: Disposable[][] = [];

/**
 * Disposes what the innermost scope made, except what `keep` names (one result, a few in an
 * array, or a set of them; moved to the outer scope).
 */
export function popScope(keep?: Disposable | readonly Disposable[] | ReadonlySet<Disposable>): void {
  const made = scopes.pop()!;
  for (const t of made) {
    const kept = keep instanceof Set ? keep.has(t) : Array.isArray(keep) ? keep.includes(t) : t === keep;
    if (kept) trackInScope(t);
    else if (!t.isDisposed) t.dispose();
  }
  made.length = 0;
  spareScopes.push(made);
}

/** Pops the innermost scope and hands over what it made, freeing nothing (host-reads.ts collects). */
export function takeScope(): Disposable[] {
  return scopes.pop()!;
}

/** Removes a tensor from every open scope so tidy() will not free it. */
export function untrack(t: Disposable): void {
  nursery.delete(t as Tensor);
  for (const s of scopes) {
    const i = s.indexOf(t);
    if (i >= 0) s.splice(i, 1);
  }
}

// ---- the step nursery ---------------------------------------------------------------------

// Tensors made outside every tidy scope since the last sweep (lifetime.ts: each optimizer step,
// a crowded Module.call, and the end of the JS job that made them). It opens at the first step:
// what came before is setup (data, models).
const nursery = new Set<Tensor>();
let nurseryOpen = false;
let sweepQueued = false;

function addToNursery(t: Tensor): void {
  nursery.add(t);
  // The nursery also ends with the job (a macrotask later, where no op or tidy is in flight), so
  // async code keeps no dropped tensor from the garbage collector and frees device memory as a
  // step would; a synchronous training loop is one job and is swept by its steps.
  if (sweepQueued) return;
  sweepQueued = true;
  const timer: unknown = setTimeout(() => {
    sweepQueued = false;
    sweepNursery();
  }, 0);
  (timer as { unref?: () => void }).unref?.();
}

export function openNursery(): void {
  nurseryOpen = true;
}

/** How many tensors wait for the sweep (0 while no tidy-free safe point: inside a tidy scope). */
export function nurserySize(): number {
  return scopes.length === 0 ? nursery.size : 0;
}

/**
 * Parks every tensor of the nursery that can be parked (Tensor.park): not disposed, not a leaf
 * that requires grad (a parameter), held by no live graph, its own graph released, and sharing
 * its storage with no other handle; the others wait for the next sweep (parameters leave).
 */
export function sweepNursery(): void {
  for (const t of nursery) {
    // A device that reads only asynchronously (webgpu) cannot park in this synchronous sweep.
    const unparkable = t.isDisposed || t.isParked || (t.requiresGrad && t.gradFn === null) || t.backend.readAsync !== undefined;
    if (unparkable) nursery.delete(t);
    else if (!t.isHeld && !t.gradFn?.backward && t.storage.refs === 1) {
      nursery.delete(t);
      // Parking is best effort: a tensor its device can no longer read (made in a wasm runtime that
      // init({ build }) replaced) stays as it is, and its own next use reports why.
      try { t.park(); } catch (e) { if (!(e instanceof DescentError)) throw e; }
    }
  }
}

/** A parked tensor copied back to its device is swept again (until Tensor says it is live). */
export function noteUnparked(t: Tensor): void {
  addToNursery(t);
}
