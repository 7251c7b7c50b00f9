import { crc32 as nativeCrc32 } from "@node-rs/crc32";

/**
 * CRC32 (IEEE 802.3, the zlib/gzip polynomial), as the legacy message formats (magic 0 and 1) use
 * it; record batch v2 uses CRC32C instead. Native, through the same package as crc32c (node:zlib
 * only has crc32 from Node 20.15, and the package supports every Node 20).
 */
export function crc32(data: Buffer, initial = 0): number {
  return nativeCrc32(data, initial) >>> 0;
}
