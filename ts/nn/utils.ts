// nn.utils: PyTorch's torch.nn.utils home of the gradient clipping functions (implemented in optim/clip.ts).
export { clipGradNorm, clipGradNormTensor, clipGradValue } from '../optim/clip.js';
