// sam: sharpness-aware minimization (SAM, adaptive SAM) and sharpness measurements.
export { SAM, type SAMOptions } from './sam.js';
export { maxLossInBall, topHessianEigenvalue, type WeightLoss } from './sharpness.js';
