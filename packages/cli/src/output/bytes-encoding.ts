/** How keys, values and header values are printed: as UTF-8 text, or hex or base64 for binary data. */
export type BytesEncoding = "utf8" | "hex" | "base64";

export const BYTES_ENCODINGS: readonly BytesEncoding[] = ["utf8", "hex", "base64"];

/** The bytes as text in `encoding`; null stays null. */
export function encodeBytes(bytes: Buffer | null, encoding: BytesEncoding): string | null {
  return bytes === null ? null : bytes.toString(encoding);
}
