/**
 * The names of a log's files: Kafka's `<base offset, 20 digits>` segment names and the suffixes
 * that mark a file's state (being cleaned, about to be swapped in, waiting for deletion, corrupt
 * bytes moved aside).
 */
export const LOG_FILE_SUFFIX = ".log";
export const INDEX_FILE_SUFFIX = ".index";
export const TIME_INDEX_FILE_SUFFIX = ".timeindex";
export const DELETED_FILE_SUFFIX = ".deleted";
/** A segment the log cleaner is writing (deleted on restart: the old segments are intact). */
export const CLEANED_FILE_SUFFIX = ".cleaned";
/** A cleaned segment that is complete and durable, about to replace its old segments. */
export const SWAP_FILE_SUFFIX = ".swap";
/**
 * Bytes moved out of a segment because they failed validation (a CRC mismatch, an insane header):
 * `<base>.log.<position>.corrupt` holds the segment's bytes from `position` on. Kept for the
 * operator, never deleted by the broker.
 */
export const CORRUPT_FILE_SUFFIX = ".corrupt";

/** `<offset zero-padded to 20 digits><suffix>`, Kafka's segment file name. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, "0") + suffix;
}

const SEGMENT_FILE = /^(\d{20})(\.log|\.index|\.timeindex)$/;

/** The base offset and suffix of a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | undefined {
  const m = SEGMENT_FILE.exec(name);
  if (m === null) return undefined;
  const baseOffset = Number(m[1]);
  return Number.isSafeInteger(baseOffset) ? { baseOffset, suffix: m[2]! } : undefined;
}
