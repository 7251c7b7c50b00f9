import { Reader, Writer } from "@weir/protocol";
import type { SecurityProtocol } from "../config/listeners.js";
import { assertNever } from "../errors.js";
import { MetadataError } from "./metadata-error.js";
import type { ConfigResourceType, MetadataRecord, MetadataRecordType } from "./metadata-records.js";

/**
 * Compact binary encoding of metadata records: `[type int8][version int8][fields…]`, with Kafka's
 * primitive encodings (compact strings, int32 arrays, raw 16-byte UUIDs). The type ids are
 * KRaft's metadata record api keys, so a record reads the same in a Kafka dump and here; the
 * layout of the fields is Weir's own. A batch is `[baseOffset int64][count int32]` followed by
 * each record prefixed with its length, so a reader can skip a record it does not understand.
 */

const RECORD_TYPE_IDS: Readonly<Record<MetadataRecordType, number>> = {
  RegisterBroker: 0,
  Topic: 2,
  Partition: 3,
  Config: 4,
  PartitionChange: 5,
  RemoveTopic: 9,
  FeatureLevel: 12,
  ProducerIds: 15,
};

const RECORD_TYPES_BY_ID = new Map<number, MetadataRecordType>(
  Object.entries(RECORD_TYPE_IDS).map(([name, id]) => [id, name as MetadataRecordType]),
);

const CONFIG_RESOURCE_IDS: Readonly<Record<ConfigResourceType, number>> = { topic: 2, broker: 4 };
const SECURITY_PROTOCOL_IDS: Readonly<Record<SecurityProtocol, number>> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};
const SECURITY_PROTOCOLS = Object.keys(SECURITY_PROTOCOL_IDS) as SecurityProtocol[];

const VERSION = 0;

function writeInts(w: Writer, values: readonly number[]): void {
  w.compactArrayLength(values.length);
  for (const v of values) w.int32(v);
}

function readInts(r: Reader): number[] {
  const n = r.compactArrayLength();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.int32());
  return out;
}

function writeNullableInts(w: Writer, values: readonly number[] | null): void {
  if (values === null) w.compactArrayLength(-1);
  else writeInts(w, values);
}

function readNullableInts(r: Reader): number[] | null {
  const n = r.compactArrayLength();
  if (n < 0) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.int32());
  return out;
}

/** Appends one record's bytes to `w`. */
export function encodeRecord(w: Writer, record: MetadataRecord): void {
  w.int8(RECORD_TYPE_IDS[record.type]).int8(VERSION);
  switch (record.type) {
    case "RegisterBroker":
      w.int32(record.nodeId).uuid(record.incarnationId).int64(record.brokerEpoch);
      w.compactArrayLength(record.endpoints.length);
      for (const e of record.endpoints) {
        w.compactString(e.name)
          .compactString(e.host)
          .int32(e.port)
          .int8(SECURITY_PROTOCOL_IDS[e.securityProtocol]);
      }
      w.compactNullableString(record.rack).boolean(record.fenced);
      return;
    case "Topic":
      w.compactString(record.name).uuid(record.topicId);
      return;
    case "Partition":
      w.uuid(record.topicId).int32(record.partitionId);
      writeInts(w, record.replicas);
      writeInts(w, record.isr);
      w.int32(record.leader).int32(record.leaderEpoch).int32(record.partitionEpoch);
      return;
    case "PartitionChange":
      w.uuid(record.topicId).int32(record.partitionId);
      w.boolean(record.leader !== null).int32(record.leader ?? -1);
      writeNullableInts(w, record.isr);
      return;
    case "RemoveTopic":
      w.uuid(record.topicId);
      return;
    case "Config":
      w.int8(CONFIG_RESOURCE_IDS[record.resourceType])
        .compactString(record.resourceName)
        .compactString(record.name)
        .compactNullableString(record.value);
      return;
    case "FeatureLevel":
      w.compactString(record.name).int16(record.featureLevel);
      return;
    case "ProducerIds":
      w.int32(record.brokerId).int64(record.brokerEpoch).int64(record.nextProducerId);
      return;
    default:
      assertNever(record, "metadata record");
  }
}

/** Reads one record; throws MetadataError for an unknown type or version. */
export function decodeRecord(r: Reader): MetadataRecord {
  const typeId = r.int8();
  const version = r.int8();
  const type = RECORD_TYPES_BY_ID.get(typeId);
  if (type === undefined) {
    throw new MetadataError("UNKNOWN_RECORD", `unknown metadata record type ${typeId}`);
  }
  if (version !== VERSION) {
    throw new MetadataError("UNKNOWN_RECORD", `unsupported version ${version} of metadata record ${type}`);
  }
  switch (type) {
    case "RegisterBroker": {
      const nodeId = r.int32();
      const incarnationId = r.uuid();
      const brokerEpoch = r.int64();
      const n = r.compactArrayLength();
      const endpoints = [];
      for (let i = 0; i < n; i++) {
        const name = r.compactString();
        const host = r.compactString();
        const port = r.int32();
        const protocolId = r.int8();
        const securityProtocol = SECURITY_PROTOCOLS[protocolId];
        if (securityProtocol === undefined) {
          throw new MetadataError("UNKNOWN_RECORD", `unknown security protocol id ${protocolId}`);
        }
        endpoints.push({ name, host, port, securityProtocol });
      }
      const rack = r.compactNullableString();
      const fenced = r.boolean();
      return { type, nodeId, incarnationId, brokerEpoch, endpoints, rack, fenced };
    }
    case "Topic":
      return { type, name: r.compactString(), topicId: r.uuid() };
    case "Partition": {
      const topicId = r.uuid();
      const partitionId = r.int32();
      const replicas = readInts(r);
      const isr = readInts(r);
      return {
        type,
        topicId,
        partitionId,
        replicas,
        isr,
        leader: r.int32(),
        leaderEpoch: r.int32(),
        partitionEpoch: r.int32(),
      };
    }
    case "PartitionChange": {
      const topicId = r.uuid();
      const partitionId = r.int32();
      const hasLeader = r.boolean();
      const leader = r.int32();
      const isr = readNullableInts(r);
      return { type, topicId, partitionId, leader: hasLeader ? leader : null, isr };
    }
    case "RemoveTopic":
      return { type, topicId: r.uuid() };
    case "Config": {
      const resourceId = r.int8();
      const resourceType = resourceId === 2 ? "topic" : resourceId === 4 ? "broker" : null;
      if (resourceType === null) {
        throw new MetadataError("UNKNOWN_RECORD", `unknown config resource type ${resourceId}`);
      }
      return {
        type,
        resourceType,
        resourceName: r.compactString(),
        name: r.compactString(),
        value: r.compactNullableString(),
      };
    }
    case "FeatureLevel":
      return { type, name: r.compactString(), featureLevel: r.int16() };
    case "ProducerIds":
      return { type, brokerId: r.int32(), brokerEpoch: r.int64(), nextProducerId: r.int64() };
    default:
      return assertNever(type, "metadata record type");
  }
}

/** Encodes a batch of records written at `baseOffset` (consecutive offsets). */
export function encodeBatch(baseOffset: number, records: readonly MetadataRecord[]): Buffer {
  const w = new Writer(64 + records.length * 48);
  w.int64(BigInt(baseOffset)).int32(records.length);
  for (const record of records) {
    const one = new Writer(64);
    encodeRecord(one, record);
    const bytes = one.toBuffer();
    w.unsignedVarint(bytes.length).raw(bytes);
  }
  return w.toBuffer();
}

export interface DecodedBatch {
  readonly baseOffset: number;
  readonly records: readonly MetadataRecord[];
}

/** Decodes a batch; throws MetadataError when the bytes do not form one. */
export function decodeBatch(payload: Buffer): DecodedBatch {
  try {
    const r = new Reader(payload);
    const baseOffset = Number(r.int64());
    const count = r.int32();
    if (count < 0 || count > r.remaining()) {
      throw new MetadataError("CORRUPT_METADATA_LOG", `invalid record count ${count}`);
    }
    const records: MetadataRecord[] = [];
    for (let i = 0; i < count; i++) {
      const size = r.unsignedVarint();
      const one = new Reader(r.raw(size));
      records.push(decodeRecord(one));
      if (one.remaining() !== 0) {
        throw new MetadataError("CORRUPT_METADATA_LOG", `trailing bytes after metadata record ${i}`);
      }
    }
    if (r.remaining() !== 0) throw new MetadataError("CORRUPT_METADATA_LOG", "trailing bytes after batch");
    return { baseOffset, records };
  } catch (e) {
    if (e instanceof MetadataError) throw e;
    throw new MetadataError("CORRUPT_METADATA_LOG", `undecodable metadata batch: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
