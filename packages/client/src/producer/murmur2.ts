/**
 * MurmurHash2, 32-bit, as Kafka's Java client computes it for keyed records
 * (`Utils.murmur2`, seed 0x9747b28c): the 4-byte blocks are read little-endian, the tail bytes
 * folded in, then the final avalanche. Java's int overflow is reproduced with Math.imul and `| 0`.
 * Returns a signed 32-bit integer, exactly Java's value.
 */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const blocksEnd = start + (length & ~3);
  for (let i = start; i < blocksEnd; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[blocksEnd + 2] << 16;
  if (tail >= 2) h ^= data[blocksEnd + 1] << 8;
  if (tail >= 1) {
    h ^= data[blocksEnd];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs, which differs for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

const scratch = Buffer.allocUnsafe(4096);

/** murmur2 of a key given as bytes or as a string (hashed as its UTF-8 bytes, as Java's StringSerializer sends it). */
export function murmur2Key(key: Uint8Array | string): number {
  if (typeof key !== "string") return murmur2(key);
  if (key.length * 3 <= scratch.length) return murmur2(scratch, 0, scratch.write(key, 0, "utf8"));
  return murmur2(Buffer.from(key, "utf8"));
}

/** The partition Kafka's default partitioner (Java, librdkafka murmur2_random) picks for a key. */
export function partitionForKey(key: Uint8Array | string, partitionCount: number): number {
  return toPositive(murmur2Key(key)) % partitionCount;
}
