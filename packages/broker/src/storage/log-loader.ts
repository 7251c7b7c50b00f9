/**
 * LogLoader: what happens to a partition directory when its log is opened — leftovers removed,
 * segments opened in offset order, the unflushed ones recovered, indexes checked or rebuilt, the
 * log start offset and leader epochs restored — ending with everything it decided made durable
 * and vouched for by a new recovery point.
 *
 * Which segments are recovered (validated batch by batch with CRC32C, indexes rebuilt): those
 * that may hold data at or after the recovery point — the last segment whose base offset is at
 * or below it, and every later one — and always the active segment (the last one holding data),
 * so every flipped bit in it is found, even after a clean shutdown. Older segments were durable
 * when the recovery point was written: their indexes are loaded and sanity-checked (and rebuilt,
 * with a full CRC scan, only when they do not add up); reads CRC-check their batches later (see
 * Log.read).
 *
 * What happens at the first invalid batch of a segment:
 *   - in the active segment: the file is cut there, as a torn write is cut. When the invalid
 *     bytes are more than one interrupted write at the end (a bad batch with data after it),
 *     they are first copied to `<base>.log.<position>.corrupt`, so nothing is silently deleted.
 *     Empty segments after it go.
 *   - in an older segment: the bytes from the bad batch to the end of that segment are
 *     quarantined the same way (moved to the `.corrupt` file) and the later segments stay: the
 *     log keeps every valid batch, with a gap of offsets where the quarantined bytes were. Such
 *     a gap is reported (error log) on every load while the `.corrupt` file is there.
 *
 * Re-opening a log in place after a storage failure (Log.recoverFromFailure) passes
 * `truncateTo`: the offset below which the data was durable when the failure happened; the
 * loaded log is cut back to it, because after a failed fsync the page cache may hold bytes that
 * never reached the disk.
 *
 * An interrupted log-cleaner swap (Log.replaceSegments) is settled first, by Kafka's rules:
 * `.cleaned` files were not complete, so they are deleted and the old segments stay; a `.swap`
 * segment was complete and durable, so the swap is finished — every live segment whose base
 * offset falls in the swap segment's offset range is deleted and the `.swap` file becomes the live
 * `.log` (its indexes are rebuilt from it).
 */
import { join } from "node:path";
import { type CheckpointFile, parseSingleOffset } from "./checkpoint-file.js";
import { FileBatchCursor } from "./file-batch-cursor.js";
import type { FileSystem } from "./file-system.js";
import {
  type EpochEntry,
  LEADER_EPOCH_CHECKPOINT_FILE,
  type LeaderEpochCache,
} from "./leader-epoch-cache.js";
import { type BatchVisitor, LogSegment, type SegmentConfig } from "./log-segment.js";
import {
  CLEANED_FILE_SUFFIX,
  CORRUPT_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  parseSegmentFileName,
  SWAP_FILE_SUFFIX,
  segmentFileName,
  TIME_INDEX_FILE_SUFFIX,
} from "./segment-file-names.js";
import { ioError, StorageError } from "./storage-error.js";
import type { StorageLogger } from "./storage-logger.js";

export interface LogLoadParams {
  readonly dir: string;
  readonly name: string;
  readonly fs: FileSystem;
  readonly now: number;
  readonly logger: StorageLogger;
  readonly segmentConfig: SegmentConfig;
  readonly epochCache: LeaderEpochCache;
  /** Whether the leader epoch checkpoint was read; if not, the cache is rebuilt from the batches. */
  readonly epochsLoaded: boolean;
  readonly logStartOffsetFile: CheckpointFile;
  readonly recoveryPointFile: CheckpointFile;
  /** Cut the log back to this offset (a batch boundary) after loading it; see above. */
  readonly truncateTo?: number;
}

export interface LoadedLog {
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Paths of the quarantined (`.corrupt`) files in the directory, old and new. */
  readonly quarantined: string[];
}

/** Reads a one-offset checkpoint; a corrupt one is logged and ignored. */
function readOffsetCheckpoint(file: CheckpointFile, p: LogLoadParams): number | undefined {
  try {
    const lines = file.read();
    return lines === undefined ? undefined : parseSingleOffset(lines, file.name);
  } catch (err) {
    if (err instanceof StorageError && err.code === "CORRUPT") {
      p.logger.warn({ log: p.name, err }, `ignoring corrupt ${file.name} checkpoint`);
      return undefined;
    }
    throw err;
  }
}

/**
 * Removes leftovers of an earlier run, settles an interrupted swap, and returns the base offsets
 * of the segments, sorted, and whether the directory changed.
 */
function scanDirectory(p: LogLoadParams): { bases: number[]; changed: boolean; quarantined: string[] } {
  const { fs, dir } = p;
  const temporary = new Set(
    [p.logStartOffsetFile.name, p.recoveryPointFile.name, LEADER_EPOCH_CHECKPOINT_FILE].map(
      (n) => `${n}.tmp`,
    ),
  );
  const swaps: number[] = [];
  const quarantined: string[] = [];
  let changed = false;
  for (const name of fs.readdir(dir)) {
    if (name.endsWith(CORRUPT_FILE_SUFFIX)) {
      quarantined.push(join(dir, name));
    } else if (
      name.endsWith(DELETED_FILE_SUFFIX) ||
      name.endsWith(CLEANED_FILE_SUFFIX) ||
      temporary.has(name)
    ) {
      fs.unlink(join(dir, name));
      changed = true;
    } else if (name.endsWith(SWAP_FILE_SUFFIX)) {
      const parsed = parseSegmentFileName(name.slice(0, -SWAP_FILE_SUFFIX.length));
      if (parsed?.suffix === LOG_FILE_SUFFIX) swaps.push(parsed.baseOffset);
      else fs.unlink(join(dir, name)); // a swap index: rebuilt from the log instead
      changed = true;
    }
  }
  const segmentBases = (): number[] => {
    const out: number[] = [];
    for (const name of fs.readdir(dir)) {
      const parsed = parseSegmentFileName(name);
      if (parsed?.suffix === LOG_FILE_SUFFIX) out.push(parsed.baseOffset);
    }
    return out;
  };
  for (const base of swaps.sort((a, b) => a - b)) completeSwap(p, base, segmentBases());

  const bases = new Set<number>();
  const indexFiles: { name: string; base: number }[] = [];
  for (const name of fs.readdir(dir)) {
    const parsed = parseSegmentFileName(name);
    if (parsed === undefined) continue;
    if (parsed.suffix === LOG_FILE_SUFFIX) bases.add(parsed.baseOffset);
    else indexFiles.push({ name, base: parsed.baseOffset });
  }
  for (const f of indexFiles) {
    if (!bases.has(f.base)) {
      fs.unlink(join(dir, f.name));
      changed = true;
    }
  }
  return { bases: [...bases].sort((a, b) => a - b), changed, quarantined };
}

/**
 * Finishes the swap of `<base>.log.swap`: deletes the live segments it replaces (those whose base
 * offset lies in [base, the swap segment's next offset)) with their indexes, and renames it live.
 * The cleaner keeps the last batch of every cleaned group, so that range covers every segment the
 * swap was cleaned from and none after.
 */
function completeSwap(p: LogLoadParams, base: number, liveBases: readonly number[]): void {
  const { fs, dir } = p;
  const swapPath = join(dir, segmentFileName(base, LOG_FILE_SUFFIX) + SWAP_FILE_SUFFIX);
  const nextOffset = nextOffsetOfFile(fs, swapPath, base);
  const replaced = liveBases.filter((b) => b >= base && b < nextOffset);
  for (const b of new Set([base, ...replaced])) {
    for (const suffix of [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX]) {
      fs.unlink(join(dir, segmentFileName(b, suffix)));
    }
  }
  try {
    fs.rename(swapPath, join(dir, segmentFileName(base, LOG_FILE_SUFFIX)));
  } catch (err) {
    throw ioError(`rename ${swapPath}`, err);
  }
  p.logger.info(
    { log: p.name, segment: base, replaced, nextOffset },
    "completed an interrupted swap of a cleaned segment",
  );
}

/** The offset after the last whole batch of a segment file (`base` when it has none). */
function nextOffsetOfFile(fs: FileSystem, path: string, base: number): number {
  let fd: number;
  try {
    fd = fs.open(path, "r");
  } catch (err) {
    throw ioError(`open ${path}`, err);
  }
  try {
    const cursor = new FileBatchCursor(fs, fd, path, 0, fs.fstat(fd).size, 1024 * 1024);
    let next = base;
    while (cursor.next() === "batch") next = cursor.lastOffset + 1;
    return next;
  } finally {
    fs.close(fd);
  }
}

/** Loads the log in `p.dir`; on failure every file it opened is closed again. */
export async function loadLog(p: LogLoadParams): Promise<LoadedLog> {
  const segments: LogSegment[] = [];
  try {
    return await load(p, segments);
  } catch (err) {
    for (const s of segments) s.closeWithoutWriting();
    throw err;
  }
}

async function load(p: LogLoadParams, segments: LogSegment[]): Promise<LoadedLog> {
  const { fs, dir, logger, name, epochCache } = p;
  const { bases, changed, quarantined } = scanDirectory(p);
  for (const file of quarantined) {
    logger.error(
      { log: name, file },
      "quarantined corrupt log data is in the log directory: the offsets it held are missing from the log",
    );
  }
  const checkpointedStart = readOffsetCheckpoint(p.logStartOffsetFile, p);
  const recoveryPoint = readOffsetCheckpoint(p.recoveryPointFile, p) ?? 0;
  for (const base of bases) segments.push(LogSegment.open(fs, dir, base, p.segmentConfig, p.now));
  let dirDirty = changed;

  // The last segment whose base offset is at or below the recovery point: it and every later
  // segment may hold data that was never flushed.
  let k = -1;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= recoveryPoint) k = i;
  // The active segment: the last one holding data (empty segments may follow it after a roll).
  let active = segments.length - 1;
  while (active > 0 && segments[active]!.size === 0) active--;
  const recovered = new Set<LogSegment>();
  const onBatch: BatchVisitor | undefined = p.epochsLoaded
    ? (b) => {
        epochCache.assign(b.partitionLeaderEpoch, b.baseOffset);
      }
    : undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const nextBase = segments[i + 1]?.baseOffset;
    if (i < k && i < active) {
      const problem = segment.loadIndexes(nextBase);
      if (problem === undefined) continue;
      logger.warn({ log: name, segment: segment.baseOffset, problem }, "rebuilding the indexes of a segment");
    } else if (
      i === k &&
      i < active &&
      segment.loadIndexes(nextBase) === undefined &&
      segment.nextOffset === recoveryPoint
    ) {
      continue; // it ends at the recovery point: flushed whole, like the older ones
    }
    const result = segment.scan(i >= k ? onBatch : undefined);
    if (result.invalidBytes === 0 && i === active && segment.nextOffset <= recoveryPoint) {
      // The active segment is scanned at every load (so a flipped bit in it is found), but after
      // a clean shutdown all of it was durable already: nothing to flush or re-checkpoint. Its
      // indexes, rebuilt by the scan, are rebuilt by every load too, so they need no fsync.
      continue;
    }
    recovered.add(segment);
    if (result.invalidBytes === 0) continue;
    const where = {
      log: name,
      file: segment.path,
      position: result.validBytes,
      offset: segment.nextOffset,
      problem: result.problem,
      invalidBytes: result.invalidBytes,
    };
    if (i >= active && result.tornTail) {
      segment.cutAt(result.validBytes);
      logger.warn(where, "truncated a torn write at the end of the log");
    } else {
      const file = await segment.moveAsideFrom(result.validBytes);
      quarantined.push(file);
      dirDirty = true;
      logger.error(
        { ...where, quarantinedTo: file },
        i >= active
          ? "corrupt batch in the active segment: truncated the log there, the bytes from it on are quarantined"
          : "corrupt batch in an older segment: quarantined the bytes from it to the segment's end; later segments are kept",
      );
    }
    if (i >= active) {
      // Data after a cut in the active segment cannot follow it: drop the (empty) later segments.
      for (const later of segments.splice(i + 1)) {
        logger.warn(
          { log: name, segment: later.baseOffset },
          "deleting an empty segment after a truncated one",
        );
        later.deleteFiles();
        dirDirty = true;
      }
      break;
    }
  }
  if (p.truncateTo !== undefined) {
    dirDirty = truncateLoaded(p, segments, p.truncateTo, recovered) || dirDirty;
  }

  if (segments.length === 0) {
    segments.push(LogSegment.create(fs, dir, checkpointedStart ?? 0, p.segmentConfig, p.now));
    dirDirty = true;
  }
  let logEndOffset = segments.at(-1)!.nextOffset;
  const logStartOffset = Math.max(checkpointedStart ?? 0, segments[0]!.baseOffset);
  if (logEndOffset < logStartOffset) {
    logger.warn(
      { log: name, logStartOffset, logEndOffset },
      "log ends before its start offset: starting an empty log at the start offset",
    );
    for (const segment of segments.splice(0)) segment.deleteFiles();
    segments.push(LogSegment.create(fs, dir, logStartOffset, p.segmentConfig, p.now));
    logEndOffset = logStartOffset;
    dirDirty = true;
    recovered.clear();
  }
  while (segments.length > 1 && segments[1]!.baseOffset <= logStartOffset) {
    segments.shift()!.deleteFiles();
    dirDirty = true;
  }

  if (!p.epochsLoaded && logEndOffset > logStartOffset) {
    const entries: EpochEntry[] = [];
    for (const segment of segments) {
      segment.forEachBatch((b) => {
        const last = entries.at(-1);
        if (b.partitionLeaderEpoch >= 0 && (last === undefined || b.partitionLeaderEpoch > last.epoch)) {
          entries.push({ epoch: b.partitionLeaderEpoch, startOffset: b.baseOffset });
        }
      });
    }
    if (entries.length > 0) epochCache.replaceAll(entries);
  }
  epochCache.truncateFromEnd(logEndOffset);
  epochCache.truncateFromStart(logStartOffset);

  // Make what recovery decided durable before vouching for it with a new recovery point: a
  // process crash leaves unflushed data in the page cache, where recovery found it valid.
  for (const segment of recovered) segment.dirty = true;
  await Promise.all(
    segments
      .filter((s) => s.dirty)
      .map(async (s) => {
        await s.flush();
        await s.flushIndexes();
      }),
  );
  if (dirDirty) await fs.syncDir(dir);
  // A missing file means "the first segment's base offset": written only when it says more.
  if ((checkpointedStart ?? segments[0]!.baseOffset) !== logStartOffset) {
    await p.logStartOffsetFile.write([String(logStartOffset)]);
  }
  await epochCache.flush();
  // Unchanged (a clean shutdown, or a new empty log whose missing file means 0): no rewrite.
  if (logEndOffset !== recoveryPoint) await p.recoveryPointFile.write([String(logEndOffset)]);
  if (recovered.size > 0) {
    logger.info({ log: name, recoveredSegments: recovered.size, logEndOffset }, "recovered log");
  }
  return { segments, logStartOffset, logEndOffset, quarantined };
}

/**
 * Cuts the loaded segments back to `offset`: segments starting at or after it go (one stays, the
 * active one), the last is cut at the batch holding `offset`. Returns whether files were removed.
 */
function truncateLoaded(
  p: LogLoadParams,
  segments: LogSegment[],
  offset: number,
  recovered: Set<LogSegment>,
): boolean {
  let removed = false;
  if (segments.at(-1)!.nextOffset <= offset) return false;
  while (segments.length > 1 && segments.at(-1)!.baseOffset >= offset) {
    const doomed = segments.pop()!;
    recovered.delete(doomed);
    doomed.deleteFiles();
    removed = true;
  }
  const last = segments.at(-1)!;
  const cut = last.truncateTo(offset);
  recovered.add(last);
  p.logger.warn(
    { log: p.name, offset, bytes: cut, segmentsRemoved: removed },
    "cut the log back to its last durable offset",
  );
  return removed;
}
