// Fashion-MNIST (Xiao et al., 2017) as TensorDatasets: images f32 [N, 1, H, W] standardized with
// the training split's pixel mean and std, labels i32 [N]. With no `dir`, the repository's bundled
// copy of the 10,000-image test file is split (data/fashion-mnist-small/NOTICE.md); with `dir`, a
// full IDX folder gives 60,000 training images (split into train and validation) and the test set.

import { DescentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { nodeModule } from '../io/node.js';
import { type IdxArray, parseIdxAsync, readIdxFile } from './idx.js';
import { TensorDataset, permutation } from './dataset.js';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const BUNDLED_TEST = 2000; // images held out of the bundled file as its test set

export interface Normalization { mean: number; std: number }
export interface FashionMnist {
  train: TensorDataset; val: TensorDataset; test: TensorDataset;
  classes: string[]; normalization: Normalization;
}
export interface LoadOptions { dir?: string; valFraction?: number; seed?: number }

/** Images and labels of one IDX pair, checked against each other. */
export interface LabeledImages { images: IdxArray; labels: IdxArray }

/** Reads an images/labels IDX pair and checks counts and label range (errors name the file). */
export async function readLabeledImages(imagesPath: string, labelsPath: string, classes: number): Promise<LabeledImages> {
  return checkLabeledImages(await readIdxFile(imagesPath), imagesPath, await readIdxFile(labelsPath), labelsPath, classes);
}

/** Checks an images/labels pair against each other: shapes, counts and label range. */
function checkLabeledImages(images: IdxArray, imagesPath: string, labels: IdxArray, labelsPath: string, classes: number): LabeledImages {
  if (images.shape.length !== 3) throw new DescentError('INVALID_DATA', `${imagesPath}: expected images [N, H, W] (3 dimensions), got [${images.shape.join(', ')}]`);
  if (labels.shape.length !== 1) throw new DescentError('INVALID_DATA', `${labelsPath}: expected labels [N] (1 dimension), got [${labels.shape.join(', ')}]`);
  if (labels.shape[0] !== images.shape[0]) {
    throw new DescentError('INVALID_DATA', `${labelsPath}: ${labels.shape[0]} labels, but ${imagesPath} has ${images.shape[0]} images`);
  }
  const i = labels.data.findIndex((l) => l >= classes);
  if (i >= 0) throw new DescentError('INVALID_DATA', `${labelsPath}: label ${labels.data[i]} at index ${i} is out of range; expected 0..${classes - 1}`);
  return { images, labels };
}

/** Pixel mean and std (of x / 255) over the images `rows`. */
export function pixelStats(images: IdxArray, rows: Int32Array): Normalization {
  const size = images.shape[1] * images.shape[2];
  let s = 0, s2 = 0;
  for (const r of rows) for (let j = r * size; j < (r + 1) * size; j++) { const v = images.data[j] / 255; s += v; s2 += v * v; }
  const n = rows.length * size;
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 0)) || 1 };
}

/** The rows `rows` as a dataset: images ((x/255 − mean)/std) f32 [n, 1, H, W], labels i32 [n]. */
export function toDataset(src: LabeledImages, rows: Int32Array, norm: Normalization): TensorDataset {
  const [, h, w] = src.images.shape;
  const size = h * w;
  // one entry per byte value: the same arithmetic per pixel, done 256 times instead of per pixel
  const scaled = Float32Array.from({ length: 256 }, (_, v) => (v / 255 - norm.mean) / norm.std);
  const x = new Float32Array(rows.length * size);
  const y = new Int32Array(rows.length);
  rows.forEach((r, k) => {
    y[k] = src.labels.data[r];
    const image = src.images.data.subarray(r * size, (r + 1) * size);
    for (let j = 0; j < size; j++) x[k * size + j] = scaled[image[j]];
  });
  return new TensorDataset(tensor(x, { shape: [rows.length, 1, h, w] }), tensor(y));
}

function checkLoadOptions(o: LoadOptions, where: string, keys: string[]): Required<Omit<LoadOptions, 'dir'>> & { dir?: string } {
  if (o === null || typeof o !== 'object') throw new DescentError('BAD_OPTION', `${where}: expected options {${keys.map((k) => `${k}?`).join(', ')}}`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new DescentError('BAD_OPTION', `${where}: unknown option '${k}'; expected ${keys.join(', ')}`);
  const { dir, valFraction = 0.1, seed = 0 } = o;
  if (dir !== undefined && typeof dir !== 'string') throw new DescentError('BAD_OPTION', `${where}: dir must be a folder path, got ${typeof dir}`);
  if (typeof valFraction !== 'number' || !(valFraction > 0 && valFraction < 1)) throw new DescentError('BAD_OPTION', `${where}: valFraction must be in (0, 1), got ${String(valFraction)}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DescentError('BAD_OPTION', `${where}: seed must be a non-negative safe integer, got ${String(seed)}`);
  return { dir, valFraction, seed };
}

/** The bundled folder: data/fashion-mnist-small above this module (sources) or the bundle (build/). */
function bundledDir(): string {
  const fs = nodeModule('fs', 'loadFashionMnist', 'parseIdxAsync on fetched bytes');
  for (const up of ['../../', '../']) {
    const url = new URL(`${up}data/fashion-mnist-small/`, import.meta.url);
    if (url.protocol === 'file:' && fs.existsSync(url)) return decodeURIComponent(url.pathname);
  }
  throw new DescentError('BAD_ARGUMENT', 'loadFashionMnist: the bundled data/fashion-mnist-small/ folder is missing; pass {dir} with an IDX folder');
}

/**
 * Loads Fashion-MNIST (Node). Without `dir`: the bundled 10,000 images, 2,000 held out as test and
 * the rest split train/validation by `valFraction` (default 0.1) with a seeded shuffle.
 * @example const { train, val, test } = await loadFashionMnist();
 */
export async function loadFashionMnist(opts: LoadOptions = {}): Promise<FashionMnist> {
  const { dir, valFraction, seed } = checkLoadOptions(opts, 'loadFashionMnist', ['dir', 'valFraction', 'seed']);
  const classes = FASHION_CLASSES.length;
  const folder = (dir ?? bundledDir()).replace(/\/?$/, '/');
  const t10k = await readLabeledImages(`${folder}t10k-images-idx3-ubyte.gz`, `${folder}t10k-labels-idx1-ubyte.gz`, classes);
  const full = dir === undefined ? null
    : await readLabeledImages(`${folder}train-images-idx3-ubyte.gz`, `${folder}train-labels-idx1-ubyte.gz`, classes);
  return splitFashion(t10k, full, `loadFashionMnist: ${folder}`, valFraction, seed);
}

/**
 * The bundled subset from its two IDX files' bytes, split as loadFashionMnist() splits it: for
 * browsers, which fetch the files (data/fashion-mnist-small/t10k-{images-idx3,labels-idx1}-ubyte.gz).
 * @example const fm = await parseFashionMnist({ images: await get('t10k-images-idx3-ubyte.gz'), labels: await get('t10k-labels-idx1-ubyte.gz') });
 */
export async function parseFashionMnist(files: { images: Uint8Array; labels: Uint8Array }, opts: Omit<LoadOptions, 'dir'> = {}): Promise<FashionMnist> {
  const where = 'parseFashionMnist';
  const { valFraction, seed } = checkLoadOptions(opts, where, ['valFraction', 'seed']);
  if (!(files?.images instanceof Uint8Array) || !(files.labels instanceof Uint8Array)) {
    throw new DescentError('BAD_ARGUMENT', `${where}: expected {images, labels} as Uint8Arrays (the IDX files' bytes)`);
  }
  const images = await parseIdxAsync(files.images, 'images');
  const labels = await parseIdxAsync(files.labels, 'labels');
  return splitFashion(checkLabeledImages(images, 'images', labels, 'labels', FASHION_CLASSES.length), null, `${where}: the images`, valFraction, seed);
}

/** Train/validation/test datasets of the test file `t10k` (held-out split) or, with `full`, of both files; `source` prefixes errors. */
function splitFashion(t10k: LabeledImages, full: LabeledImages | null, source: string, valFraction: number, seed: number): FashionMnist {
  const trainSrc = full ?? t10k;
  const pool = full === null ? t10k.images.shape[0] - BUNDLED_TEST : full.images.shape[0];
  if (pool < 2) throw new DescentError('INVALID_DATA', `${source} has ${pool} training images; expected at least 2`);
  const order = permutation(pool, seed, 0);
  const nVal = Math.min(Math.max(1, Math.round(valFraction * pool)), pool - 1);
  const valRows = order.slice(0, nVal), trainRows = order.slice(nVal);
  const testRows = full === null
    ? Int32Array.from({ length: BUNDLED_TEST }, (_, i) => pool + i)
    : Int32Array.from({ length: t10k.images.shape[0] }, (_, i) => i);
  const norm = pixelStats(trainSrc.images, trainRows);
  return {
    train: toDataset(trainSrc, trainRows, norm),
    val: toDataset(trainSrc, valRows, norm),
    test: toDataset(t10k, testRows, norm),
    classes: [...FASHION_CLASSES],
    normalization: norm,
  };
}
