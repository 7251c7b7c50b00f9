import type { RecordInput } from "../../src/index.js";

/** mulberry32: a small seeded PRNG, so every random test replays from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

export function randomBytes(random: () => number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (random() * 256) | 0;
  return b;
}

export const T0 = 1_700_000_000_000;

/** A mix of the shapes records take: null and empty keys and values, headers with null values, unicode. */
export function sampleRecords(count: number, seed = 1): RecordInput[] {
  const random = seededRandom(seed);
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const shape = i % 6;
    records.push({
      key: shape === 0 ? null : shape === 1 ? Buffer.alloc(0) : Buffer.from(`key-${i}`),
      value:
        shape === 2
          ? null
          : shape === 3
            ? Buffer.alloc(0)
            : Buffer.from(`value ${i} ${"x".repeat(randomInt(random, 40))}`),
      headers:
        shape === 4
          ? [
              { key: "trace-id", value: Buffer.from(`t${i}`) },
              { key: "", value: null },
              { key: "ünïcode-ключ", value: Buffer.alloc(0) },
            ]
          : undefined,
      timestamp: T0 + i * 3 - (shape === 5 ? 1000 : 0),
    });
  }
  return records;
}
