import type { Uuid } from "@weir/protocol";
import type { GroupErrorCode } from "./group-error.js";
import type { GroupCoordinatorRecord } from "./group-records.js";

/**
 * The group coordinator's requests and results: plain mirrors of the Kafka API fields (camelCase,
 * numbers for int32/int64, Buffers for opaque protocol bytes), independent of the wire codecs.
 * The API handlers translate between these and the generated messages, and map error names to
 * codes.
 */

/** Who sent a request. */
export interface RequestContext {
  readonly clientId: string;
  readonly clientHost: string;
  /** The request's API version; JoinGroup v4+ gets MEMBER_ID_REQUIRED, OffsetCommit v9+ GROUP_ID_NOT_FOUND. */
  readonly apiVersion: number;
}

/** What a mutating operation gives back: records to persist, then the response. */
export interface GroupResult<T> {
  /** Already applied to the coordinator; append them to `__consumer_offsets` in this order. */
  readonly records: readonly GroupCoordinatorRecord[];
  readonly response: T;
}

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  /** -1 (JoinGroup v0) means the session timeout. */
  readonly rebalanceTimeoutMs: number;
  /** "" on a first join. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  readonly reason?: string | null;
}

export interface JoinGroupResponseMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResponse {
  readonly errorCode: GroupErrorCode;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly skipAssignment: boolean;
  readonly memberId: string;
  /** Every member's metadata for the leader; empty for followers. */
  readonly members: readonly JoinGroupResponseMember[];
}

export interface SyncGroupAssignment {
  readonly memberId: string;
  readonly assignment: Buffer;
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** The leader's assignment; followers send none. */
  readonly assignments: readonly SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  readonly errorCode: GroupErrorCode;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  readonly errorCode: GroupErrorCode;
}

export interface LeaveGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly reason?: string | null;
}

/** LeaveGroup v0–v2 carry one member id: pass it as a one-element list (groupInstanceId null). */
export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly members: readonly LeaveGroupMember[];
}

export interface LeaveGroupMemberResponse {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: GroupErrorCode;
}

/** For v0–v2 answer with `errorCode`, or else the single member's error. */
export interface LeaveGroupResponse {
  readonly errorCode: GroupErrorCode;
  readonly members: readonly LeaveGroupMemberResponse[];
}

export interface OffsetCommitRequestPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  /** -1 when unknown (before v6). */
  readonly committedLeaderEpoch: number;
  /** OffsetCommit v1 only; -1 means "now". */
  readonly commitTimestamp?: number;
  readonly committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  readonly name: string;
  readonly partitions: readonly OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** -1 for commits outside group management (v0, admin clients, assign()). */
  readonly generationIdOrMemberEpoch: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** OffsetCommit v2–v4; -1 means the broker's offsets.retention.minutes. */
  readonly retentionTimeMs: number;
  readonly topics: readonly OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  readonly partitionIndex: number;
  readonly errorCode: GroupErrorCode;
}

export interface OffsetCommitResponseTopic {
  readonly name: string;
  readonly partitions: readonly OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  readonly topics: readonly OffsetCommitResponseTopic[];
}

export interface OffsetFetchRequestTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export interface OffsetFetchRequest {
  readonly groupId: string;
  /** null asks for every committed partition of the group. */
  readonly topics: readonly OffsetFetchRequestTopic[] | null;
  readonly requireStable?: boolean;
  /**
   * OffsetFetch v9+: a consumer group member's id and epoch, checked against the group (absent
   * or null with a negative epoch for admin clients and classic members).
   */
  readonly memberId?: string | null;
  readonly memberEpoch?: number;
}

export interface OffsetFetchResponsePartition {
  readonly partitionIndex: number;
  /** -1 when the group has no offset for the partition. */
  readonly committedOffset: number;
  readonly committedLeaderEpoch: number;
  readonly metadata: string;
  readonly errorCode: GroupErrorCode;
}

export interface OffsetFetchResponseTopic {
  readonly name: string;
  readonly partitions: readonly OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponse {
  readonly groupId: string;
  readonly errorCode: GroupErrorCode;
  readonly topics: readonly OffsetFetchResponseTopic[];
}

export interface OffsetDeleteRequestTopic {
  readonly name: string;
  readonly partitions: readonly { readonly partitionIndex: number }[];
}

export interface OffsetDeleteRequest {
  readonly groupId: string;
  readonly topics: readonly OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteResponseTopic {
  readonly name: string;
  readonly partitions: readonly { readonly partitionIndex: number; readonly errorCode: GroupErrorCode }[];
}

export interface OffsetDeleteResponse {
  readonly errorCode: GroupErrorCode;
  readonly topics: readonly OffsetDeleteResponseTopic[];
}

export interface DeleteGroupsResult {
  readonly groupId: string;
  readonly errorCode: GroupErrorCode;
}

export interface ListGroupsRequest {
  /** Group states, case-insensitive ("Stable", "empty", …); empty = all. */
  readonly statesFilter?: readonly string[];
  /** Group types, case-insensitive ("classic", "consumer"); empty = all. */
  readonly typesFilter?: readonly string[];
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly groupState: string;
  readonly groupType: string;
}

export interface ListGroupsResponse {
  readonly errorCode: GroupErrorCode;
  readonly groups: readonly ListedGroup[];
}

export interface DescribedGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly memberMetadata: Buffer;
  readonly memberAssignment: Buffer;
}

export interface DescribedGroup {
  readonly errorCode: GroupErrorCode;
  readonly groupId: string;
  /**
   * "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" or "Dead" (unknown groups, and
   * consumer groups, which DescribeGroups does not describe).
   */
  readonly groupState: string;
  readonly protocolType: string;
  /** The selected protocol when Stable, else "". */
  readonly protocolData: string;
  readonly members: readonly DescribedGroupMember[];
}

// ---------------------------------------------------------------- consumer groups (KIP-848)

export interface ConsumerGroupTopicPartitions {
  readonly topicId: Uuid;
  readonly partitions: readonly number[];
}

export interface ConsumerGroupHeartbeatRequest {
  readonly groupId: string;
  /** "" on a first join with version 0 (the coordinator picks one); the client's own id from v1. */
  readonly memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member leaving for now, else the current epoch. */
  readonly memberEpoch: number;
  /** null when not given or unchanged since the last heartbeat, as for the fields below. */
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** -1 when unchanged. */
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames: readonly string[] | null;
  /** Version 1+. */
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  /** The partitions the member owns; null when unchanged. */
  readonly topicPartitions: readonly ConsumerGroupTopicPartitions[] | null;
}

export interface ConsumerGroupHeartbeatResponse {
  readonly errorCode: GroupErrorCode;
  readonly errorMessage: string | null;
  readonly memberId: string | null;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The member's partitions, when they changed or the request was a full one; else null. */
  readonly assignment: readonly ConsumerGroupTopicPartitions[] | null;
}

export interface DescribedTopicPartitions {
  readonly topicId: Uuid;
  readonly topicName: string;
  readonly partitions: readonly number[];
}

export interface DescribedConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly memberEpoch: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly assignment: readonly DescribedTopicPartitions[];
  readonly targetAssignment: readonly DescribedTopicPartitions[];
}

export interface DescribedConsumerGroup {
  readonly errorCode: GroupErrorCode;
  readonly errorMessage: string | null;
  readonly groupId: string;
  /** "Empty", "Assigning", "Reconciling", "Stable"; "" with an error. */
  readonly groupState: string;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignorName: string;
  readonly members: readonly DescribedConsumerGroupMember[];
}
