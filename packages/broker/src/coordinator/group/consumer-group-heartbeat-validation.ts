import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from "./consumer-group-member.js";
import type { RegexCache } from "./consumer-group-subscription.js";
import type { ConsumerGroupHeartbeatRequest } from "./group-api.js";
import type { GroupErrorCode } from "./group-error.js";

export interface HeartbeatRejection {
  readonly errorCode: GroupErrorCode;
  readonly message: string;
}

/** ConsumerGroupHeartbeat v1 (KIP-1082): members generate their own id, so joins must carry one. */
export function requiresClientMemberId(apiVersion: number): boolean {
  return apiVersion >= 1;
}

function blank(value: string | null): boolean {
  return value !== null && value.trim() === "";
}

function invalid(message: string): HeartbeatRejection {
  return { errorCode: "INVALID_REQUEST", message };
}

/**
 * Checks the fields of a ConsumerGroupHeartbeat that do not depend on the group, as Kafka does:
 * INVALID_REQUEST for missing or malformed fields (a join must carry its rebalance timeout, an
 * empty owned-partitions list and a subscription), UNSUPPORTED_ASSIGNOR for a server assignor
 * the coordinator does not have, INVALID_REGULAR_EXPRESSION for a regex that does not compile.
 * `maxBytes` bounds what one member may make the coordinator remember.
 */
export function validateConsumerGroupHeartbeat(
  req: ConsumerGroupHeartbeatRequest,
  apiVersion: number,
  assignors: readonly string[],
  regexes: RegexCache,
  maxBytes: number,
): HeartbeatRejection | null {
  if (req.groupId.trim() === "") return invalid("GroupId can't be empty.");
  if (blank(req.instanceId)) return invalid("InstanceId can't be empty.");
  if (blank(req.rackId)) return invalid("RackId can't be empty.");
  const epoch = req.memberEpoch;
  if (epoch > 0 || epoch === LEAVE_GROUP_MEMBER_EPOCH) {
    if (req.memberId.trim() === "") return invalid("MemberId can't be empty.");
  } else if (epoch === 0) {
    if (requiresClientMemberId(apiVersion) && req.memberId.trim() === "")
      return invalid("MemberId can't be empty.");
    if (req.rebalanceTimeoutMs === -1)
      return invalid("RebalanceTimeoutMs must be provided in first request.");
    if (req.topicPartitions === null || req.topicPartitions.length > 0)
      return invalid("TopicPartitions must be empty when (re-)joining.");
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null)
      return invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
  } else if (epoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.memberId.trim() === "") return invalid("MemberId can't be empty.");
    if (req.instanceId === null) return invalid("InstanceId can't be null.");
  } else {
    return invalid("MemberEpoch is invalid.");
  }
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) {
    return {
      errorCode: "UNSUPPORTED_ASSIGNOR",
      message: `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(", ")}.`,
    };
  }
  let bytes = req.memberId.length + (req.instanceId?.length ?? 0) + (req.rackId?.length ?? 0);
  for (const name of req.subscribedTopicNames ?? []) bytes += name.length;
  bytes += req.subscribedTopicRegex?.length ?? 0;
  if (bytes > maxBytes) return invalid("The subscription is too large.");
  const regex = req.subscribedTopicRegex;
  if (regex !== null && regex !== "" && regexes.compile(regex) === null) {
    return {
      errorCode: "INVALID_REGULAR_EXPRESSION",
      message: `SubscribedTopicRegex ${regex} is not a valid regular expression.`,
    };
  }
  return null;
}
