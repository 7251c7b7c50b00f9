import { ProtocolError } from "../codec/protocol-error.js";
import type { Record } from "./record.js";
import { buildRecordBatch } from "./record-batch-builder.js";

/*
 * Control batches (attribute bit 0x20) carry one control record whose key is
 *   version int16 (0) | type int16
 * Transaction markers (types ABORT and COMMIT) have the value
 *   version int16 (0) | coordinatorEpoch int32
 * Other types belong to the metadata quorum (KRaft) and carry their own values.
 */
export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
  KRaftVersion = 5,
  KRaftVoters = 6,
}

export interface EndTransactionMarker {
  type: ControlRecordType.Abort | ControlRecordType.Commit;
  coordinatorEpoch: number;
}

export interface ControlBatchOptions {
  producerId: number;
  producerEpoch: number;
  /** Milliseconds; the broker's clock when it writes the marker. */
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function encodeEndTransactionMarker(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/**
 * A transaction marker batch: transactional and control flags set, one record at offset delta 0
 * with the marker's key and value, base sequence -1.
 */
export function buildControlBatch(marker: EndTransactionMarker, options: ControlBatchOptions): Buffer {
  if (marker.type !== ControlRecordType.Abort && marker.type !== ControlRecordType.Commit) {
    throw new RangeError(`control record type ${marker.type} is not a transaction marker`);
  }
  return buildRecordBatch(
    [
      {
        key: encodeControlRecordKey(marker.type),
        value: encodeEndTransactionMarker(marker.coordinatorEpoch),
        timestamp: options.timestamp,
      },
    ],
    {
      baseOffset: options.baseOffset,
      partitionLeaderEpoch: options.partitionLeaderEpoch,
      producerId: options.producerId,
      producerEpoch: options.producerEpoch,
      baseSequence: -1,
      transactional: true,
      control: true,
    },
  );
}

/**
 * The type of a control record (from a control batch). Newer key versions are read as long as the
 * type field is where version 0 has it, as Kafka does.
 */
export function readControlRecordType(record: Record): ControlRecordType {
  const key = record.key;
  if (key === null || key.length < 4)
    throw new ProtocolError("control record key too short", "CORRUPT_RECORD");
  const version = key.readInt16BE(0);
  if (version < 0) throw new ProtocolError(`invalid control record key version ${version}`, "CORRUPT_RECORD");
  return key.readInt16BE(2);
}

/** The transaction marker a COMMIT or ABORT control record holds. */
export function readEndTransactionMarker(record: Record): EndTransactionMarker {
  const type = readControlRecordType(record);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) {
    throw new ProtocolError(`control record type ${type} is not a transaction marker`, "CORRUPT_RECORD");
  }
  const value = record.value;
  if (value === null || value.length < 6) {
    throw new ProtocolError("transaction marker value too short", "CORRUPT_RECORD");
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new ProtocolError(`invalid transaction marker version ${version}`, "CORRUPT_RECORD");
  return { type, coordinatorEpoch: value.readInt32BE(2) };
}
