/**
 * Kafka UUIDs (topic ids, KIP-516) travel as 16 raw bytes; Kafka prints them in URL-safe base64
 * without padding (22 characters), and so do we, so ids match what Kafka tools show.
 */
export type Uuid = string;

export const ZERO_UUID: Uuid = "AAAAAAAAAAAAAAAAAAAAAA";

export function uuidToBytes(uuid: Uuid): Buffer {
  const bytes = Buffer.from(uuid, "base64url");
  if (bytes.length !== 16) throw new RangeError(`not a 16-byte uuid: ${uuid}`);
  return bytes;
}

export function uuidFromBytes(bytes: Buffer): Uuid {
  return bytes.toString("base64url");
}
