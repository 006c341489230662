// Data: IDX files, datasets, loaders and Fashion-MNIST. Node-only entry points (files) say so;
// browsers fetch bytes and call parseIdxAsync.

export { parseIdx, parseIdxAsync, readIdxFile, type IdxArray } from './idx.js';
export { TensorDataset, DataLoader, permutation, randomSplit, type DataLoaderOptions } from './dataset.js';
export { loadFashionMnist, parseFashionMnist, readLabeledImages, pixelStats, toDataset, FASHION_CLASSES,
  type FashionMnist, type LoadOptions, type Normalization, type LabeledImages } from './fashion.js';
