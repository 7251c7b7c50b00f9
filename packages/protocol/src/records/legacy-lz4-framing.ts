/*
 * LZ4 frames inside legacy messages. Magic 1 messages (and record batch v2) use the standard LZ4
 * frame format. Magic 0 messages were written by Kafka's early LZ4 framing code, which computed
 * the frame descriptor's header checksum (HC) over the 4 magic bytes as well as the descriptor
 * (KAFKA-3160); clients of that era verify exactly that byte. Readers here never check HC (the
 * lz4 codec ignores it), so both forms decode; writers of magic 0 frames patch HC to the old value.
 *
 * HC is the second byte of the xxHash32 (seed 0) of the descriptor: (xxh32(...) >> 8) & 0xff.
 * xxHash32 is implemented here from its specification (only ever run over a few bytes).
 */

const LZ4_FRAME_MAGIC = 0x184d2204;
const FLG_CONTENT_SIZE = 0x08;
const FLG_DICT_ID = 0x01;

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) >>> 0, 13), PRIME1) >>> 0;
}

/** xxHash32 of data[start, end). */
export function xxhash32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const length = end - start;
  let pos = start;
  let acc: number;
  if (length >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) >>> 0;
    let v2 = (seed + PRIME2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - PRIME1) >>> 0;
    for (; pos + 16 <= end; pos += 16) {
      v1 = round(v1, view.getUint32(pos, true));
      v2 = round(v2, view.getUint32(pos + 4, true));
      v3 = round(v3, view.getUint32(pos + 8, true));
      v4 = round(v4, view.getUint32(pos + 12, true));
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    acc = (seed + PRIME5) >>> 0;
  }
  acc = (acc + length) >>> 0;
  for (; pos + 4 <= end; pos += 4) {
    acc = (acc + Math.imul(view.getUint32(pos, true), PRIME3)) >>> 0;
    acc = Math.imul(rotl(acc, 17), PRIME4) >>> 0;
  }
  for (; pos < end; pos++) {
    acc = (acc + Math.imul(data[pos], PRIME5)) >>> 0;
    acc = Math.imul(rotl(acc, 11), PRIME1) >>> 0;
  }
  acc ^= acc >>> 15;
  acc = Math.imul(acc, PRIME2) >>> 0;
  acc ^= acc >>> 13;
  acc = Math.imul(acc, PRIME3) >>> 0;
  acc ^= acc >>> 16;
  return acc >>> 0;
}

/** Position of the HC byte of the LZ4 frame at the start of `frame`, or -1 when it is not one. */
function headerChecksumPosition(frame: Buffer): number {
  if (frame.length < 7 || frame.readUInt32LE(0) !== LZ4_FRAME_MAGIC) return -1;
  const flg = frame[4];
  const pos = 6 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  return pos < frame.length ? pos : -1;
}

/** The standard HC of the frame at the start of `frame` (over the descriptor only), or -1. */
export function lz4HeaderChecksum(frame: Buffer): number {
  const pos = headerChecksumPosition(frame);
  return pos < 0 ? -1 : (xxhash32(frame, 4, pos) >>> 8) & 0xff;
}

/** Kafka's pre-KAFKA-3160 HC of the frame at the start of `frame` (magic bytes included), or -1. */
export function lz4LegacyHeaderChecksum(frame: Buffer): number {
  const pos = headerChecksumPosition(frame);
  return pos < 0 ? -1 : (xxhash32(frame, 0, pos) >>> 8) & 0xff;
}

/**
 * Rewrites, in place, the HC byte of the first LZ4 frame in `frame` to the value Kafka's magic 0
 * framing wrote. Only the first frame is patched: the compressor writes exactly one.
 */
export function useLegacyLz4HeaderChecksum(frame: Buffer): Buffer {
  const pos = headerChecksumPosition(frame);
  if (pos >= 0) frame[pos] = (xxhash32(frame, 0, pos) >>> 8) & 0xff;
  return frame;
}
