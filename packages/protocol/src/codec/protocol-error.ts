/**
 * Raised when bytes from the network cannot be decoded: truncated input, a length that runs past
 * the end, an out-of-range varint, an invalid null. The broker turns it into a closed connection
 * or an error code; it never escapes as a crash.
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    message: string,
    readonly code: ProtocolErrorCode = "MALFORMED",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ProtocolErrorCode =
  | "MALFORMED"
  | "UNSUPPORTED_VERSION"
  | "CORRUPT_RECORD"
  | "UNSUPPORTED_COMPRESSION";
