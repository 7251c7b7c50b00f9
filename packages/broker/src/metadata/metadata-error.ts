import { WeirError } from "../errors.js";

export type MetadataErrorCode =
  /** A record in the middle of the metadata log fails its checksum or does not decode. */
  | "CORRUPT_METADATA_LOG"
  /** A record type or version this build does not know (written by a newer Weir?). */
  | "UNKNOWN_RECORD"
  /** A record that does not apply to the image (refers to a missing topic, …): a bug or corruption. */
  | "INVALID_RECORD"
  /** meta.properties is malformed or belongs to another node or cluster. */
  | "META_PROPERTIES"
  /** The metadata log could not be written; the node must stop. */
  | "METADATA_LOG_FAILED"
  /** The metadata manager is closed. */
  | "CLOSED";

/** Internal errors of the metadata subsystem (never sent to clients). */
export class MetadataError extends WeirError {
  override readonly name = "MetadataError";
  constructor(
    override readonly code: MetadataErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
