/**
 * The file behind a sparse index (`.index`, `.timeindex`): entries are kept in memory (typed
 * arrays, owned by the index) and written to the file in batches — when a segment rolls, when
 * the log closes, when the index is truncated — so the append path never pays a syscall for an
 * index entry. The file is a cache of what the `.log` holds: a missing, short or insane index is
 * rebuilt from the log on load, and the segments after the recovery point are rebuilt anyway.
 */
import { type FileSystem, readWholeFile, writeFully } from "./file-system.js";
import { errnoCode, ioError } from "./storage-error.js";

export class IndexFile {
  #fd: number | undefined;
  /** Entries in the file that match the entries in memory. */
  #onDisk: number;
  /** The file may hold more entries than `#onDisk` (after an in-memory truncation). */
  #mustTruncate = false;
  /** Written since the last fsync. */
  #dirty = false;

  constructor(
    private readonly fs: FileSystem,
    public path: string,
    readonly entrySize: number,
    entriesOnDisk: number,
  ) {
    this.#onDisk = entriesOnDisk;
  }

  /** The file's bytes, or undefined when it does not exist. */
  static readContent(fs: FileSystem, path: string): Buffer | undefined {
    try {
      return readWholeFile(fs, path);
    } catch (err) {
      throw ioError(`read index ${path}`, err);
    }
  }

  /** Entries in memory were truncated to `entries`. */
  truncated(entries: number): void {
    if (entries < this.#onDisk) {
      this.#onDisk = entries;
      this.#mustTruncate = true;
    }
  }

  /** The file's content is not trusted: the next `persist` rewrites it from entry 0. */
  discard(): void {
    this.#onDisk = 0;
    this.#mustTruncate = true;
  }

  /** Writes the entries [onDisk, entries) that `encode` produces, and any pending truncation. */
  persist(entries: number, encode: (from: number, to: number) => Buffer): void {
    if (!this.#mustTruncate && entries === this.#onDisk) return;
    const fd = this.#open();
    if (this.#mustTruncate) {
      try {
        this.fs.ftruncate(fd, this.#onDisk * this.entrySize);
      } catch (err) {
        throw ioError(`truncate index ${this.path}`, err);
      }
      this.#mustTruncate = false;
    }
    if (entries > this.#onDisk) {
      const bytes = encode(this.#onDisk, entries);
      writeFully(this.fs, fd, bytes, 0, bytes.length, this.#onDisk * this.entrySize, this.path);
      this.#onDisk = entries;
    }
    this.#dirty = true;
  }

  /**
   * fsyncs what `persist` wrote, then closes the descriptor: an index is written only at a roll,
   * a truncation or a close, so keeping it open would cost two descriptors per partition for
   * nothing (10,000 partitions would need 30,000 open files instead of 10,000).
   */
  async flush(): Promise<void> {
    if (!this.#dirty || this.#fd === undefined) return;
    this.#dirty = false;
    const fd = this.#fd;
    try {
      await this.fs.fdatasync(fd);
    } catch (err) {
      this.#dirty = true;
      throw ioError(`fsync index ${this.path}`, err);
    }
    // A persist while the fsync ran wrote more: keep the descriptor for the next flush.
    if (!this.#dirty && this.#fd === fd) this.close();
  }

  /** Closes the descriptor (it is reopened if the index is written again). */
  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      this.fs.close(fd);
    } catch (err) {
      throw ioError(`close index ${this.path}`, err);
    }
  }

  rename(to: string): void {
    try {
      this.fs.rename(this.path, to);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw ioError(`rename ${this.path}`, err);
    }
    this.path = to;
  }

  /** Closes and removes the file. */
  delete(): void {
    this.close();
    try {
      this.fs.unlink(this.path);
    } catch (err) {
      throw ioError(`delete ${this.path}`, err);
    }
  }

  #open(): number {
    if (this.#fd === undefined) {
      try {
        this.#fd = this.fs.open(this.path, this.fs.stat(this.path) ? "r+" : "w+");
      } catch (err) {
        throw ioError(`open index ${this.path}`, err);
      }
    }
    return this.#fd;
  }
}
