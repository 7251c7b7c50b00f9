/**
 * Producer state snapshot files: `<offset, 20 digits>.snapshot` in the partition directory, holding
 * the state of every producer after all batches below `offset` (Kafka's snapshot file naming).
 *
 * Binary format, version 1 (all integers big-endian; this is Weir's own format, not Kafka's,
 * because it keeps all retained batches per producer so duplicates are still detected after a
 * restart, where Kafka's snapshot keeps only the last one):
 *
 *   version int16 | crc uint32 | offset int64 | producerCount int32 | producer × producerCount
 *   producer = producerId int64 | producerEpoch int16 | coordinatorEpoch int32 |
 *              lastTimestamp int64 | currentTxnFirstOffset int64 | batchCount int8 | batch × batchCount
 *   batch    = firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64 | timestamp int64
 *
 * The CRC32C covers every byte after the crc field. A file with another version, a bad CRC, a
 * wrong length or an offset that differs from its name is corrupt.
 *
 * All file-system access goes through {@link ProducerSnapshotFileSystem}, so the storage layer can
 * route it through its own port and tests can inject failures.
 */
import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { crc32c } from "@weir/protocol";
import { WeirError } from "../errors.js";
import {
  BATCHES_TO_RETAIN,
  type BatchMetadata,
  type ProducerStateEntryData,
} from "./producer-state-entry.js";

export const SNAPSHOT_SUFFIX = ".snapshot";
/** Suffix of a snapshot being written; a leftover one is garbage from a crash. */
export const SNAPSHOT_TEMP_SUFFIX = ".snapshot.tmp";
export const SNAPSHOT_VERSION = 1;

const CRC_START = 2;
const CONTENT_START = CRC_START + 4;
const HEADER_SIZE = CONTENT_START + 8 + 4;
const PRODUCER_SIZE = 8 + 2 + 4 + 8 + 8 + 1;
const BATCH_SIZE = 4 + 4 + 8 + 8 + 8;
const FILE_NAME = /^(\d{20})\.snapshot$/;

/** The few file operations snapshots need. */
export interface ProducerSnapshotFileSystem {
  /** Entry names in `dir`; empty when `dir` does not exist. */
  list(dir: string): Promise<string[]>;
  /** The file's bytes, or undefined when it does not exist. */
  read(path: string): Promise<Buffer | undefined>;
  /** Creates or truncates `path`, writes `data` and fsyncs the file. */
  writeAndSync(path: string, data: Buffer): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Makes renames and deletions in `dir` durable. */
  syncDir(dir: string): Promise<void>;
  /** Deletes `path`; a missing file is not an error. */
  remove(path: string): Promise<void>;
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === "object" && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? "");
}

/** {@link ProducerSnapshotFileSystem} on node:fs. */
export const nodeProducerSnapshotFileSystem: ProducerSnapshotFileSystem = {
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return [];
      throw err;
    }
  },
  async read(path) {
    try {
      return await readFile(path);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
  },
  async writeAndSync(path, data) {
    const handle = await open(path, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async rename(from, to) {
    await rename(from, to);
  },
  async syncDir(dir) {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(dir, "r");
      await handle.sync();
    } catch (err) {
      // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
      if (!isErrno(err, "EISDIR", "EPERM", "EINVAL", "EACCES")) throw err;
    } finally {
      await handle?.close();
    }
  },
  async remove(path) {
    try {
      await unlink(path);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  },
};

export function snapshotFileName(offset: number): string {
  return offset.toString().padStart(20, "0") + SNAPSHOT_SUFFIX;
}

export function snapshotTempFileName(offset: number): string {
  return offset.toString().padStart(20, "0") + SNAPSHOT_TEMP_SUFFIX;
}

/** The offset a snapshot file name stands for, or undefined when it is not a snapshot file. */
export function parseSnapshotFileName(name: string): number | undefined {
  const m = FILE_NAME.exec(name);
  if (m === null) return undefined;
  const offset = Number(m[1]);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

function writeInt64(buf: Buffer, value: number, pos: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new WeirError(
      "PRODUCER_SNAPSHOT_VALUE",
      `cannot store ${value} as an int64 in a producer snapshot`,
    );
  }
  return buf.writeBigInt64BE(BigInt(value), pos);
}

/** Encodes the state of all `producers` after every batch below `offset`. */
export function encodeProducerSnapshot(offset: number, producers: readonly ProducerStateEntryData[]): Buffer {
  let size = HEADER_SIZE;
  for (const p of producers)
    size += PRODUCER_SIZE + BATCH_SIZE * Math.min(p.batches.length, BATCHES_TO_RETAIN);
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(SNAPSHOT_VERSION, 0);
  let pos = CONTENT_START;
  pos = writeInt64(buf, offset, pos);
  pos = buf.writeInt32BE(producers.length, pos);
  for (const p of producers) {
    const batches = p.batches.slice(-BATCHES_TO_RETAIN);
    pos = writeInt64(buf, p.producerId, pos);
    pos = buf.writeInt16BE(p.producerEpoch, pos);
    pos = buf.writeInt32BE(p.coordinatorEpoch, pos);
    pos = writeInt64(buf, p.lastTimestamp, pos);
    pos = writeInt64(buf, p.currentTxnFirstOffset, pos);
    pos = buf.writeInt8(batches.length, pos);
    for (const b of batches) {
      pos = buf.writeInt32BE(b.firstSeq, pos);
      pos = buf.writeInt32BE(b.lastSeq, pos);
      pos = writeInt64(buf, b.firstOffset, pos);
      pos = writeInt64(buf, b.lastOffset, pos);
      pos = writeInt64(buf, b.timestamp, pos);
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(CONTENT_START)), CRC_START);
  return buf;
}

export type DecodedProducerSnapshot =
  | { readonly ok: true; readonly offset: number; readonly producers: ProducerStateEntryData[] }
  | { readonly ok: false; readonly reason: string };

/** Decodes a snapshot file; never throws, a damaged file is `{ ok: false }`. */
export function decodeProducerSnapshot(buf: Buffer, expectedOffset?: number): DecodedProducerSnapshot {
  const corrupt = (reason: string): DecodedProducerSnapshot => ({ ok: false, reason });
  if (buf.length < HEADER_SIZE) return corrupt(`file of ${buf.length} bytes is shorter than the header`);
  const version = buf.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) return corrupt(`unknown version ${version}`);
  const stored = buf.readUInt32BE(CRC_START);
  const computed = crc32c(buf.subarray(CONTENT_START));
  if (stored !== computed) return corrupt(`crc mismatch: stored ${stored}, computed ${computed}`);

  let pos = CONTENT_START;
  let bad = false;
  const int64 = (): number => {
    const v = Number(buf.readBigInt64BE(pos));
    pos += 8;
    if (!Number.isSafeInteger(v)) bad = true;
    return v;
  };
  const offset = int64();
  if (expectedOffset !== undefined && offset !== expectedOffset) {
    return corrupt(`holds offset ${offset} but is named for ${expectedOffset}`);
  }
  const count = buf.readInt32BE(pos);
  pos += 4;
  if (count < 0 || count > (buf.length - pos) / PRODUCER_SIZE) return corrupt(`bad producer count ${count}`);
  const producers: ProducerStateEntryData[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.length - pos < PRODUCER_SIZE) return corrupt("truncated producer entry");
    const producerId = int64();
    const producerEpoch = buf.readInt16BE(pos);
    const coordinatorEpoch = buf.readInt32BE(pos + 2);
    pos += 6;
    const lastTimestamp = int64();
    const currentTxnFirstOffset = int64();
    const batchCount = buf.readInt8(pos);
    pos += 1;
    if (batchCount < 0 || batchCount > BATCHES_TO_RETAIN) return corrupt(`bad batch count ${batchCount}`);
    if (buf.length - pos < batchCount * BATCH_SIZE) return corrupt("truncated batch metadata");
    const batches: BatchMetadata[] = [];
    for (let j = 0; j < batchCount; j++) {
      const firstSeq = buf.readInt32BE(pos);
      const lastSeq = buf.readInt32BE(pos + 4);
      pos += 8;
      batches.push({ firstSeq, lastSeq, firstOffset: int64(), lastOffset: int64(), timestamp: int64() });
    }
    producers.push({
      producerId,
      producerEpoch,
      coordinatorEpoch,
      lastTimestamp,
      currentTxnFirstOffset,
      batches,
    });
  }
  if (bad) return corrupt("int64 value beyond 2^53");
  if (pos !== buf.length) return corrupt(`${buf.length - pos} trailing bytes`);
  return { ok: true, offset, producers };
}
