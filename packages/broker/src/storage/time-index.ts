/**
 * The sparse time index of a segment (`<baseOffset>.timeindex`): maps timestamps to offsets so
 * ListOffsets by timestamp does not scan the segment. Kafka's layout: 12-byte entries of
 * timestamp int64 | relativeOffset int32. An entry (T, O) says: the largest timestamp of the
 * batches up to offset O is T, and O's batch is the first to reach it. Timestamps strictly
 * increase, so the index is monotonic and binary-searchable; entries are added at the same
 * index interval as the offset index, when the segment's max timestamp has grown, plus one final
 * entry when the segment stops being active.
 */

import { readInt64, writeInt64 } from "./file-batch-cursor.js";
import type { FileSystem } from "./file-system.js";
import { readIndexEntries, SparseIndex } from "./sparse-index.js";
import { StorageError } from "./storage-error.js";

export const TIME_INDEX_ENTRY_SIZE = 12;
const INT32_MAX = 0x7fffffff;
/** Timestamp of "no timestamp" in a batch. */
export const NO_TIMESTAMP = -1;

export interface TimestampOffset {
  readonly timestamp: number;
  readonly offset: number;
}

/** Keys: timestamps; values: offsets relative to the base offset. */
export class TimeIndex extends SparseIndex<Float64Array> {
  static create(fs: FileSystem, path: string, baseOffset: number, maxIndexBytes: number): TimeIndex {
    const { file, maxEntries, capacity } = SparseIndex.newFile(
      fs,
      path,
      TIME_INDEX_ENTRY_SIZE,
      maxIndexBytes,
    );
    return new TimeIndex(
      file,
      baseOffset,
      maxEntries,
      new Float64Array(capacity),
      new Int32Array(capacity),
      0,
    );
  }

  /**
   * Loads and sanity-checks a time index: whole entries, strictly increasing timestamps,
   * non-decreasing offsets, offsets below `maxOffsetExclusive` when given. Throws CORRUPT when
   * missing or insane.
   */
  static load(
    fs: FileSystem,
    path: string,
    baseOffset: number,
    maxIndexBytes: number,
    maxOffsetExclusive?: number,
  ): TimeIndex {
    const { content, entries } = readIndexEntries(fs, path, TIME_INDEX_ENTRY_SIZE, "time index");
    const ts = new Float64Array(Math.max(1, entries));
    const rel = new Int32Array(Math.max(1, entries));
    for (let i = 0; i < entries; i++) {
      const t = readInt64(content, i * TIME_INDEX_ENTRY_SIZE);
      const r = content.readInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8);
      const bad =
        t < 0 ||
        r < 0 ||
        (maxOffsetExclusive !== undefined && baseOffset + r >= maxOffsetExclusive) ||
        (i > 0 && (t <= ts[i - 1]! || r < rel[i - 1]!));
      if (bad)
        throw new StorageError(
          "CORRUPT",
          `time index ${path}: entry ${i} (${t}, ${r}) is out of order or range`,
        );
      ts[i] = t;
      rel[i] = r;
    }
    const { file, maxEntries } = SparseIndex.loadedFile(
      fs,
      path,
      TIME_INDEX_ENTRY_SIZE,
      entries,
      maxIndexBytes,
    );
    return new TimeIndex(file, baseOffset, maxEntries, ts, rel, entries);
  }

  /** Full one entry early, as Kafka's: the final entry of a segment always has room. */
  get isFull(): boolean {
    return this.entries >= this.maxEntries - 1;
  }

  /** The last entry, or (NO_TIMESTAMP, baseOffset) when empty. */
  lastEntry(): TimestampOffset {
    if (this.entries === 0) return { timestamp: NO_TIMESTAMP, offset: this.baseOffset };
    return this.entry(this.entries - 1);
  }

  entry(i: number): TimestampOffset {
    return { timestamp: this.keys[i]!, offset: this.baseOffset + this.values[i]! };
  }

  /**
   * Adds (timestamp, offset) when timestamp is larger than the last entry's; `final` may use the
   * one slot `isFull` keeps in reserve. Returns whether an entry was added.
   */
  maybeAppend(timestamp: number, offset: number, final = false): boolean {
    const n = this.entries;
    if (n >= this.maxEntries || (!final && this.isFull)) return false;
    const last = this.lastEntry();
    if (timestamp <= last.timestamp) return false;
    if (n > 0 && offset < last.offset) {
      throw new StorageError("INVALID_ARGUMENT", `time index offset ${offset} goes back from ${last.offset}`);
    }
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > INT32_MAX) {
      throw new StorageError(
        "INVALID_ARGUMENT",
        `offset ${offset} does not fit the time index of segment ${this.baseOffset}`,
      );
    }
    this.push(timestamp, rel);
    return true;
  }

  /**
   * The entry with the largest timestamp at or below `timestamp`, or (NO_TIMESTAMP, baseOffset):
   * no batch before that entry's offset has a timestamp of `timestamp` or more.
   */
  lookup(timestamp: number): TimestampOffset {
    const found = this.floor(timestamp);
    return found < 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(found);
  }

  /** Removes the entries whose offset is at or above `offset`. */
  truncateTo(offset: number): void {
    let n = this.entries;
    while (n > 0 && this.baseOffset + this.values[n - 1]! >= offset) n--;
    this.truncateToEntries(n);
  }

  protected writeEntry(buf: Buffer, at: number, i: number): void {
    writeInt64(buf, this.keys[i]!, at);
    buf.writeInt32BE(this.values[i]!, at + 8);
  }
}
