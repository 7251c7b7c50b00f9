/**
 * What the offset index and the time index of a segment share: entries kept in memory as two
 * typed-array columns — a key column that strictly increases (relative offsets, timestamps) and is
 * binary-searched, and a value column — growing up to `maxEntries`, written to their IndexFile in
 * batches. Each index decides what its columns mean, how an entry is encoded and what makes a
 * loaded file sane.
 */
import type { FileSystem } from "./file-system.js";
import { IndexFile } from "./index-file.js";
import { StorageError } from "./storage-error.js";

const INITIAL_CAPACITY = 64;

type KeyColumn = Int32Array | Float64Array;

/** The loaded entries of an index file, checked for a partial entry; CORRUPT when missing. */
export function readIndexEntries(
  fs: FileSystem,
  path: string,
  entrySize: number,
  what: string,
): { content: Buffer; entries: number } {
  const content = IndexFile.readContent(fs, path);
  if (content === undefined) throw new StorageError("CORRUPT", `${what} ${path} is missing`);
  if (content.length % entrySize !== 0) {
    throw new StorageError("CORRUPT", `${what} ${path} has a partial entry (${content.length} bytes)`);
  }
  return { content, entries: content.length / entrySize };
}

export abstract class SparseIndex<K extends KeyColumn> {
  protected keys: K;
  protected values: Int32Array;
  #entries: number;
  readonly #file: IndexFile;

  protected constructor(
    file: IndexFile,
    readonly baseOffset: number,
    /** Entries this index may hold (from segment.index.bytes, or what a loaded file already has). */
    readonly maxEntries: number,
    keys: K,
    values: Int32Array,
    entries: number,
  ) {
    this.#file = file;
    this.keys = keys;
    this.values = values;
    this.#entries = entries;
  }

  /** A new empty index file (overwritten on the next persist) and its initial column capacity. */
  protected static newFile(
    fs: FileSystem,
    path: string,
    entrySize: number,
    maxIndexBytes: number,
  ): { file: IndexFile; maxEntries: number; capacity: number } {
    const file = new IndexFile(fs, path, entrySize, 0);
    file.discard();
    const maxEntries = Math.floor(maxIndexBytes / entrySize);
    return { file, maxEntries, capacity: Math.min(INITIAL_CAPACITY, Math.max(1, maxEntries)) };
  }

  /** The file of a loaded index holding `entries`, and how many entries it may grow to. */
  protected static loadedFile(
    fs: FileSystem,
    path: string,
    entrySize: number,
    entries: number,
    maxIndexBytes: number,
  ): { file: IndexFile; maxEntries: number } {
    const file = new IndexFile(fs, path, entrySize, entries);
    return { file, maxEntries: Math.max(entries, Math.floor(maxIndexBytes / entrySize)) };
  }

  /** Encodes entry `i` at `at` in `buf`. */
  protected abstract writeEntry(buf: Buffer, at: number, i: number): void;

  get entries(): number {
    return this.#entries;
  }

  get path(): string {
    return this.#file.path;
  }

  /** Adds an entry (the caller checked order and room). */
  protected push(key: number, value: number): void {
    const n = this.#entries;
    if (n === this.keys.length) this.#grow();
    this.keys[n] = key;
    this.values[n] = value;
    this.#entries = n + 1;
  }

  /** Index of the last entry whose key is at or below `key`, or -1. */
  protected floor(key: number): number {
    let lo = 0;
    let hi = this.#entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first `entries` entries. */
  truncateToEntries(entries: number): void {
    if (entries >= this.#entries) return;
    this.#entries = Math.max(0, entries);
    this.#file.truncated(this.#entries);
  }

  /** Drops every entry (before a rebuild); the file is rewritten on the next persist. */
  reset(): void {
    this.#entries = 0;
    this.#file.discard();
  }

  /** Writes the entries not yet in the file. */
  persist(): void {
    const entrySize = this.#file.entrySize;
    this.#file.persist(this.#entries, (from, to) => {
      const buf = Buffer.allocUnsafe((to - from) * entrySize);
      for (let i = from; i < to; i++) this.writeEntry(buf, (i - from) * entrySize, i);
      return buf;
    });
  }

  flush(): Promise<void> {
    return this.#file.flush();
  }

  /** Releases memory beyond the entries (for an index that no longer grows). */
  trim(): void {
    const n = Math.max(1, this.#entries);
    if (this.keys.length > n) {
      this.keys = this.keys.slice(0, n) as K;
      this.values = this.values.slice(0, n);
    }
  }

  close(): void {
    this.#file.close();
  }

  rename(to: string): void {
    this.#file.rename(to);
  }

  deleteFile(): void {
    this.#file.delete();
  }

  #grow(): void {
    const cap = Math.min(Math.max(this.maxEntries, 1), this.keys.length * 2);
    const keys = new (this.keys.constructor as new (length: number) => K)(cap);
    keys.set(this.keys);
    const values = new Int32Array(cap);
    values.set(this.values);
    this.keys = keys;
    this.values = values;
  }
}
