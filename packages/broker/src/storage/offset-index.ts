/**
 * The sparse offset index of a segment (`<baseOffset>.index`): maps offsets to file positions,
 * one entry every index.interval.bytes of batches. Kafka's layout: 8-byte entries of
 * relativeOffset int32 | position int32, where relativeOffset = offset - baseOffset and the
 * offset is the last offset of the batch that starts at position. Kept in memory as two typed
 * arrays for binary search (see SparseIndex).
 */
import type { FileSystem } from "./file-system.js";
import { readIndexEntries, SparseIndex } from "./sparse-index.js";
import { StorageError } from "./storage-error.js";

export const OFFSET_INDEX_ENTRY_SIZE = 8;
const INT32_MAX = 0x7fffffff;

export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

/** Keys: offsets relative to the base offset; values: file positions. */
export class OffsetIndex extends SparseIndex<Int32Array> {
  /** A new empty index whose file (if any) is overwritten on the next persist. */
  static create(fs: FileSystem, path: string, baseOffset: number, maxIndexBytes: number): OffsetIndex {
    const { file, maxEntries, capacity } = SparseIndex.newFile(
      fs,
      path,
      OFFSET_INDEX_ENTRY_SIZE,
      maxIndexBytes,
    );
    return new OffsetIndex(
      file,
      baseOffset,
      maxEntries,
      new Int32Array(capacity),
      new Int32Array(capacity),
      0,
    );
  }

  /**
   * Loads and sanity-checks an index file: whole entries, strictly increasing offsets and
   * positions, positions inside a log of `logSize` bytes. Throws CORRUPT when the file is
   * missing or fails a check (the caller rebuilds the index from the log).
   */
  static load(
    fs: FileSystem,
    path: string,
    baseOffset: number,
    maxIndexBytes: number,
    logSize: number,
  ): OffsetIndex {
    const { content, entries } = readIndexEntries(fs, path, OFFSET_INDEX_ENTRY_SIZE, "offset index");
    const rel = new Int32Array(Math.max(1, entries));
    const pos = new Int32Array(Math.max(1, entries));
    for (let i = 0; i < entries; i++) {
      const r = content.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE);
      const p = content.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4);
      if (r < 0 || p < 0 || p >= logSize || (i > 0 && (r <= rel[i - 1]! || p <= pos[i - 1]!))) {
        throw new StorageError(
          "CORRUPT",
          `offset index ${path}: entry ${i} (${r}, ${p}) is out of order or range`,
        );
      }
      rel[i] = r;
      pos[i] = p;
    }
    const { file, maxEntries } = SparseIndex.loadedFile(
      fs,
      path,
      OFFSET_INDEX_ENTRY_SIZE,
      entries,
      maxIndexBytes,
    );
    return new OffsetIndex(file, baseOffset, maxEntries, rel, pos, entries);
  }

  get isFull(): boolean {
    return this.entries >= this.maxEntries;
  }

  /** The last entry, or (baseOffset, 0) when empty. */
  lastEntry(): OffsetPosition {
    if (this.entries === 0) return { offset: this.baseOffset, position: 0 };
    return this.entry(this.entries - 1);
  }

  entry(i: number): OffsetPosition {
    return { offset: this.baseOffset + this.keys[i]!, position: this.values[i]! };
  }

  /**
   * Adds an entry for the batch at `position` whose last offset is `offset`. Returns false
   * (and adds nothing) when the index is full; entries must increase.
   */
  append(offset: number, position: number): boolean {
    if (this.isFull) return false;
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > INT32_MAX) {
      throw new StorageError(
        "INVALID_ARGUMENT",
        `offset ${offset} does not fit the index of segment ${this.baseOffset}`,
      );
    }
    const n = this.entries;
    if (n > 0 && (rel <= this.keys[n - 1]! || position <= this.values[n - 1]!)) {
      const last = this.lastEntry();
      throw new StorageError(
        "INVALID_ARGUMENT",
        `index entry (${offset}, ${position}) does not follow (${last.offset}, ${last.position})`,
      );
    }
    this.push(rel, position);
    return true;
  }

  /**
   * The entry with the largest offset at or below `offset`, or (baseOffset, 0) when there is none:
   * the batch holding `offset` starts at or after that position.
   */
  lookup(offset: number): OffsetPosition {
    const i = this.floor(offset - this.baseOffset);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  /** Removes the entries whose offset is at or above `offset`. */
  truncateTo(offset: number): void {
    this.truncateToEntries(this.floor(offset - 1 - this.baseOffset) + 1);
  }

  protected writeEntry(buf: Buffer, at: number, i: number): void {
    buf.writeInt32BE(this.keys[i]!, at);
    buf.writeInt32BE(this.values[i]!, at + 4);
  }
}
