import { type Uuid, uuidFromBytes, ZERO_UUID } from "@weir/protocol";
import type { Random } from "./ports.js";

/**
 * Kafka UUIDs for topic ids, cluster ids and directory ids: 16 random bytes (a version-4 UUID),
 * printed as 22 characters of unpadded URL-safe base64.
 *
 * Kafka's rules, kept here: the all-zero UUID means "no id" on the wire, and the UUID with only
 * the lowest bit set is reserved (it is the metadata topic's id), so neither is ever generated;
 * nor is an id whose string starts with '-', which command lines would mistake for an option.
 */

/** Kafka's `Uuid.ONE_UUID` / `METADATA_TOPIC_ID`. */
export const METADATA_TOPIC_ID: Uuid = "AAAAAAAAAAAAAAAAAAAAAQ";

/** True for ids Kafka never hands out: zero, the metadata topic's, and directory-id sentinels. */
export function isReservedUuid(id: Uuid): boolean {
  const bytes = Buffer.from(id, "base64url");
  if (bytes.length !== 16) return false;
  // Kafka reserves every UUID with all-zero high bits and a small low half (< 100) for
  // directory-id sentinels; that range contains ZERO_UUID and METADATA_TOPIC_ID too.
  return bytes.readBigUInt64BE(0) === 0n && bytes.readBigUInt64BE(8) < 100n;
}

/** A fresh UUID from the injected randomness, never a reserved one. */
export function randomUuid(random: Random): Uuid {
  for (;;) {
    const bytes = random.nextBytes(16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // IETF variant
    const id = uuidFromBytes(bytes);
    if (id !== ZERO_UUID && !isReservedUuid(id) && !id.startsWith("-")) return id;
  }
}

/** True if `text` is a 22-character base64url encoding of 16 bytes (what Kafka prints). */
export function isUuidString(text: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(text) && Buffer.from(text, "base64url").length === 16;
}
