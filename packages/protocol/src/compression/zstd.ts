import { CompressionType } from "../records/record-batch-header.js";
import {
  asProtocolError,
  type CompressionCodec,
  checkMaxBytes,
  corruptCompressed,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decompressedTooLarge,
} from "./codec.js";
import { loadOnFirstUse } from "./native-module.js";

const zstdNapi = loadOnFirstUse<typeof import("zstd-napi")>("zstd-napi");
const binding = loadOnFirstUse<typeof import("zstd-napi/binding.js")>("zstd-napi/binding.js");

/** Kafka's default `compression.zstd.level`. */
const DEFAULT_LEVEL = 3;

/**
 * One decompression context for the process: the codecs are synchronous, so calls never overlap,
 * and a context keeps its buffers between calls. It is reset before each use so a previous
 * failure mid-frame cannot leak state into the next call.
 */
type DCtx = InstanceType<ReturnType<typeof binding>["DCtx"]>;
let dctx: DCtx | null = null;
function context(): DCtx {
  const native = binding();
  dctx ??= new native.DCtx();
  dctx.reset(native.ResetDirective.sessionOnly);
  return dctx;
}

/** Sum of the content sizes the frames declare, or -1 when any frame does not declare one. */
function declaredContentSize(data: Buffer): number {
  let total = 0;
  let rest: Buffer = data;
  while (rest.length > 0) {
    const size = binding().getFrameContentSize(rest);
    if (size === null) return -1;
    total += size;
    rest = rest.subarray(binding().findFrameCompressedSize(rest));
  }
  return total;
}

/**
 * Frames written by a streaming compressor (Java's zstd-jni ZstdOutputStream, librdkafka) do not
 * declare their content size; they are decoded in steps, never past `maxBytes`.
 */
function decompressStreaming(data: Buffer, maxBytes: number): Buffer {
  const ctx = context();
  // Output step: ZSTD_DStreamOutSize() (one block, 128 KiB).
  const step = binding().dStreamOutSize();
  const chunks: Buffer[] = [];
  let total = 0;
  let src: Buffer = data;
  for (;;) {
    const room = Math.min(step, maxBytes - total + 1);
    const dst = Buffer.allocUnsafe(room);
    const [pending, produced, consumed] = ctx.decompressStream(dst, src);
    src = src.subarray(consumed);
    total += produced;
    if (total > maxBytes) throw decompressedTooLarge("zstd", maxBytes);
    if (produced > 0) chunks.push(dst.subarray(0, produced));
    if (src.length === 0 && pending === 0) break; // every frame complete and flushed
    if (produced === 0 && consumed === 0) throw corruptCompressed("zstd", "truncated frame");
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

function decompress(data: Buffer, maxBytes: number): Buffer {
  if (data.length === 0) throw corruptCompressed("zstd", "empty input");
  const declared = declaredContentSize(data);
  if (declared < 0) return decompressStreaming(data, maxBytes);
  if (declared > maxBytes) throw decompressedTooLarge("zstd", maxBytes);
  // Every frame declares its size: decode in one call into an exact buffer. zstd verifies the
  // declared size, and a frame that lies about it overflows `out` and fails.
  const out = Buffer.allocUnsafe(declared);
  const written = context().decompress(out, data);
  if (written !== declared) throw corruptCompressed("zstd", "decoded size differs from the declared size");
  return out;
}

/**
 * zstd (RFC 8878 frames) through zstd-napi. Compression writes one frame with its content size;
 * decompression accepts several frames, skippable frames and frames without content size.
 */
export const zstdCodec: CompressionCodec = {
  type: CompressionType.Zstd,
  name: "zstd",
  compress(data: Uint8Array, level: number = DEFAULT_LEVEL): Buffer {
    return zstdNapi().compress(data, { compressionLevel: level });
  },
  decompress(data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
    checkMaxBytes(maxBytes);
    try {
      return decompress(data, maxBytes);
    } catch (err) {
      throw asProtocolError("zstd", err);
    }
  },
};
