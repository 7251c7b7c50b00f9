import {
  downConvertRecordBatches,
  ErrorCode,
  type LegacyMagic,
  ProtocolError,
  recordsMagic,
  upConvertLegacyMessageSet,
} from "@weir/protocol";
import type { FetchPartitionResult, FetchPartitionToRead } from "../replication/fetch-session-partition.js";
import type { BrokerContext } from "../server/broker-context.js";

/*
 * The message formats before record batch v2 (magic 0 and 1), for the clients that still send
 * Produce v0–v2 and Fetch v0–v3. The log stores only v2 batches: produce up-converts a partition's
 * message set into one batch before the normal append path, fetch down-converts what it read.
 */

/** A compressed legacy set may not inflate past this while being converted (as for v2 batches). */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** The message format a fetch version reads: magic 0 for v0–v1, magic 1 for v2–v3, v2 batches after. */
export function fetchMessageFormat(version: number): LegacyMagic | 2 {
  return version <= 1 ? 0 : version <= 3 ? 1 : 2;
}

export type ProduceConversion =
  | { ok: true; records: Buffer }
  | { ok: false; errorCode: number; message: string };

function errorCodeOf(err: ProtocolError): number {
  switch (err.code) {
    case "UNSUPPORTED_COMPRESSION":
      return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    case "UNSUPPORTED_VERSION":
      return ErrorCode.INVALID_RECORD;
    default:
      return ErrorCode.CORRUPT_MESSAGE;
  }
}

/**
 * The records of a Produce v0–v2 partition as one record batch v2. A set of magic 0 or 1 messages
 * is up-converted (see upConvertLegacyMessageSet); records that already are v2 batches pass
 * through unchanged, as Kafka accepts them at these versions too. A set that cannot be read
 * answers CORRUPT_MESSAGE (CRC, framing), UNSUPPORTED_COMPRESSION_TYPE (a codec magic 0/1 cannot
 * carry) or INVALID_RECORD (a v2 batch among legacy messages).
 */
export function upConvertProduceRecords(records: Buffer): ProduceConversion {
  if (recordsMagic(records) === 2) return { ok: true, records };
  try {
    return {
      ok: true,
      records: upConvertLegacyMessageSet(records, { maxDecompressedBytes: MAX_DECOMPRESSED_BYTES }).batch,
    };
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { ok: false, errorCode: errorCodeOf(err), message: err.message };
  }
}

/** The parts of a partition's fetch result that down-conversion replaces. */
export interface FetchedRecords extends FetchPartitionResult {
  readonly records: Buffer;
}

/**
 * Down-converts, in place, every partition's records of a Fetch v0–v3 response to a message set
 * of `magic` (see downConvertRecordBatches). Byte limits are applied again to the converted
 * bytes, which may be more or fewer than those read: each partition gets at most its
 * partitionMaxBytes and what is left of the response's maxBytes, in whole messages (or whole
 * wrappers for compressed batches), except that the first partition with data always gets at
 * least one, as the read did, so a consumer can get past a large message. Messages below the
 * fetch offset (the read starts at the batch holding it) are left out. A stored batch that cannot
 * be converted answers CORRUPT_MESSAGE for its partition.
 */
export function downConvertFetchResults<R extends FetchedRecords>(
  broker: BrokerContext,
  results: Map<FetchPartitionToRead, R>,
  magic: LegacyMagic,
  responseMaxBytes: number,
): void {
  let bytes = 0;
  for (const [p, r] of results) {
    if (r.errorCode !== ErrorCode.NONE || r.records.length === 0) continue;
    let records: Buffer;
    let errorCode: number = ErrorCode.NONE;
    try {
      records = downConvertRecordBatches(r.records, {
        magic,
        fromOffset: p.fetchOffset,
        maxBytes: Math.min(p.maxBytes, Math.max(0, responseMaxBytes - bytes)),
        minOneEntry: bytes === 0,
        maxDecompressedBytes: MAX_DECOMPRESSED_BYTES,
      }).records;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      broker.logger.warn({ err, topic: p.topic, partition: p.partition }, "fetch could not down-convert");
      records = Buffer.alloc(0);
      errorCode = ErrorCode.CORRUPT_MESSAGE;
    }
    bytes += records.length;
    results.set(p, { ...r, errorCode, records, recordsSizeInBytes: records.length });
  }
}
