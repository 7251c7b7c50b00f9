import { constants } from "node:fs";
import { type FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32c } from "@weir/protocol";
import { MetadataError } from "./metadata-error.js";
import { decodeBatch, encodeBatch } from "./metadata-record-codec.js";
import type { MetadataRecord } from "./metadata-records.js";

/**
 * The metadata log of a single node: `<dir>/__cluster_metadata-0/metadata.log`, an append-only
 * file of frames, one frame per atomic batch of records:
 *
 *   magic u8 (0xA7) | payload length u32 | payload CRC32C u32 | header CRC32C u32 | payload
 *
 * The header CRC covers the 9 bytes before it, so a frame's length is trusted only when intact.
 * The payload is a batch (`metadata-record-codec.ts`) carrying its base offset. An append is
 * acknowledged only after fdatasync.
 *
 * Recovery reads every frame. A bad or incomplete frame that is followed by nothing valid is a
 * torn tail — the unacknowledged end of an interrupted append — and is truncated. A bad frame
 * followed by a valid one is corruption in the middle of the log: opening fails with a clear
 * error rather than silently dropping acknowledged metadata.
 */

export const METADATA_LOG_DIR_NAME = "__cluster_metadata-0";
export const METADATA_LOG_FILE_NAME = "metadata.log";

const MAGIC = 0xa7;
const HEADER_SIZE = 13;

export interface MetadataBatch {
  readonly baseOffset: number;
  readonly records: readonly MetadataRecord[];
}

export interface MetadataLogRecovery {
  readonly batches: number;
  readonly records: number;
  /** Bytes of torn tail removed (0 after a clean shutdown). */
  readonly truncatedBytes: number;
}

export interface OpenedMetadataLog {
  readonly log: MetadataLog;
  /** Every batch in the log, in order, for replay. */
  readonly batches: readonly MetadataBatch[];
  readonly recovery: MetadataLogRecovery;
}

/** Frames `payload`: the bytes one append writes. */
export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  frame.writeUInt8(MAGIC, 0);
  frame.writeUInt32BE(payload.length, 1);
  frame.writeUInt32BE(crc32c(payload), 5);
  frame.writeUInt32BE(crc32c(frame.subarray(0, 9)), 9);
  payload.copy(frame, HEADER_SIZE);
  return frame;
}

type FrameRead = { ok: true; payload: Buffer; end: number } | { ok: false; reason: string };

function readFrame(buf: Buffer, pos: number): FrameRead {
  if (buf.length - pos < HEADER_SIZE) return { ok: false, reason: "incomplete frame header" };
  if (buf[pos] !== MAGIC) return { ok: false, reason: `bad magic byte ${buf[pos]}` };
  if (buf.readUInt32BE(pos + 9) !== crc32c(buf.subarray(pos, pos + 9))) {
    return { ok: false, reason: "frame header checksum mismatch" };
  }
  const length = buf.readUInt32BE(pos + 1);
  const end = pos + HEADER_SIZE + length;
  if (end > buf.length) return { ok: false, reason: "incomplete frame payload" };
  const payload = buf.subarray(pos + HEADER_SIZE, end);
  if (buf.readUInt32BE(pos + 5) !== crc32c(payload))
    return { ok: false, reason: "frame payload checksum mismatch" };
  return { ok: true, payload, end };
}

/** Position of the first intact frame at or after `from`, or -1. */
function nextIntactFrame(buf: Buffer, from: number): number {
  for (
    let p = buf.indexOf(MAGIC, from);
    p !== -1 && p + HEADER_SIZE <= buf.length;
    p = buf.indexOf(MAGIC, p + 1)
  ) {
    if (readFrame(buf, p).ok) return p;
  }
  return -1;
}

/** Parses a whole log file; returns its batches and the length of the valid prefix. */
export function scanMetadataLog(
  buf: Buffer,
  path = METADATA_LOG_FILE_NAME,
): { batches: MetadataBatch[]; validBytes: number } {
  const batches: MetadataBatch[] = [];
  let pos = 0;
  let nextOffset = 0;
  while (pos < buf.length) {
    const frame = readFrame(buf, pos);
    if (!frame.ok) {
      const later = nextIntactFrame(buf, pos + 1);
      if (later !== -1) {
        throw new MetadataError(
          "CORRUPT_METADATA_LOG",
          `${path}: corrupt record batch at byte ${pos} (${frame.reason}) is followed by intact batches ` +
            `(next at byte ${later}); refusing to drop committed metadata. Restore the metadata log from a backup.`,
        );
      }
      break;
    }
    let batch: MetadataBatch;
    try {
      batch = decodeBatch(frame.payload);
    } catch (e) {
      throw new MetadataError(
        "CORRUPT_METADATA_LOG",
        `${path}: record batch at byte ${pos} has a valid checksum but cannot be read: ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (batch.baseOffset !== nextOffset) {
      throw new MetadataError(
        "CORRUPT_METADATA_LOG",
        `${path}: record batch at byte ${pos} has base offset ${batch.baseOffset}, expected ${nextOffset}`,
      );
    }
    batches.push(batch);
    nextOffset += batch.records.length;
    pos = frame.end;
  }
  return { batches, validBytes: pos };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class MetadataLog {
  readonly path: string;
  #handle: FileHandle | undefined;
  #size: number;
  #nextOffset: number;
  #tail: Promise<unknown> = Promise.resolve();
  #failure: unknown;

  private constructor(path: string, handle: FileHandle, size: number, nextOffset: number) {
    this.path = path;
    this.#handle = handle;
    this.#size = size;
    this.#nextOffset = nextOffset;
  }

  /**
   * Opens (creating if needed) the metadata log under `logDir/__cluster_metadata-0/`, recovers
   * it and returns its batches for replay. Throws MetadataError for corruption in the middle.
   */
  static async open(logDir: string): Promise<OpenedMetadataLog> {
    const dir = join(logDir, METADATA_LOG_DIR_NAME);
    await mkdir(dir, { recursive: true });
    const path = join(dir, METADATA_LOG_FILE_NAME);
    let existing: Buffer;
    let created = false;
    try {
      existing = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      existing = Buffer.alloc(0);
      created = true;
    }
    const { batches, validBytes } = scanMetadataLog(existing, path);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const truncatedBytes = existing.length - validBytes;
      if (truncatedBytes > 0) {
        await handle.truncate(validBytes);
        await handle.sync();
      }
      if (created) {
        // make the new file's and the new directory's entries durable
        await syncDirectory(dir);
        await syncDirectory(logDir);
      }
      const records = batches.reduce((n, b) => n + b.records.length, 0);
      const log = new MetadataLog(path, handle, validBytes, records);
      return { log, batches, recovery: { batches: batches.length, records, truncatedBytes } };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Offset the next appended record gets (= number of records in the log). */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** Bytes in the log. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends the records as one atomic batch and resolves with its base offset once it is on
   * disk. Appends are serialized. After a failed write the log refuses further appends (what
   * reached the disk is unknown until the next recovery); the node should stop.
   */
  append(records: readonly MetadataRecord[]): Promise<number> {
    const result = this.#tail.then(() => this.#append(records));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #append(records: readonly MetadataRecord[]): Promise<number> {
    const handle = this.#handle;
    if (handle === undefined) throw new MetadataError("CLOSED", "metadata log is closed");
    if (this.#failure !== undefined) {
      throw new MetadataError("METADATA_LOG_FAILED", "metadata log failed earlier; restart to recover", {
        cause: this.#failure,
      });
    }
    const baseOffset = this.#nextOffset;
    if (records.length === 0) return baseOffset;
    const frame = encodeFrame(encodeBatch(baseOffset, records));
    try {
      let written = 0;
      while (written < frame.length) {
        const { bytesWritten } = await handle.write(
          frame,
          written,
          frame.length - written,
          this.#size + written,
        );
        written += bytesWritten;
      }
      await handle.datasync();
    } catch (e) {
      this.#failure = e;
      await handle.truncate(this.#size).catch(() => undefined);
      throw new MetadataError("METADATA_LOG_FAILED", `cannot write ${this.path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.#size += frame.length;
    this.#nextOffset += records.length;
    return baseOffset;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    await this.#tail;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}
