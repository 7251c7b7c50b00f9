import { WeirError } from "../errors.js";

/**
 * Stable codes of the storage layer's internal errors. The request handlers map them to Kafka
 * error codes (OFFSET_OUT_OF_RANGE → OFFSET_OUT_OF_RANGE, RECORD_TOO_LARGE → MESSAGE_TOO_LARGE,
 * IO / LOG_OFFLINE → KAFKA_STORAGE_ERROR, …).
 */
export type StorageErrorCode =
  /** A read or ListOffsets outside [logStartOffset, logEndOffset]. */
  | "OFFSET_OUT_OF_RANGE"
  /** Bytes on disk or handed to append are not what they claim to be. */
  | "CORRUPT"
  /** A file operation failed (ENOSPC, EIO, a short write that could not be completed …). */
  | "IO"
  /** The log failed an fsync or could not undo a failed write: it refuses all further work. */
  | "LOG_OFFLINE"
  /** The log or manager was closed. */
  | "CLOSED"
  /** A configuration value is missing its type or out of range. */
  | "INVALID_CONFIG"
  /** A batch larger than max.message.bytes. */
  | "RECORD_TOO_LARGE"
  /** An append larger than segment.bytes. */
  | "RECORD_BATCH_TOO_LARGE"
  /** A replicated append (offsets kept) whose offsets do not follow the log end offset. */
  | "UNEXPECTED_APPEND_OFFSET"
  /** A caller passed an argument outside what the operation accepts. */
  | "INVALID_ARGUMENT"
  /** The log changed under a cleaning (truncation, retention) or the cleaning was stopped. */
  | "CLEANING_ABORTED";

/** An internal storage error: a stable `code`, a message and the underlying `cause`. */
export class StorageError extends WeirError {
  override readonly name: string = "StorageError";
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The requested offset lies outside [logStartOffset, logEndOffset] of the log. */
export class OffsetOutOfRangeError extends StorageError {
  override readonly name: string = "OffsetOutOfRangeError";

  constructor(
    readonly requestedOffset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
    readonly log: string,
  ) {
    super(
      "OFFSET_OUT_OF_RANGE",
      `offset ${requestedOffset} is out of range for ${log}: log start offset ${logStartOffset}, ` +
        `log end offset ${logEndOffset}`,
    );
  }
}

/** A segment file holds bytes that are not a valid batch at `position` (a batch boundary). */
export class CorruptBatchError extends StorageError {
  override readonly name: string = "CorruptBatchError";

  constructor(
    readonly file: string,
    readonly position: number,
    readonly problem: string,
  ) {
    super("CORRUPT", `${file}: ${problem}`);
  }
}

/** Wraps whatever a file operation threw into an IO StorageError (kept as is when it already is one). */
export function ioError(what: string, cause: unknown): StorageError {
  if (cause instanceof StorageError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new StorageError("IO", `${what}: ${code ?? (cause as Error)?.message ?? String(cause)}`, { cause });
}

/** The errno code of a node:fs error, if any. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}
