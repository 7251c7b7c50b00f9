/** Sub-buckets per power of two: values are kept to within 1/64 (about 1.6 %). */
const SUB_BUCKET_BITS = 6;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
/** Values up to 2^40 microseconds (about 12 days) fit; larger ones land in the last bucket. */
const MAX_EXPONENT = 40;

/**
 * A latency histogram in fixed memory, for millions of samples: values below 128 µs are counted
 * exactly, larger ones in log-linear buckets (64 per power of two), in the manner of HdrHistogram.
 * Count, mean, min and max are exact; percentiles are accurate to about 1.6 %.
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(2 * SUB_BUCKETS + MAX_EXPONENT * SUB_BUCKETS);
  #count = 0;
  #sumUs = 0;
  #minUs = Number.POSITIVE_INFINITY;
  #maxUs = 0;

  /** Records one latency in milliseconds (fractions kept to the microsecond). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.#counts[bucketOf(us)]++;
    this.#count++;
    this.#sumUs += us;
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  get count(): number {
    return this.#count;
  }

  /** Mean latency in ms (0 without samples). */
  get meanMs(): number {
    return this.#count === 0 ? 0 : this.#sumUs / this.#count / 1000;
  }

  get minMs(): number {
    return this.#count === 0 ? 0 : this.#minUs / 1000;
  }

  get maxMs(): number {
    return this.#maxUs / 1000;
  }

  /** The latency in ms that `q` (0..1) of the samples do not exceed (0 without samples). */
  percentileMs(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(this.#maxUs, Math.max(this.#minUs, bucketValue(i))) / 1000;
    }
    return this.#maxUs / 1000;
  }
}

/** Bucket index of a value in µs: exact below 2·SUB_BUCKETS, then SUB_BUCKETS per power of two. */
function bucketOf(us: number): number {
  if (us < 2 * SUB_BUCKETS) return us;
  const exponent = Math.min(MAX_EXPONENT, Math.floor(Math.log2(us)) - SUB_BUCKET_BITS);
  const shift = 2 ** exponent;
  const sub = Math.max(0, Math.min(SUB_BUCKETS - 1, Math.floor(us / shift) - SUB_BUCKETS));
  return 2 * SUB_BUCKETS + (exponent - 1) * SUB_BUCKETS + sub;
}

/** The middle of a bucket's range, in µs. */
function bucketValue(index: number): number {
  if (index < 2 * SUB_BUCKETS) return index;
  const exponent = Math.floor((index - 2 * SUB_BUCKETS) / SUB_BUCKETS) + 1;
  const sub = ((index - 2 * SUB_BUCKETS) % SUB_BUCKETS) + SUB_BUCKETS;
  const shift = 2 ** exponent;
  return sub * shift + shift / 2;
}
