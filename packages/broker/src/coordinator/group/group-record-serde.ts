import { ProtocolError, Reader, Writer } from "@weir/protocol";
import { assertNever } from "../../errors.js";
import type { TopicPartitions } from "./assignment.js";
import type {
  ConsumerGroupCurrentMemberAssignmentValue,
  ConsumerGroupMemberMetadataValue,
  ConsumerGroupRecord,
  GroupCoordinatorRecord,
  GroupMetadataMember,
  GroupMetadataValue,
  OffsetCommitValue,
  SubscribedTopicMetadata,
} from "./group-records.js";

/**
 * Kafka's `__consumer_offsets` byte layout. The key starts with an int16 that is both the key
 * version and the record type: 0 and 1 are offset commits, 2 is classic group metadata, 3–8 are
 * the consumer group (KIP-848) records — 3 ConsumerGroupMetadata, 4 ConsumerGroupPartitionMetadata,
 * 5 ConsumerGroupMemberMetadata, 6 ConsumerGroupTargetAssignmentMetadata, 7
 * ConsumerGroupTargetAssignmentMember, 8 ConsumerGroupCurrentMemberAssignment (9 and up are share
 * group and later records, which this coordinator does not read). Keys are non-flexible: the
 * int16 then the key's strings. The value starts with its own int16 version. Written as Kafka
 * writes them: offset commit key v1 with value v3 (v1 when the commit carries an expire
 * timestamp); group metadata key v2 with value v3; the consumer group values at version 0, which
 * is flexible (compact strings and arrays, a tagged-field section closing every struct). Every
 * offset and group metadata value version 0–4 is read (4 is the flexible encoding); consumer
 * group values skip tagged fields they do not know (such as a classic member's metadata).
 */

export interface SerializedGroupRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

const OFFSET_COMMIT_KEY_VERSION = 1;
const GROUP_METADATA_KEY_VERSION = 2;
const GROUP_METADATA_VALUE_VERSION = 3;

/** The key versions (record types) of the consumer group records. */
const CONSUMER_GROUP_KEY_VERSION: Record<ConsumerGroupRecord["type"], number> = {
  ConsumerGroupMetadata: 3,
  ConsumerGroupPartitionMetadata: 4,
  ConsumerGroupMemberMetadata: 5,
  ConsumerGroupTargetAssignmentMetadata: 6,
  ConsumerGroupTargetAssignmentMember: 7,
  ConsumerGroupCurrentMemberAssignment: 8,
};

export function serializeGroupRecord(record: GroupCoordinatorRecord): SerializedGroupRecord {
  switch (record.type) {
    case "OffsetCommit": {
      const key = new Writer(64)
        .int16(OFFSET_COMMIT_KEY_VERSION)
        .string(record.group)
        .string(record.topic)
        .int32(record.partition)
        .toBuffer();
      return { key, value: record.value === null ? null : serializeOffsetCommitValue(record.value) };
    }
    case "GroupMetadata": {
      const key = new Writer(32).int16(GROUP_METADATA_KEY_VERSION).string(record.group).toBuffer();
      return { key, value: record.value === null ? null : serializeGroupMetadataValue(record.value) };
    }
    case "ConsumerGroupMetadata":
    case "ConsumerGroupPartitionMetadata":
    case "ConsumerGroupMemberMetadata":
    case "ConsumerGroupTargetAssignmentMetadata":
    case "ConsumerGroupTargetAssignmentMember":
    case "ConsumerGroupCurrentMemberAssignment":
      return serializeConsumerGroupRecord(record);
    default:
      return assertNever(record, "group coordinator record");
  }
}

function serializeConsumerGroupRecord(record: ConsumerGroupRecord): SerializedGroupRecord {
  const key = new Writer(64).int16(CONSUMER_GROUP_KEY_VERSION[record.type]).string(record.group);
  if ("memberId" in record) key.string(record.memberId);
  if (record.value === null) return { key: key.toBuffer(), value: null };
  const w = new Writer(128).int16(0);
  switch (record.type) {
    case "ConsumerGroupMetadata":
      w.int32(record.value.epoch);
      break;
    case "ConsumerGroupPartitionMetadata":
      w.compactArrayLength(record.value.topics.length);
      for (const t of record.value.topics) {
        // PartitionMetadata (racks per partition) is left empty, as Kafka does without racks.
        w.uuid(t.topicId)
          .compactString(t.topicName)
          .int32(t.numPartitions)
          .compactArrayLength(0)
          .unsignedVarint(0);
      }
      break;
    case "ConsumerGroupMemberMetadata": {
      const v = record.value;
      w.compactNullableString(v.instanceId)
        .compactNullableString(v.rackId)
        .compactString(v.clientId)
        .compactString(v.clientHost)
        .compactArrayLength(v.subscribedTopicNames.length);
      for (const name of v.subscribedTopicNames) w.compactString(name);
      w.compactNullableString(v.subscribedTopicRegex)
        .int32(v.rebalanceTimeoutMs)
        .compactNullableString(v.serverAssignor);
      break;
    }
    case "ConsumerGroupTargetAssignmentMetadata":
      w.int32(record.value.assignmentEpoch);
      break;
    case "ConsumerGroupTargetAssignmentMember":
      writeTopicPartitions(w, record.value.topicPartitions);
      break;
    case "ConsumerGroupCurrentMemberAssignment": {
      const v = record.value;
      w.int32(v.memberEpoch).int32(v.previousMemberEpoch).int8(v.state);
      writeTopicPartitions(w, v.assignedPartitions);
      writeTopicPartitions(w, v.partitionsPendingRevocation);
      break;
    }
    default:
      assertNever(record, "consumer group record");
  }
  w.unsignedVarint(0);
  return { key: key.toBuffer(), value: w.toBuffer() };
}

function writeTopicPartitions(w: Writer, list: readonly TopicPartitions[]): void {
  w.compactArrayLength(list.length);
  for (const { topicId, partitions } of list) {
    w.uuid(topicId).compactArrayLength(partitions.length);
    for (const p of partitions) w.int32(p);
    w.unsignedVarint(0);
  }
}

function serializeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const w = new Writer(64);
  if (v.expireTimestamp >= 0) {
    w.int16(1)
      .int64(BigInt(v.offset))
      .string(v.metadata)
      .int64(BigInt(v.commitTimestamp))
      .int64(BigInt(v.expireTimestamp));
  } else {
    w.int16(3)
      .int64(BigInt(v.offset))
      .int32(v.leaderEpoch)
      .string(v.metadata)
      .int64(BigInt(v.commitTimestamp));
  }
  return w.toBuffer();
}

function serializeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new Writer(256)
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(v.protocolType)
    .int32(v.generation)
    .nullableString(v.protocol)
    .nullableString(v.leader)
    .int64(BigInt(v.currentStateTimestamp))
    .arrayLength(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId)
      .nullableString(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.toBuffer();
}

/**
 * Decodes one `__consumer_offsets` record. Returns null for record types this coordinator does
 * not handle (key version 9 and up); throws ProtocolError for bytes that do not decode. Byte
 * fields are copied, so the result does not pin the segment buffer it came from.
 */
export function deserializeGroupRecord(key: Buffer, value: Buffer | null): GroupCoordinatorRecord | null {
  const k = new Reader(key);
  const keyVersion = k.int16();
  switch (keyVersion) {
    case 0:
    case 1: {
      const group = k.string();
      const topic = k.string();
      const partition = k.int32();
      return {
        type: "OffsetCommit",
        group,
        topic,
        partition,
        value: value === null ? null : deserializeOffsetCommitValue(value),
      };
    }
    case 2: {
      const group = k.string();
      return {
        type: "GroupMetadata",
        group,
        value: value === null ? null : deserializeGroupMetadataValue(value),
      };
    }
    case 3: {
      const group = k.string();
      return {
        type: "ConsumerGroupMetadata",
        group,
        value: consumerValue(value, (v) => ({ epoch: v.r.int32() })),
      };
    }
    case 4: {
      const group = k.string();
      return {
        type: "ConsumerGroupPartitionMetadata",
        group,
        value: consumerValue(value, (v) => ({ topics: readSubscribedTopics(v) })),
      };
    }
    case 5: {
      const group = k.string();
      const memberId = k.string();
      return {
        type: "ConsumerGroupMemberMetadata",
        group,
        memberId,
        value: consumerValue(value, readMemberMetadata),
      };
    }
    case 6: {
      const group = k.string();
      return {
        type: "ConsumerGroupTargetAssignmentMetadata",
        group,
        value: consumerValue(value, (v) => ({ assignmentEpoch: v.r.int32() })),
      };
    }
    case 7: {
      const group = k.string();
      const memberId = k.string();
      return {
        type: "ConsumerGroupTargetAssignmentMember",
        group,
        memberId,
        value: consumerValue(value, (v) => ({ topicPartitions: readTopicPartitions(v) })),
      };
    }
    case 8: {
      const group = k.string();
      const memberId = k.string();
      return {
        type: "ConsumerGroupCurrentMemberAssignment",
        group,
        memberId,
        value: consumerValue(value, readCurrentAssignment),
      };
    }
    default:
      if (keyVersion < 0) throw new ProtocolError(`invalid __consumer_offsets key version ${keyVersion}`);
      return null;
  }
}

/** Reads a consumer group value (version 0, flexible) with `read`, then its tagged fields. */
function consumerValue<T>(value: Buffer | null, read: (v: ValueReader) => T): T | null {
  if (value === null) return null;
  valueVersion(value, 0, "consumer group");
  const v = new ValueReader(value, true);
  const out = read(v);
  v.taggedFields();
  return out;
}

function readSubscribedTopics(v: ValueReader): SubscribedTopicMetadata[] {
  const topics: SubscribedTopicMetadata[] = [];
  for (let i = v.arrayLength(); i > 0; i--) {
    const topicId = v.r.uuid();
    const topicName = v.string();
    const numPartitions = v.r.int32();
    for (let j = v.arrayLength(); j > 0; j--) {
      v.r.int32();
      for (let k = v.arrayLength(); k > 0; k--) v.string();
      v.taggedFields();
    }
    v.taggedFields();
    topics.push({ topicId, topicName, numPartitions });
  }
  return topics;
}

function readMemberMetadata(v: ValueReader): ConsumerGroupMemberMetadataValue {
  const instanceId = v.nullableString();
  const rackId = v.nullableString();
  const clientId = v.string();
  const clientHost = v.string();
  const subscribedTopicNames: string[] = [];
  for (let i = v.arrayLength(); i > 0; i--) subscribedTopicNames.push(v.string());
  const subscribedTopicRegex = v.nullableString();
  const rebalanceTimeoutMs = v.r.int32();
  const serverAssignor = v.nullableString();
  return {
    instanceId,
    rackId,
    clientId,
    clientHost,
    subscribedTopicNames,
    subscribedTopicRegex,
    rebalanceTimeoutMs,
    serverAssignor,
  };
}

function readTopicPartitions(v: ValueReader): TopicPartitions[] {
  const list: TopicPartitions[] = [];
  for (let i = v.arrayLength(); i > 0; i--) {
    const topicId = v.r.uuid();
    const partitions: number[] = [];
    for (let j = v.arrayLength(); j > 0; j--) partitions.push(v.r.int32());
    v.taggedFields();
    list.push({ topicId, partitions });
  }
  return list;
}

function readCurrentAssignment(v: ValueReader): ConsumerGroupCurrentMemberAssignmentValue {
  const memberEpoch = v.r.int32();
  const previousMemberEpoch = v.r.int32();
  const state = v.r.int8();
  const assignedPartitions = readTopicPartitions(v);
  const partitionsPendingRevocation = readTopicPartitions(v);
  return { memberEpoch, previousMemberEpoch, state, assignedPartitions, partitionsPendingRevocation };
}

/** Reads the strings of a value in the non-flexible (int16 length) or flexible (compact) form. */
class ValueReader {
  readonly r: Reader;
  constructor(
    buf: Buffer,
    readonly flexible: boolean,
  ) {
    this.r = new Reader(buf, 2);
  }
  string(): string {
    return this.flexible ? this.r.compactString() : this.r.string();
  }
  nullableString(): string | null {
    return this.flexible ? this.r.compactNullableString() : this.r.nullableString();
  }
  bytes(): Buffer {
    return Buffer.from(this.flexible ? this.r.compactBytes() : this.r.bytes());
  }
  arrayLength(): number {
    const n = this.flexible ? this.r.compactArrayLength() : this.r.arrayLength();
    if (n < 0) throw new ProtocolError("null array in a non-nullable field");
    return n;
  }
  int64(): number {
    return Number(this.r.int64());
  }
  /** Skips a tagged-field section (flexible versions only); no tag is read at these versions. */
  taggedFields(): void {
    if (!this.flexible) return;
    const n = this.r.unsignedVarint();
    for (let i = 0; i < n; i++) {
      this.r.unsignedVarint();
      this.r.skip(this.r.unsignedVarint());
    }
  }
}

function valueVersion(value: Buffer, max: number, what: string): number {
  const version = new Reader(value).int16();
  if (version < 0 || version > max) throw new ProtocolError(`unsupported ${what} value version ${version}`);
  return version;
}

function deserializeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const version = valueVersion(value, 4, "OffsetCommit");
  const v = new ValueReader(value, version >= 4);
  const offset = v.int64();
  const leaderEpoch = version >= 3 ? v.r.int32() : -1;
  const metadata = v.string();
  const commitTimestamp = v.int64();
  const expireTimestamp = version === 1 ? v.int64() : -1;
  v.taggedFields();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

function deserializeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const version = valueVersion(value, 4, "GroupMetadata");
  const v = new ValueReader(value, version >= 4);
  const protocolType = v.string();
  const generation = v.r.int32();
  const protocol = v.nullableString();
  const leader = v.nullableString();
  const currentStateTimestamp = version >= 2 ? v.int64() : -1;
  const count = v.arrayLength();
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = v.string();
    const groupInstanceId = version >= 3 ? v.nullableString() : null;
    const clientId = v.string();
    const clientHost = v.string();
    const rebalanceTimeout = version >= 1 ? v.r.int32() : -1;
    const sessionTimeout = v.r.int32();
    const subscription = v.bytes();
    const assignment = v.bytes();
    v.taggedFields();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout,
      sessionTimeout,
      subscription,
      assignment,
    });
  }
  v.taggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
