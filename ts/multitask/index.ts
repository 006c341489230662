// multitask: shared body + heads, loss weighting (fixed, uncertainty), PCGrad, MGDA / MGDA-UB.
export { MultiTaskNet } from './model.js';
export { weightedSum, UncertaintyWeighting } from './weighting.js';
export { pcgrad, minNormWeights, mgdaUB } from './gradients.js';
