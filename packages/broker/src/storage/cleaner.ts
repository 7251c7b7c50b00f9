/**
 * Cleaner: one compaction of one log (Kafka's Cleaner), given the range the LogCleaner picked.
 *
 * 1. Build the offset map: walk the dirty range [firstDirtyOffset, firstUncleanableOffset) batch
 *    by batch and record each key's latest offset (CleanerOffsetMap). When the map is full the
 *    cleaning covers only what it holds: `endOffset`, the offset after the last mapped batch,
 *    becomes the next first dirty offset.
 * 2. Group the inactive segments below `endOffset`, from the first, into runs of at most
 *    segment.bytes (and 2^31 offsets), and rewrite each run into one `<base>.log.cleaned`
 *    segment, keeping a record when:
 *      - its offset is at or past `endOffset` (the map knows nothing of it), or
 *      - it has a key, no later record of that key is in the map, and it is not a tombstone
 *        (null value) older than delete.retention.ms.
 *    Records without a key are dropped, as Kafka drops them. Batches are copied, rebuilt or
 *    dropped by `cleanBatch` (which keeps offsets, producer metadata and timestamps).
 * 3. fsync the cleaned segment and its indexes and swap it in (Log.replaceSegments).
 *
 * Tombstone removal (a documented simplification of Kafka 3's delete horizon, which needs a
 * batch-header attribute our batch builder cannot set yet): a tombstone goes once its timestamp
 * (the broker's append time under LogAppendTime, the producer's CreateTime otherwise) is more
 * than delete.retention.ms old, and it is the latest record of its key. A consumer that reads the
 * log from the start within delete.retention.ms of a deletion therefore sees the tombstone. Kafka
 * counts the time from the first cleaning that saw the tombstone instead, which is never earlier.
 *
 * Producer state (idempotence): the last batch of each producer id in the cleaned range stays,
 * emptied if none of its records does, as Kafka keeps the last batch of an active producer — so a
 * producer-state rebuild from the log still finds the producer's last sequence and epoch. Producers
 * whose last batch is older than producer.id.expiration.ms are expired anyway and lose it.
 *
 * The last batch of every group stays too (emptied if need be): the cleaned segment then ends
 * exactly where its old segments did, which is what lets a restart finish an interrupted swap
 * without deleting a segment the swap does not replace (see LogLoader).
 *
 * All work is done in bounded slices paced by CleanerPacer; the log keeps taking appends and
 * serving reads throughout, and the cleaning is abandoned (CLEANING_ABORTED) as soon as the log's
 * segments change under it or `aborted()` says so.
 */
import {
  Attributes,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  type Record,
  RecordBatch,
  type RecordBatchHeader,
  readRecordBatchHeader,
} from "@weir/protocol";
import { cleanBatch } from "./cleaned-batch.js";
import { CleanerOffsetMap } from "./cleaner-offset-map.js";
import type { CleanerPacer } from "./cleaner-pacer.js";
import type { FileBatchCursor } from "./file-batch-cursor.js";
import type { Log } from "./log.js";
import type { LogSegment } from "./log-segment.js";
import { StorageError } from "./storage-error.js";
import type { StorageLogger } from "./storage-logger.js";

const INT32_MAX = 0x7fffffff;

export interface CleanerOptions {
  /** Memory bound of the offset map. */
  readonly maxMapBytes: number;
  readonly mapLoadFactor: number;
  /** Read window and write buffer size. */
  readonly ioBufferBytes: number;
  readonly producerIdExpirationMs: number;
}

export interface CleaningRange {
  readonly firstDirtyOffset: number;
  readonly firstUncleanableOffset: number;
}

export interface CleanerStats {
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRetained: number;
  tombstonesRemoved: number;
  batchesRewritten: number;
  batchesDropped: number;
  /** Cleaned segments swapped in (one per group). */
  segmentsSwapped: number;
  /** Segments they replaced. */
  segmentsReplaced: number;
  /** Keys in the offset map, and the bytes it took. */
  mapEntries: number;
  mapBytes: number;
}

export interface CleanResult {
  /** The next first dirty offset (the end of what the offset map covered). */
  readonly endOffset: number;
  readonly stats: CleanerStats;
}

function newStats(): CleanerStats {
  return {
    bytesRead: 0,
    bytesWritten: 0,
    recordsRead: 0,
    recordsRetained: 0,
    tombstonesRemoved: 0,
    batchesRewritten: 0,
    batchesDropped: 0,
    segmentsSwapped: 0,
    segmentsReplaced: 0,
    mapEntries: 0,
    mapBytes: 0,
  };
}

/** Consecutive segments in runs of at most `maxBytes` bytes and 2^31 offsets. */
export function groupSegments(segments: readonly LogSegment[], maxBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let current: LogSegment[] = [];
  let size = 0;
  for (const segment of segments) {
    const first = current[0];
    if (
      first !== undefined &&
      (size + segment.size > maxBytes || segment.nextOffset - 1 - first.baseOffset > INT32_MAX)
    ) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(segment);
    size += segment.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Collects batches into one write of up to `capacity` bytes to the cleaned segment. */
class SegmentWriter {
  readonly #segment: LogSegment;
  readonly #buffer: Buffer;
  #used = 0;

  constructor(segment: LogSegment, capacity: number) {
    this.#segment = segment;
    this.#buffer = Buffer.allocUnsafe(capacity);
  }

  /** Copies `batch` (its bytes may be reused by the caller afterwards). */
  add(batch: Buffer): void {
    if (this.#used + batch.length > this.#buffer.length) this.flush();
    if (batch.length > this.#buffer.length) {
      this.#segment.append(batch);
      return;
    }
    batch.copy(this.#buffer, this.#used);
    this.#used += batch.length;
  }

  flush(): void {
    if (this.#used === 0) return;
    this.#segment.append(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }
}

interface Cleaning {
  readonly log: Log;
  readonly pacer: CleanerPacer;
  readonly aborted: () => boolean;
  readonly stats: CleanerStats;
  /** The log's structure version the cleaning is valid for. */
  version: number;
}

export class Cleaner {
  readonly #options: CleanerOptions;
  readonly #logger: StorageLogger;

  constructor(options: CleanerOptions, logger: StorageLogger) {
    this.#options = options;
    this.#logger = logger;
  }

  /**
   * Compacts `log` over `range` at time `now`. Resolves with where the next cleaning starts;
   * rejects with CLEANING_ABORTED when the log changed or `aborted()` turned true (nothing of the
   * unfinished group is left behind), or with the storage error that stopped it.
   */
  async clean(
    log: Log,
    range: CleaningRange,
    now: number,
    pacer: CleanerPacer,
    aborted: () => boolean = () => false,
  ): Promise<CleanResult> {
    const c: Cleaning = { log, pacer, aborted, stats: newStats(), version: log.structureVersion };
    const { firstDirtyOffset } = range;
    const inactive = log.segmentsForCleaning().slice(0, -1);
    const producers = await this.#producersOfCleanSection(c, inactive, firstDirtyOffset);
    const map = new CleanerOffsetMap(this.#options.maxMapBytes, this.#options.mapLoadFactor);
    const endOffset = await this.#buildOffsetMap(c, inactive, range, map, producers);
    c.stats.mapEntries = map.size;
    c.stats.mapBytes = map.bytes;
    if (endOffset <= firstDirtyOffset) return { endOffset: firstDirtyOffset, stats: c.stats };

    const config = log.config;
    const retain = (record: Record): boolean => {
      if (record.offset >= endOffset) return true;
      if (record.key === null) return false;
      if (map.get(record.key) > record.offset) return false;
      if (record.value === null && record.timestamp + config.deleteRetentionMs <= now) {
        c.stats.tombstonesRemoved++;
        return false;
      }
      return true;
    };
    const keepsProducer = (header: RecordBatchHeader): boolean =>
      header.producerId >= 0 &&
      producers.get(header.producerId) === header.baseOffset + header.lastOffsetDelta &&
      header.maxTimestamp > now - this.#options.producerIdExpirationMs;
    const groups = groupSegments(
      inactive.filter((s) => s.baseOffset < endOffset),
      config.segmentBytes,
    );
    for (const group of groups) await this.#cleanGroup(c, group, retain, keepsProducer);
    this.#logger.info(
      {
        log: log.name,
        firstDirtyOffset,
        endOffset,
        ...c.stats,
        throttledMs: Math.round(pacer.throttledMs),
      },
      "cleaned log",
    );
    return { endOffset, stats: c.stats };
  }

  /** Producer id → last offset of its last batch, over the segments below the first dirty offset. */
  async #producersOfCleanSection(
    c: Cleaning,
    inactive: readonly LogSegment[],
    firstDirtyOffset: number,
  ): Promise<Map<number, number>> {
    const producers = new Map<number, number>();
    for (const segment of inactive) {
      if (segment.baseOffset >= firstDirtyOffset) break;
      const cursor = segment.batches(0, 64 * 1024);
      while (this.#next(c, segment, cursor)) {
        if (cursor.lastOffset >= firstDirtyOffset) break;
        if (cursor.producerId >= 0) producers.set(cursor.producerId, cursor.lastOffset);
        await c.pacer.step(Math.min(cursor.size, 64 * 1024));
      }
    }
    return producers;
  }

  /** Fills `map` from the dirty range; returns the offset after the last batch it covers. */
  async #buildOffsetMap(
    c: Cleaning,
    inactive: readonly LogSegment[],
    range: CleaningRange,
    map: CleanerOffsetMap,
    producers: Map<number, number>,
  ): Promise<number> {
    const { firstDirtyOffset, firstUncleanableOffset } = range;
    let endOffset = firstDirtyOffset;
    for (const segment of inactive) {
      if (segment.nextOffset <= firstDirtyOffset) continue;
      if (segment.baseOffset >= firstUncleanableOffset) break;
      const start =
        segment.baseOffset < firstDirtyOffset
          ? (segment.translateOffset(firstDirtyOffset)?.position ?? segment.size)
          : 0;
      const cursor = segment.batches(start, this.#options.ioBufferBytes);
      while (this.#next(c, segment, cursor)) {
        if (cursor.lastOffset >= firstUncleanableOffset) return endOffset;
        const { bytes, header } = this.#readBatch(segment, cursor);
        if ((header.attributes & Attributes.control) === 0) {
          if (map.size > 0 && map.wouldOverflow(header.recordsCount)) return endOffset;
          for (const record of new RecordBatch(bytes, header).records()) {
            if (record.key !== null) map.put(record.key, record.offset);
          }
        }
        if (header.producerId >= 0) producers.set(header.producerId, cursor.lastOffset);
        endOffset = cursor.lastOffset + 1;
        await c.pacer.step(cursor.size);
      }
    }
    return endOffset;
  }

  async #cleanGroup(
    c: Cleaning,
    group: readonly LogSegment[],
    retain: (record: Record) => boolean,
    keepsProducer: (header: RecordBatchHeader) => boolean,
  ): Promise<void> {
    const { log, stats } = c;
    const cleaned = log.createCleanedSegment(group[0]!.baseOffset);
    let swapped = false;
    try {
      const writer = new SegmentWriter(cleaned, this.#options.ioBufferBytes);
      for (let i = 0; i < group.length; i++) {
        const segment = group[i]!;
        const cursor = segment.batches(0, this.#options.ioBufferBytes);
        while (this.#next(c, segment, cursor)) {
          const { bytes, header } = this.#readBatch(segment, cursor);
          const lastOfGroup = i === group.length - 1 && cursor.nextPosition >= segment.size;
          const result = cleanBatch(bytes, header, retain, lastOfGroup || keepsProducer(header));
          let written = 0;
          switch (result.kind) {
            case "keep":
              writer.add(bytes);
              written = bytes.length;
              stats.recordsRead += header.recordsCount;
              stats.recordsRetained += header.recordsCount;
              break;
            case "rewrite":
              writer.add(result.bytes);
              written = result.bytes.length;
              stats.batchesRewritten++;
              stats.recordsRead += result.records;
              stats.recordsRetained += result.kept;
              break;
            case "drop":
              stats.batchesDropped++;
              stats.recordsRead += result.records;
              break;
          }
          stats.bytesWritten += written;
          await c.pacer.step(cursor.size + written);
        }
      }
      writer.flush();
      cleaned.onBecomeInactive();
      await cleaned.flush();
      await cleaned.flushIndexes();
      this.#checkStillValid(c);
      c.version = await log.replaceSegments(group, cleaned, c.version);
      swapped = true;
      stats.segmentsSwapped++;
      stats.segmentsReplaced += group.length;
    } finally {
      // After a failed swap past its commit point the log is offline and a restart settles the
      // files; otherwise the unfinished `.cleaned` files go.
      if (!swapped && log.failure === undefined) {
        try {
          cleaned.deleteFiles();
        } catch (err) {
          this.#logger.warn({ log: log.name, err }, "could not delete an abandoned cleaned segment");
        }
      }
    }
  }

  /** Moves the cursor on, first checking that the cleaning is still wanted and valid. */
  #next(c: Cleaning, segment: LogSegment, cursor: FileBatchCursor): boolean {
    this.#checkStillValid(c);
    const result = cursor.next();
    if (result === "end") return false;
    if (result !== "batch") throw this.#corrupt(segment, cursor, cursor.problem);
    c.stats.bytesRead += cursor.size;
    return true;
  }

  #readBatch(segment: LogSegment, cursor: FileBatchCursor): { bytes: Buffer; header: RecordBatchHeader } {
    const bytes = cursor.bytes();
    if (bytes === undefined) throw this.#corrupt(segment, cursor, "is cut");
    if (!isRecordBatchCrcValid(bytes, 0, bytes.length - LOG_OVERHEAD)) {
      throw this.#corrupt(segment, cursor, "fails its CRC");
    }
    return { bytes, header: readRecordBatchHeader(bytes) };
  }

  #checkStillValid(c: Cleaning): void {
    if (c.aborted()) throw new StorageError("CLEANING_ABORTED", `cleaning of ${c.log.name} was stopped`);
    if (c.log.structureVersion !== c.version || c.log.failure !== undefined) {
      throw new StorageError("CLEANING_ABORTED", `the segments of ${c.log.name} changed during cleaning`);
    }
  }

  #corrupt(segment: LogSegment, cursor: FileBatchCursor, problem: string): StorageError {
    return new StorageError("CORRUPT", `${segment.path}: the batch at ${cursor.position} ${problem}`);
  }
}
