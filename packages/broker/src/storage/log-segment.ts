/**
 * LogSegment: one `<baseOffset, 20 digits>.log` file of whole record batches, in offset order,
 * with its sparse offset index (`.index`) and time index (`.timeindex`). The log appends to its
 * last (active) segment and rolls to a new one by size, age or full index.
 */
import { join } from "node:path";
import { BatchOffsets, isRecordBatchCrcValid, LOG_OVERHEAD } from "@weir/protocol";
import { FileBatchCursor, readInt64 } from "./file-batch-cursor.js";
import { type FileSystem, readFully, writeFully } from "./file-system.js";
import { OffsetIndex } from "./offset-index.js";
import { firstRecordAtOrAfterTimestamp } from "./record-timestamps.js";
import {
  CORRUPT_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  segmentFileName,
  TIME_INDEX_FILE_SUFFIX,
} from "./segment-file-names.js";
import { CorruptBatchError, ioError, StorageError } from "./storage-error.js";
import { NO_TIMESTAMP, TimeIndex } from "./time-index.js";

const INT32_MAX = 0x7fffffff;
/** Read window when a segment is scanned whole (recovery). */
const RECOVERY_WINDOW_BYTES = 1024 * 1024;
/** Read window for short scans from an index entry. */
const LOOKUP_WINDOW_BYTES = 16 * 1024;

/** The settings a segment needs from the LogConfig. */
export interface SegmentConfig {
  readonly indexIntervalBytes: number;
  readonly segmentIndexBytes: number;
}

/** Where a batch is in the segment file. */
export interface BatchLocation {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly partitionLeaderEpoch: number;
}

export interface RollParams {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly now: number;
  /** Max timestamp of the batches about to be appended. */
  readonly maxTimestampInMessages: number;
  /** Last offset of the batches about to be appended. */
  readonly maxOffsetInMessages: number;
  /** Bytes about to be appended. */
  readonly messagesSize: number;
}

export interface RecoveryResult {
  /** Bytes cut off the end of the file (a torn or corrupt tail); 0 when the segment was whole. */
  readonly truncatedBytes: number;
  /** What was wrong at the cut, when something was. */
  readonly problem?: string;
}

/** What a validating scan of a whole segment found (see `scan`). */
export interface ScanResult {
  /** Bytes of whole, valid batches from the start of the file. */
  readonly validBytes: number;
  /** Bytes after them (0 when the segment is whole). */
  readonly invalidBytes: number;
  /** What is wrong at `validBytes`, when something is. */
  readonly problem?: string;
  /**
   * Whether the invalid bytes look like one interrupted write at the end of the file: a partial
   * batch, a bad last batch, or zeros. Anything else (a bad batch with more data after it) is
   * corruption.
   */
  readonly tornTail: boolean;
}

/** Header fields of each valid batch, reported during recovery (the leader epoch cache listens). */
export type BatchVisitor = (batch: BatchLocation) => void;

export class LogSegment {
  #fd: number;
  #logPath: string;
  #size: number;
  #nextOffset: number;
  #maxTimestampSoFar = NO_TIMESTAMP;
  #offsetOfMaxTimestampSoFar = -1;
  #bytesSinceLastIndexEntry = 0;
  /** Max timestamp of the first batch (the base for segment.ms); undefined until read. */
  #rollingBasedTimestamp: number | undefined;
  #closed = false;
  /** What the file names end in after the segment's name: "" for a live segment. */
  #suffix: string;
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  /** fsyncs running on this segment's descriptors. */
  readonly #syncs = new Set<Promise<unknown>>();
  /** Log data written since the last fsync. */
  dirty = false;
  /**
   * File bytes from 0 known to hold valid batches: appended by this process, or CRC-checked by
   * recovery or by a read. Reads check the CRC of batches beyond it (see Log.read).
   */
  #verifiedBytes = 0;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly config: SegmentConfig,
    /** Clock time the segment was created or loaded (segment.ms for segments without timestamps). */
    readonly created: number,
    fd: number,
    size: number,
    suffix: string,
  ) {
    this.#fd = fd;
    this.#suffix = suffix;
    this.#logPath = this.#pathFor(LOG_FILE_SUFFIX);
    this.#size = size;
    this.#nextOffset = baseOffset;
    // Index files that do not exist yet are created on their first persist.
    this.offsetIndex = OffsetIndex.create(
      fs,
      this.#pathFor(INDEX_FILE_SUFFIX),
      baseOffset,
      config.segmentIndexBytes,
    );
    this.timeIndex = TimeIndex.create(
      fs,
      this.#pathFor(TIME_INDEX_FILE_SUFFIX),
      baseOffset,
      config.segmentIndexBytes,
    );
  }

  #pathFor(fileSuffix: string): string {
    return join(this.dir, segmentFileName(this.baseOffset, fileSuffix) + this.#suffix);
  }

  /**
   * A new empty segment. An existing empty `.log` of the same name is reused; a non-empty one is
   * an error (offsets would be assigned twice). With `suffix` the three file names end in it (the
   * log cleaner writes `<name>.cleaned` files; see `renameWithSuffix`).
   */
  static create(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    config: SegmentConfig,
    now: number,
    suffix = "",
  ): LogSegment {
    const logPath = join(dir, segmentFileName(baseOffset, LOG_FILE_SUFFIX) + suffix);
    const existing = fs.stat(logPath);
    if (existing !== undefined && existing.size > 0) {
      throw new StorageError("CORRUPT", `cannot create segment ${logPath}: a non-empty file exists`);
    }
    let fd: number;
    try {
      fd = fs.open(logPath, "w+");
    } catch (err) {
      throw ioError(`create segment ${logPath}`, err);
    }
    // The index files are created when first written (at a roll or a close): the active
    // segment's indexes are rebuilt from its data at every load anyway, and creating two empty
    // files per new partition cost more than the rest of its creation.
    const segment = new LogSegment(fs, dir, baseOffset, config, now, fd, 0, suffix);
    segment.dirty = true;
    return segment;
  }

  /**
   * Opens an existing segment's `.log`. Its state is not usable until `loadIndexes()` or
   * `recover()` ran.
   */
  static open(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    config: SegmentConfig,
    now: number,
  ): LogSegment {
    const logPath = join(dir, segmentFileName(baseOffset, LOG_FILE_SUFFIX));
    let fd: number;
    let size: number;
    try {
      fd = fs.open(logPath, "r+");
      size = fs.fstat(fd).size;
    } catch (err) {
      throw ioError(`open segment ${logPath}`, err);
    }
    return new LogSegment(fs, dir, baseOffset, config, now, fd, size, "");
  }

  /** Bytes in the `.log`. */
  get size(): number {
    return this.#size;
  }

  /** The offset after the last batch (baseOffset when empty). */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** The largest batch max timestamp in the segment, or NO_TIMESTAMP. */
  get maxTimestampSoFar(): number {
    return this.#maxTimestampSoFar;
  }

  /** Last offset of the first batch holding `maxTimestampSoFar`, or -1. */
  get offsetOfMaxTimestampSoFar(): number {
    return this.#offsetOfMaxTimestampSoFar;
  }

  get path(): string {
    return this.#logPath;
  }

  get fd(): number {
    return this.#fd;
  }

  /** File bytes from 0 known to hold valid batches (see `markVerified`). */
  get verifiedBytes(): number {
    return this.#verifiedBytes;
  }

  /** Records that the batches in [0, `end`) passed a CRC check (a read checked the ones past the mark). */
  markVerified(end: number): void {
    if (end > this.#verifiedBytes) this.#verifiedBytes = Math.min(end, this.#size);
  }

  /**
   * The newest timestamp in the segment for retention.ms: the max batch timestamp, or the file's
   * modification time when no batch has a timestamp (Kafka's rule).
   */
  largestTimestamp(): number {
    if (this.#maxTimestampSoFar >= 0) return this.#maxTimestampSoFar;
    return this.lastModified();
  }

  lastModified(): number {
    try {
      return this.fs.fstat(this.#fd).mtimeMs;
    } catch (err) {
      throw ioError(`stat ${this.#logPath}`, err);
    }
  }

  /**
   * Loads the index files of a segment whose data is trusted (below the recovery point, or the
   * active segment after a clean shutdown), checks them, and walks the batches after the last
   * offset index entry to learn the next offset. Returns what was wrong when the indexes or the
   * tail do not add up (the caller then runs `recover()`), undefined when all is well.
   */
  loadIndexes(maxOffsetExclusive?: number): string | undefined {
    try {
      this.offsetIndex = OffsetIndex.load(
        this.fs,
        this.offsetIndex.path,
        this.baseOffset,
        this.config.segmentIndexBytes,
        this.#size,
      );
    } catch (err) {
      if (err instanceof StorageError && err.code === "CORRUPT") return err.message;
      throw err;
    }
    const problem = this.#scanTail(true);
    if (problem !== undefined) return problem;
    if (maxOffsetExclusive !== undefined && this.#nextOffset > maxOffsetExclusive) {
      return `segment runs to offset ${this.#nextOffset}, past the next segment's base offset ${maxOffsetExclusive}`;
    }
    const tailMax = this.#maxTimestampSoFar;
    const tailMaxOffset = this.#offsetOfMaxTimestampSoFar;
    try {
      this.timeIndex = TimeIndex.load(
        this.fs,
        this.timeIndex.path,
        this.baseOffset,
        this.config.segmentIndexBytes,
        this.#nextOffset,
      );
    } catch (err) {
      if (err instanceof StorageError && err.code === "CORRUPT") return err.message;
      throw err;
    }
    const last = this.timeIndex.lastEntry();
    if (last.timestamp >= tailMax) {
      this.#maxTimestampSoFar = last.timestamp;
      this.#offsetOfMaxTimestampSoFar = this.timeIndex.entries > 0 ? last.offset : -1;
    } else {
      this.#maxTimestampSoFar = tailMax;
      this.#offsetOfMaxTimestampSoFar = tailMaxOffset;
    }
    return undefined;
  }

  /**
   * Validates every batch from the start of the file (header sanity, offsets increasing and
   * inside the segment, CRC32C), rebuilds both indexes, and truncates the file at the first
   * invalid or partial batch. `onBatch` sees each valid batch in order.
   */
  recover(onBatch?: BatchVisitor): RecoveryResult {
    const result = this.scan(onBatch);
    if (result.invalidBytes > 0) this.cutAt(result.validBytes);
    else {
      this.offsetIndex.persist();
      this.timeIndex.persist();
    }
    return result.problem === undefined
      ? { truncatedBytes: result.invalidBytes }
      : { truncatedBytes: result.invalidBytes, problem: result.problem };
  }

  /**
   * Validates every batch from the start of the file (header sanity, offsets increasing and
   * inside the segment, CRC32C) and rebuilds both indexes (in memory) over the valid batches,
   * without changing the file: the caller cuts (`cutAt`) or quarantines (`moveAsideFrom`) what
   * follows `validBytes`. `onBatch` sees each valid batch in order.
   */
  scan(onBatch?: BatchVisitor): ScanResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.#maxTimestampSoFar = NO_TIMESTAMP;
    this.#offsetOfMaxTimestampSoFar = -1;
    this.#bytesSinceLastIndexEntry = 0;
    this.#rollingBasedTimestamp = undefined;
    this.#nextOffset = this.baseOffset;
    const cursor = this.batches(0, RECOVERY_WINDOW_BYTES);
    let validBytes = 0;
    let problem: string | undefined;
    let tornTail = false;
    for (;;) {
      const result = cursor.next();
      if (result === "end") break;
      if (result !== "batch") {
        problem = cursor.problem;
        tornTail = result === "partial" || this.#isZeroFrom(validBytes);
        break;
      }
      const where = `the batch at position ${cursor.position} (offsets ${cursor.baseOffset}..${cursor.lastOffset})`;
      const isLast = cursor.nextPosition === this.#size;
      if (cursor.baseOffset < this.#nextOffset) {
        problem = `${where} has base offset ${cursor.baseOffset}, expected at least ${this.#nextOffset}`;
        tornTail = isLast;
        break;
      }
      if (cursor.lastOffset - this.baseOffset > INT32_MAX) {
        problem = `${where} is beyond the segment's offset range`;
        tornTail = isLast;
        break;
      }
      const bytes = cursor.bytes();
      if (bytes === undefined) {
        problem = `file ends inside ${where}`;
        tornTail = true;
        break;
      }
      if (!isRecordBatchCrcValid(bytes, 0, cursor.size - LOG_OVERHEAD)) {
        problem = `CRC mismatch in ${where}`;
        tornTail = isLast;
        break;
      }
      this.#indexBatch(cursor.position, cursor.size, cursor.lastOffset, cursor.maxTimestamp);
      onBatch?.({
        position: cursor.position,
        size: cursor.size,
        baseOffset: cursor.baseOffset,
        lastOffset: cursor.lastOffset,
        maxTimestamp: cursor.maxTimestamp,
        partitionLeaderEpoch: cursor.partitionLeaderEpoch,
      });
      validBytes = cursor.nextPosition;
    }
    this.#verifiedBytes = validBytes;
    const invalidBytes = this.#size - validBytes;
    return problem === undefined
      ? { validBytes, invalidBytes, tornTail: false }
      : { validBytes, invalidBytes, problem, tornTail };
  }

  /** Whether every byte of the file from `position` on is zero (a preallocated or lost tail). */
  #isZeroFrom(position: number): boolean {
    const buf = Buffer.allocUnsafe(Math.min(RECOVERY_WINDOW_BYTES, Math.max(1, this.#size - position)));
    for (let pos = position; pos < this.#size; ) {
      const n = this.readInto(buf, 0, pos, Math.min(buf.length, this.#size - pos));
      if (n === 0) return true;
      for (let i = 0; i < n; i++) if (buf[i] !== 0) return false;
      pos += n;
    }
    return true;
  }

  /**
   * Cuts the file at `position`, a batch boundary: the bytes after it and the index entries
   * pointing past it go, and the segment's offsets and timestamps are recomputed from what stays.
   * The indexes are written at once (a stale entry must not survive a crash).
   */
  cutAt(position: number): void {
    if (position > this.#size)
      throw new StorageError("INVALID_ARGUMENT", `cannot cut ${this.#logPath} at ${position}`);
    let entries = this.offsetIndex.entries;
    while (entries > 0 && this.offsetIndex.entry(entries - 1).position >= position) entries--;
    this.offsetIndex.truncateToEntries(entries);
    if (position < this.#size) {
      try {
        this.fs.ftruncate(this.#fd, position);
      } catch (err) {
        throw ioError(`truncate ${this.#logPath} to ${position} bytes`, err);
      }
      this.#size = position;
      this.dirty = true;
    }
    this.#verifiedBytes = Math.min(this.#verifiedBytes, position);
    if (this.#size === 0) this.#rollingBasedTimestamp = undefined;
    const problem = this.#scanTail(false);
    if (problem !== undefined) {
      throw new StorageError("CORRUPT", `${this.#logPath} after a cut at ${position}: ${problem}`);
    }
    this.timeIndex.truncateTo(this.#nextOffset);
    const last = this.timeIndex.lastEntry();
    if (this.timeIndex.entries > 0 && last.timestamp >= this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = last.timestamp;
      this.#offsetOfMaxTimestampSoFar = last.offset;
    }
    this.offsetIndex.persist();
    this.timeIndex.persist();
  }

  /**
   * Quarantines the bytes from `position` (a batch boundary) to the end of the file: copies them
   * into `<base>.log.<position>.corrupt` beside the segment, makes that copy durable, and only
   * then cuts the segment there (`cutAt`). Returns the path of the copy.
   */
  async moveAsideFrom(position: number): Promise<string> {
    const path = join(
      this.dir,
      `${segmentFileName(this.baseOffset, LOG_FILE_SUFFIX)}.${position}${CORRUPT_FILE_SUFFIX}`,
    );
    let out: number;
    try {
      out = this.fs.open(path, "w+");
    } catch (err) {
      throw ioError(`create ${path}`, err);
    }
    try {
      const buf = Buffer.allocUnsafe(Math.min(RECOVERY_WINDOW_BYTES, Math.max(1, this.#size - position)));
      for (let pos = position; pos < this.#size; ) {
        const n = this.readInto(buf, 0, pos, Math.min(buf.length, this.#size - pos));
        if (n === 0) break;
        writeFully(this.fs, out, buf, 0, n, pos - position, path);
        pos += n;
      }
      await this.#tracked(this.fs.fsync(out));
    } catch (err) {
      throw ioError(`write ${path}`, err);
    } finally {
      try {
        this.fs.close(out);
      } catch {
        // closing only fails for a descriptor that is already invalid
      }
    }
    try {
      await this.fs.syncDir(this.dir);
    } catch (err) {
      throw ioError(`sync ${this.dir}`, err);
    }
    this.cutAt(position);
    return path;
  }

  /**
   * Appends `records` (one or more whole v2 batches whose offsets are already assigned and
   * follow `nextOffset`) with one write, then indexes them. On a failed write the file is cut
   * back to its previous size; if even that fails, a LOG_OFFLINE StorageError is thrown.
   */
  append(records: Buffer): void {
    if (this.#closed) throw new StorageError("CLOSED", `segment ${this.#logPath} is closed`);
    const start = this.#size;
    if (start + records.length > INT32_MAX) {
      throw new StorageError("RECORD_BATCH_TOO_LARGE", `segment ${this.#logPath} cannot grow past 2 GiB`);
    }
    try {
      writeFully(this.fs, this.#fd, records, 0, records.length, start, this.#logPath);
    } catch (err) {
      this.dirty = true;
      try {
        this.fs.ftruncate(this.#fd, start);
      } catch (undoErr) {
        throw new StorageError(
          "LOG_OFFLINE",
          `write to ${this.#logPath} failed and the partial write could not be undone: ${(undoErr as Error).message}`,
          { cause: err },
        );
      }
      throw err;
    }
    let pos = 0;
    while (pos < records.length) {
      const size = LOG_OVERHEAD + records.readInt32BE(pos + BatchOffsets.batchLength);
      const lastOffset = readInt64(records, pos) + records.readInt32BE(pos + BatchOffsets.lastOffsetDelta);
      const maxTimestamp = readInt64(records, pos + BatchOffsets.maxTimestamp);
      if (start + pos === 0) this.#rollingBasedTimestamp = maxTimestamp;
      this.#indexBatch(start + pos, size, lastOffset, maxTimestamp);
      pos += size;
    }
    this.#size = start + records.length;
    if (this.#verifiedBytes === start) this.#verifiedBytes = this.#size;
    this.dirty = true;
  }

  /** Index bookkeeping for a batch appended or recovered at `position`. */
  #indexBatch(position: number, size: number, lastOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = maxTimestamp;
      this.#offsetOfMaxTimestampSoFar = lastOffset;
    }
    if (this.#bytesSinceLastIndexEntry > this.config.indexIntervalBytes) {
      if (this.offsetIndex.append(lastOffset, position)) {
        this.timeIndex.maybeAppend(this.#maxTimestampSoFar, this.#offsetOfMaxTimestampSoFar);
      }
      this.#bytesSinceLastIndexEntry = 0;
    }
    this.#bytesSinceLastIndexEntry += size;
    this.#nextOffset = lastOffset + 1;
  }

  /**
   * The first batch whose last offset is at or above `offset`, searching from the index entry
   * for `offset` (and not before `startingPosition`); undefined when the segment has none.
   */
  translateOffset(offset: number, startingPosition = 0): BatchLocation | undefined {
    if (offset >= this.#nextOffset) return undefined;
    const start = Math.max(this.offsetIndex.lookup(offset).position, startingPosition);
    const cursor = this.batches(start, LOOKUP_WINDOW_BYTES);
    while (this.#nextBatch(cursor)) {
      if (cursor.lastOffset >= offset) return this.#location(cursor);
    }
    return undefined;
  }

  /**
   * The first record at or after `timestamp` whose offset is at least `startingOffset`: its
   * offset and timestamp and its batch's leader epoch; undefined when the segment has none.
   */
  findOffsetByTimestamp(
    timestamp: number,
    startingOffset: number,
  ): { offset: number; timestamp: number; leaderEpoch: number } | undefined {
    const entry = this.timeIndex.lookup(timestamp);
    const start = this.offsetIndex.lookup(Math.max(entry.offset, startingOffset)).position;
    const cursor = this.batches(start, LOOKUP_WINDOW_BYTES);
    while (this.#nextBatch(cursor)) {
      if (cursor.maxTimestamp < timestamp || cursor.lastOffset < startingOffset) continue;
      const bytes = cursor.bytes();
      if (bytes === undefined)
        throw new StorageError("CORRUPT", `${this.#logPath}: batch at ${cursor.position} is cut`);
      const found = firstRecordAtOrAfterTimestamp(bytes, timestamp);
      if (found === undefined) continue;
      return {
        offset: Math.max(found.offset, startingOffset),
        timestamp: found.timestamp,
        leaderEpoch: cursor.partitionLeaderEpoch,
      };
    }
    return undefined;
  }

  /** A cursor over the batches from file position `start` to the end of the segment. */
  batches(start = 0, windowBytes = LOOKUP_WINDOW_BYTES): FileBatchCursor {
    return new FileBatchCursor(this.fs, this.#fd, this.#logPath, start, this.#size, windowBytes);
  }

  /** Reads `length` bytes at `position` into `into[at…]`; returns the bytes read. */
  readInto(into: Buffer, at: number, position: number, length: number): number {
    return readFully(this.fs, this.#fd, into, at, length, position, this.#logPath);
  }

  /** The bytes of the batch at `location`. */
  readBatch(location: BatchLocation): Buffer {
    const buf = Buffer.allocUnsafe(location.size);
    const n = this.readInto(buf, 0, location.position, location.size);
    if (n !== location.size)
      throw new StorageError("CORRUPT", `${this.#logPath}: batch at ${location.position} is cut`);
    return buf;
  }

  /** Visits the header of every batch, without CRC checks (rebuilding the leader epoch cache). */
  forEachBatch(visit: BatchVisitor): void {
    const cursor = this.batches(0, RECOVERY_WINDOW_BYTES);
    while (this.#nextBatch(cursor)) visit(this.#location(cursor));
  }

  /**
   * Whether the segment must roll before `params`' batches are appended: it would grow past
   * segment.bytes, it is older than segment.ms (measured from its first batch's timestamp to
   * the new batches' timestamp, or from its creation when it has no timestamps), an index is
   * full, or the new offsets do not fit its 32-bit relative offsets.
   */
  shouldRoll(params: RollParams): boolean {
    const reachedRollMs =
      this.timeWaitedForRoll(params.now, params.maxTimestampInMessages) > params.segmentMs;
    return (
      this.#size > params.segmentBytes - params.messagesSize ||
      (this.#size > 0 && reachedRollMs) ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      params.maxOffsetInMessages - this.baseOffset > INT32_MAX
    );
  }

  timeWaitedForRoll(now: number, messageTimestamp: number): number {
    const base = this.firstBatchTimestamp();
    return base !== undefined && base >= 0 ? messageTimestamp - base : now - this.created;
  }

  /** The max timestamp of the first batch (segment.ms and max.compaction.lag.ms count from it). */
  firstBatchTimestamp(): number | undefined {
    if (this.#rollingBasedTimestamp === undefined && this.#size > 0) {
      const header = Buffer.allocUnsafe(BatchOffsets.maxTimestamp + 8);
      if (this.readInto(header, 0, 0, header.length) === header.length) {
        this.#rollingBasedTimestamp = readInt64(header, BatchOffsets.maxTimestamp);
      }
    }
    return this.#rollingBasedTimestamp;
  }

  /**
   * Removes every batch from the one holding `offset` on; returns the bytes removed. Index
   * truncations are written at once (a stale entry must not survive a crash).
   */
  truncateTo(offset: number): number {
    const location = this.translateOffset(offset);
    if (location === undefined) return 0;
    const removed = this.#size - location.position;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    try {
      this.fs.ftruncate(this.#fd, location.position);
    } catch (err) {
      throw ioError(`truncate ${this.#logPath}`, err);
    }
    this.#size = location.position;
    this.#verifiedBytes = Math.min(this.#verifiedBytes, this.#size);
    this.dirty = true;
    if (this.#size === 0) this.#rollingBasedTimestamp = undefined;
    const problem = this.#scanTail(false);
    if (problem !== undefined)
      throw new StorageError("CORRUPT", `${this.#logPath} after truncation: ${problem}`);
    const last = this.timeIndex.lastEntry();
    if (this.timeIndex.entries > 0 && last.timestamp >= this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = last.timestamp;
      this.#offsetOfMaxTimestampSoFar = last.offset;
    }
    this.offsetIndex.persist();
    this.timeIndex.persist();
    return removed;
  }

  /**
   * The segment stops being the active one: add the final time index entry, write the indexes
   * and release their spare memory. Their fsync is `flushIndexes()`.
   */
  onBecomeInactive(): void {
    if (this.#offsetOfMaxTimestampSoFar >= 0) {
      this.timeIndex.maybeAppend(this.#maxTimestampSoFar, this.#offsetOfMaxTimestampSoFar, true);
    }
    this.offsetIndex.persist();
    this.timeIndex.persist();
    this.offsetIndex.trim();
    this.timeIndex.trim();
  }

  /** fsyncs the log data written since the last flush. */
  async flush(): Promise<void> {
    if (!this.dirty || this.#closed) return;
    this.dirty = false;
    try {
      await this.#tracked(this.fs.fdatasync(this.#fd));
    } catch (err) {
      this.dirty = true;
      throw ioError(`fsync ${this.#logPath}`, err);
    }
  }

  /** Writes both indexes and fsyncs what was written since their last fsync. */
  async flushIndexes(): Promise<void> {
    if (this.#closed) return;
    this.offsetIndex.persist();
    this.timeIndex.persist();
    await this.#tracked(Promise.all([this.offsetIndex.flush(), this.timeIndex.flush()]));
  }

  /** Resolves once no fsync runs on the segment's descriptors (before they are closed). */
  async idle(): Promise<void> {
    while (this.#syncs.size > 0) await Promise.allSettled([...this.#syncs]);
  }

  async #tracked<T>(sync: Promise<T>): Promise<T> {
    this.#syncs.add(sync);
    try {
      return await sync;
    } finally {
      this.#syncs.delete(sync);
    }
  }

  /** Renames the three files to `<name>.deleted` (the first step of an asynchronous delete). */
  renameToDeleted(): void {
    this.renameWithSuffix(this.#suffix + DELETED_FILE_SUFFIX);
  }

  /**
   * Renames the three files to `<name><suffix>` ("" for the live names); a missing index file is
   * fine (it is written on the next persist).
   */
  renameWithSuffix(suffix: string): void {
    const from = this.#logPath;
    this.#suffix = suffix;
    const to = this.#pathFor(LOG_FILE_SUFFIX);
    try {
      this.fs.rename(from, to);
    } catch (err) {
      throw ioError(`rename ${from}`, err);
    }
    this.#logPath = to;
    this.offsetIndex.rename(this.#pathFor(INDEX_FILE_SUFFIX));
    this.timeIndex.rename(this.#pathFor(TIME_INDEX_FILE_SUFFIX));
  }

  /** The paths of the segment's three files, as they are named now. */
  filePaths(): string[] {
    return [this.#logPath, this.offsetIndex.path, this.timeIndex.path];
  }

  /** Writes the indexes and closes every descriptor. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    let failure: unknown;
    try {
      this.offsetIndex.persist();
      this.timeIndex.persist();
    } catch (err) {
      failure = err;
    }
    failure ??= this.#closeDescriptors();
    if (failure !== undefined) throw ioError(`close segment ${this.#logPath}`, failure);
  }

  /** Closes every descriptor without writing anything. */
  closeWithoutWriting(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeDescriptors(); // a failure here means already closed
  }

  /** Closes the three descriptors, each whatever the others do; returns the first failure. */
  #closeDescriptors(): unknown {
    let failure: unknown;
    for (const closeOne of [
      () => this.offsetIndex.close(),
      () => this.timeIndex.close(),
      () => this.fs.close(this.#fd),
    ]) {
      try {
        closeOne();
      } catch (err) {
        failure ??= err;
      }
    }
    return failure;
  }

  /** Closes the descriptors without writing anything and removes the three files. */
  deleteFiles(): void {
    this.closeWithoutWriting();
    for (const path of this.filePaths()) {
      try {
        this.fs.unlink(path);
      } catch (err) {
        throw ioError(`delete ${path}`, err);
      }
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Walks from the last offset index entry to the end of the file to learn the next offset, the
   * bytes since the last entry and the largest timestamp after it. With `checkEntry`, the batch at
   * the entry's position must end at the entry's offset.
   */
  #scanTail(checkEntry: boolean): string | undefined {
    const entries = this.offsetIndex.entries;
    const last = this.offsetIndex.lastEntry();
    const cursor = this.batches(last.position, LOOKUP_WINDOW_BYTES);
    this.#nextOffset = entries > 0 ? last.offset + 1 : this.baseOffset;
    this.#maxTimestampSoFar = NO_TIMESTAMP;
    this.#offsetOfMaxTimestampSoFar = -1;
    let first = true;
    let previousLast = this.baseOffset - 1;
    for (;;) {
      const result = cursor.next();
      if (result === "end") break;
      if (result !== "batch") return cursor.problem;
      if (first && entries > 0 && checkEntry && cursor.lastOffset !== last.offset) {
        return `offset index entry (${last.offset}, ${last.position}) does not match the batch there (last offset ${cursor.lastOffset})`;
      }
      if (cursor.baseOffset <= previousLast || cursor.baseOffset < this.baseOffset) {
        return `batch at position ${cursor.position} has base offset ${cursor.baseOffset} after ${previousLast}`;
      }
      first = false;
      previousLast = cursor.lastOffset;
      if (cursor.maxTimestamp > this.#maxTimestampSoFar) {
        this.#maxTimestampSoFar = cursor.maxTimestamp;
        this.#offsetOfMaxTimestampSoFar = cursor.lastOffset;
      }
      this.#nextOffset = cursor.lastOffset + 1;
    }
    this.#bytesSinceLastIndexEntry = this.#size - last.position;
    return undefined;
  }

  /** Moves `cursor` to the next batch: false at the end, CORRUPT when the bytes are no batch. */
  #nextBatch(cursor: FileBatchCursor): boolean {
    const result = cursor.next();
    if (result === "end") return false;
    if (result !== "batch") throw new CorruptBatchError(this.#logPath, cursor.nextPosition, cursor.problem);
    return true;
  }

  #location(cursor: FileBatchCursor): BatchLocation {
    return {
      position: cursor.position,
      size: cursor.size,
      baseOffset: cursor.baseOffset,
      lastOffset: cursor.lastOffset,
      maxTimestamp: cursor.maxTimestamp,
      partitionLeaderEpoch: cursor.partitionLeaderEpoch,
    };
  }
}
