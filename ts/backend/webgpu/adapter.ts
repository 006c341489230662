// Finding a WebGPU adapter and opening a device. In browsers it is navigator.gpu; in Node the npm
// package `webgpu` (Dawn), imported lazily under a computed name so bundles and wasm-only installs
// never pull it. Software adapters (SwiftShader, llvmpipe, lavapipe) are used only when asked for
// by name: `adapter: 'software'` or the env var DESCENT_WEBGPU_ADAPTER=software. Without a
// hardware driver Dawn finds llvmpipe through its OpenGL ES backend in compatibility mode, which
// needs EGL_PLATFORM=surfaceless on a headless machine (set here when unset).

import { DescentError } from '../../errors.js';
import type { AdapterChoice } from '../devices.js';

export type { AdapterChoice };
type EnvChoice = AdapterChoice | 'none';

export interface GpuContext {
  readonly device: GPUDevice;
  /** "vendor architecture (description)" as the adapter reports it. */
  readonly name: string;
  readonly software: boolean;
  readonly shaderF16: boolean;
  readonly featureLevel: 'core' | 'compatibility';
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

// The limits our kernels need above WebGPU's defaults (compatibility defaults are lower still).
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'maxBufferSize',
] as const;

type Gpu = GPU;
type Dawn = { create(flags: string[]): Gpu; globals: object };
let dawn: Dawn | null | undefined;
const instances = new Map<string, Gpu>();

const env = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

/** The adapter choice in force: the option, else DESCENT_WEBGPU_ADAPTER, else hardware only. */
export function adapterChoice(opt: AdapterChoice | undefined): EnvChoice {
  const e = env('DESCENT_WEBGPU_ADAPTER');
  return opt ?? (e === 'software' || e === 'any' || e === 'none' ? e : 'hardware');
}

/** Node's `webgpu` package (once), or null when it is not installed. */
async function loadDawn(): Promise<Dawn | null> {
  if (dawn !== undefined) return dawn;
  const name = ['web', 'gpu'].join(''); // computed: bundlers must not follow it
  try {
    dawn = (await import(/* @vite-ignore */ name)) as Dawn;
  } catch {
    return (dawn = null);
  }
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, ... as in a browser
  return dawn;
}

/** A Dawn instance with `flags`, made on first use (the GL one only when software is allowed). */
async function nodeGpu(flags: string[]): Promise<Gpu | null> {
  const d = await loadDawn();
  if (!d) return null;
  const key = flags.join(' ');
  if (!instances.has(key)) {
    const p = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
    if (p && flags.includes('backend=opengles') && p.env.EGL_PLATFORM === undefined) p.env.EGL_PLATFORM = 'surfaceless';
    instances.set(key, d.create(flags));
  }
  return instances.get(key)!;
}

function describeAdapter(a: GPUAdapter): { name: string; software: boolean } {
  const i = a.info ?? ({} as GPUAdapterInfo);
  const name = [i.vendor, i.architecture, i.description ? `(${i.description})` : ''].filter(Boolean).join(' ') || 'unknown adapter';
  const fallback = (i as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { name, software: fallback || SOFTWARE.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`) };
}

/** The first adapter matching `choice`: hardware first, then software routes when allowed. */
async function findAdapter(choice: AdapterChoice): Promise<{ adapter: GPUAdapter; level: 'core' | 'compatibility' } | null> {
  const routes: { gpu: Gpu | null | undefined; opts: GPURequestAdapterOptions; level: 'core' | 'compatibility' }[] = [];
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
  if (nav) {
    routes.push({ gpu: nav, opts: { powerPreference: 'high-performance' }, level: 'core' });
  } else {
    routes.push({ gpu: await nodeGpu([]), opts: { powerPreference: 'high-performance' }, level: 'core' });
    if (choice !== 'hardware') {
      routes.push({ gpu: await nodeGpu(['backend=opengles']), opts: { featureLevel: 'compatibility' } as GPURequestAdapterOptions, level: 'compatibility' });
    }
  }
  for (const r of routes) {
    const adapter = r.gpu ? await r.gpu.requestAdapter(r.opts).catch(() => null) : null;
    if (!adapter) continue;
    const { software } = describeAdapter(adapter);
    if (choice === 'hardware' && software) continue;
    if (choice === 'software' && !software) continue;
    return { adapter, level: r.level };
  }
  return null;
}

/** Opens a device on the adapter `choice` names, or returns null when there is none. */
export async function openGpu(choice: AdapterChoice): Promise<GpuContext | null> {
  const found = await findAdapter(choice);
  if (!found) return null;
  const { adapter, level } = found;
  const shaderF16 = adapter.features.has('shader-f16');
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: shaderF16 ? ['shader-f16'] : [], requiredLimits });
  } catch (e) {
    throw new DescentError('UNSUPPORTED', `webgpu: the adapter ${describeAdapter(adapter).name} refused a device: ${(e as Error).message}`);
  }
  return { device, ...describeAdapter(adapter), shaderF16, featureLevel: level };
}
