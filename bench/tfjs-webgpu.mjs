// TensorFlow.js 4.22's webgpu backend in Node, for bench/webgpu.bench.mjs: the `webgpu` package
// (Dawn) stands in for the browser's navigator.gpu. A software adapter (Dawn's GL ES backend on
// llvmpipe) offers only WebGPU compatibility mode, so the adapter request asks for it there.
import * as tf from '@tensorflow/tfjs-core';

/** TensorFlow.js on its webgpu backend, or the reason it could not start. */
export async function tfjsOnWebgpu(software) {
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    if (software && process.env.EGL_PLATFORM === undefined) process.env.EGL_PLATFORM = 'surfaceless';
    const gpu = create(software ? ['backend=opengles'] : []);
    const requestAdapter = (o = {}) => gpu.requestAdapter(software ? { ...o, featureLevel: 'compatibility' } : o);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter, getPreferredCanvasFormat: () => 'rgba8unorm', wgslLanguageFeatures: gpu.wgslLanguageFeatures } }, configurable: true });
    await import('@tensorflow/tfjs-backend-webgpu'); // registers itself only where navigator.gpu exists
    if (!(await tf.setBackend('webgpu'))) return { tf: null, why: 'setBackend(webgpu) failed' };
    await tf.ready();
    return { tf, why: '' };
  } catch (e) {
    return { tf: null, why: e.message.split('\n')[0] };
  }
}
