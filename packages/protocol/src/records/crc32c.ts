import { crc32c as nativeCrc32c } from "@node-rs/crc32";

/** CRC32C (Castagnoli), as record batch v2 uses; a native SIMD implementation. */
export function crc32c(data: Buffer, initial = 0): number {
  return nativeCrc32c(data, initial) >>> 0;
}
