// Host ordering of one line for sort and topk. Values that f32 holds exactly (f32, f16, bf16) get
// one f64 key each: the f32 bits mapped to an unsigned order (NaN above +Inf, as torch), flipped
// for descending, times 2^21 plus the index. Keys are distinct and their numeric order is the
// stable order, so the engine's native numeric sort and a quickselect (Hoare 1961) need no
// comparator. Other dtypes (f64, i32) and longer lines sort indices with a comparator.

const INDEX_BITS = 2 ** 21;
const bits = new Uint32Array(1);
const asF32 = new Float32Array(bits.buffer);

/** An unsigned 32-bit key whose order is the float order of v; every NaN maps above +Inf. */
function orderKey(v: number): number {
  if (Number.isNaN(v)) return 0xffffffff;
  asF32[0] = v === 0 ? 0 : v; // -0 equals 0 (ties go by index)
  const b = bits[0];
  return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}

/** Moves the k smallest of the distinct keys in `a` to a[0..k) (in any order), in place. */
function select(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}

/** a before b? NaN is the largest value; equal values keep index order (stable both ways). */
function comparator(v: ArrayLike<number>, base: number, descending: boolean): (i: number, j: number) => number {
  return (i, j) => {
    const a = v[base + i];
    const b = v[base + j];
    const c = Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0;
    return (descending ? -c : c) || i - j;
  };
}

/**
 * Writes into out[outBase..outBase+k) the indices of the first k entries of the line
 * v[base..base+n) in sorted order (ascending, or descending), ties by index.
 */
export function orderLine(v: ArrayLike<number>, base: number, n: number, k: number, descending: boolean,
  out: Float64Array | Float32Array, outBase: number): void {
  if (!(v instanceof Float32Array) || n > INDEX_BITS) {
    const idx = Array.from({ length: n }, (_, i) => i).sort(comparator(v, base, descending));
    for (let i = 0; i < k; i++) out[outBase + i] = idx[i];
    return;
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const key = orderKey(v[base + i]);
    keys[i] = (descending ? 0xffffffff - key : key) * INDEX_BITS + i;
  }
  if (k < n) select(keys, k);
  const top = keys.subarray(0, k).sort();
  for (let i = 0; i < k; i++) out[outBase + i] = top[i] % INDEX_BITS;
}
