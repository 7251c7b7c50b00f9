/**
 * The log cleaner's key → latest offset map (Kafka's OffsetMap): built over the dirty part of a
 * log, then consulted record by record to decide what stays. Like Kafka's it stores a 128-bit hash
 * of each key, never the key itself, so memory is bounded whatever the key sizes: 24 bytes a slot
 * (16 of hash, 8 of offset), at most `maxBytes` (log.cleaner.dedupe.buffer.size divided among the
 * cleaner threads). The table starts small and doubles as it fills, so a log with few keys never
 * pays for the whole buffer; once at its largest it is "full" at `loadFactor` of its slots
 * (log.cleaner.io.buffer.load.factor), and the cleaner then cleans up to where the map got.
 *
 * Open addressing with double hashing (the step comes from another word of the hash and is odd,
 * so every slot of the power-of-two table is visited). Two different keys sharing all 128 bits
 * would make the cleaner drop the older one's latest record; with a good 128-bit hash that is
 * as unlikely as it is for Kafka's MD5.
 */

import { StorageError } from "./storage-error.js";

/** Bytes a slot takes: the four 32-bit words of the hash and a float64 offset. */
export const BYTES_PER_ENTRY = 24;
const INITIAL_SLOTS = 1024;
/** Below the largest table, grow at this load (short probe sequences). */
const GROW_AT = 0.5;
const EMPTY = -1;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function word(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/** Bytes `i…end` (at most four) as a little-endian word. */
function tailWord(b: Uint8Array, i: number, end: number): number {
  let k = 0;
  for (let j = Math.min(end, i + 4) - 1; j >= i; j--) k = (k << 8) | b[j]!;
  return k;
}

/**
 * MurmurHash3 (x86, 128-bit, seed 0) of `key`, written to `out[0..3]`. A public-domain hash with
 * good distribution that runs at memory speed in JavaScript (node:crypto's MD5 costs a native call
 * per key, several times slower for the short keys compacted topics have).
 */
export function hashKey(key: Uint8Array, out: Int32Array): void {
  const len = key.length;
  const blocks = len & ~15;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = word(key, i);
    let k2 = word(key, i + 4);
    let k3 = word(key, i + 8);
    let k4 = word(key, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  const rest = len & 15;
  if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(tailWord(key, blocks + 12, len), C4), 18), C1);
  if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(tailWord(key, blocks + 8, len), C3), 17), C4);
  if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(tailWord(key, blocks + 4, len), C2), 16), C3);
  if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(tailWord(key, blocks, len), C1), 15), C2);
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  out[0] = h1;
  out[1] = (h2 + h1) | 0;
  out[2] = (h3 + h1) | 0;
  out[3] = (h4 + h1) | 0;
}

export class CleanerOffsetMap {
  /** The most slots the memory bound allows (a power of two). */
  readonly maxSlots: number;
  /** Entries the map takes before it is full. */
  readonly maxEntries: number;
  #hashes: Int32Array;
  #offsets: Float64Array;
  #mask: number;
  #size = 0;
  #latestOffset = -1;
  readonly #hash = new Int32Array(4);

  constructor(maxBytes: number, loadFactor = 0.9) {
    let slots = 64;
    while (slots * 2 * BYTES_PER_ENTRY <= maxBytes) slots *= 2;
    this.maxSlots = slots;
    this.maxEntries = Math.max(1, Math.floor(slots * Math.min(Math.max(loadFactor, 0.1), 0.95)));
    const initial = Math.min(INITIAL_SLOTS, slots);
    this.#hashes = new Int32Array(initial * 4);
    this.#offsets = new Float64Array(initial).fill(EMPTY);
    this.#mask = initial - 1;
  }

  /** Keys in the map. */
  get size(): number {
    return this.#size;
  }

  /** The largest offset put, or -1. */
  get latestOffset(): number {
    return this.#latestOffset;
  }

  /** Bytes the table takes now. */
  get bytes(): number {
    return this.#offsets.length * BYTES_PER_ENTRY;
  }

  /** Whether `more` further keys might not fit. */
  wouldOverflow(more: number): boolean {
    return this.#size + more > this.maxEntries;
  }

  /** Records `offset` as the latest offset of `key` (offsets are put in increasing order). */
  put(key: Uint8Array, offset: number): void {
    hashKey(key, this.#hash);
    let slot = this.#find(this.#hash);
    if (this.#offsets[slot] === EMPTY) {
      if (this.#size >= this.maxSlots - 1) {
        throw new StorageError("INVALID_CONFIG", "log.cleaner.dedupe.buffer.size is too small for one batch");
      }
      if (this.#size + 1 > this.#offsets.length * GROW_AT && this.#offsets.length < this.maxSlots) {
        this.#grow();
        slot = this.#find(this.#hash);
      }
      const h = this.#hash;
      const at = slot * 4;
      this.#hashes[at] = h[0]!;
      this.#hashes[at + 1] = h[1]!;
      this.#hashes[at + 2] = h[2]!;
      this.#hashes[at + 3] = h[3]!;
      this.#size++;
    }
    this.#offsets[slot] = offset;
    if (offset > this.#latestOffset) this.#latestOffset = offset;
  }

  /** The latest offset of `key`, or -1 when the map does not have it. */
  get(key: Uint8Array): number {
    hashKey(key, this.#hash);
    return this.#offsets[this.#find(this.#hash)]!;
  }

  clear(): void {
    this.#offsets.fill(EMPTY);
    this.#size = 0;
    this.#latestOffset = -1;
  }

  /** The slot holding `hash`, or the empty slot where it would go. */
  #find(hash: Int32Array): number {
    const hashes = this.#hashes;
    const offsets = this.#offsets;
    const mask = this.#mask;
    const h0 = hash[0]!;
    const h1 = hash[1]!;
    const h2 = hash[2]!;
    const h3 = hash[3]!;
    const step = (h1 | 1) & mask || 1;
    let slot = h0 & mask;
    for (;;) {
      if (offsets[slot] === EMPTY) return slot;
      const at = slot * 4;
      if (hashes[at] === h0 && hashes[at + 1] === h1 && hashes[at + 2] === h2 && hashes[at + 3] === h3) {
        return slot;
      }
      slot = (slot + step) & mask;
    }
  }

  #grow(): void {
    const oldHashes = this.#hashes;
    const oldOffsets = this.#offsets;
    const slots = oldOffsets.length * 2;
    this.#hashes = new Int32Array(slots * 4);
    this.#offsets = new Float64Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
    const h = new Int32Array(4);
    for (let i = 0; i < oldOffsets.length; i++) {
      const offset = oldOffsets[i]!;
      if (offset === EMPTY) continue;
      h.set(oldHashes.subarray(i * 4, i * 4 + 4));
      const slot = this.#find(h);
      this.#hashes.set(h, slot * 4);
      this.#offsets[slot] = offset;
    }
  }
}
