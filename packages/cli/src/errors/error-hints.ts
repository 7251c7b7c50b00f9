/**
 * What a person can do about a Kafka error, by Kafka's error name. Printed as `hint: ...` under the
 * error; names without an entry print the error alone.
 */
const HINTS: Readonly<Record<string, string>> = {
  UNKNOWN_TOPIC_OR_PARTITION:
    "check the name with 'weir topics list' (and partitions with 'weir topics describe')",
  UNKNOWN_TOPIC_ID: "the topic was deleted or recreated; check it with 'weir topics list'",
  TOPIC_ALREADY_EXISTS: "pick another name, or pass --if-not-exists to accept the existing topic",
  INVALID_TOPIC_EXCEPTION:
    "topic names are 1-249 characters of letters, digits, '.', '_' and '-', and not '.' or '..'",
  INVALID_PARTITIONS:
    "a topic needs at least one partition, and 'weir topics alter --partitions' can only raise the count",
  INVALID_REPLICATION_FACTOR:
    "the replication factor cannot exceed the number of brokers ('weir cluster' lists them)",
  INVALID_REPLICA_ASSIGNMENT: "every replica must name a live broker ('weir cluster' lists them)",
  INVALID_CONFIG:
    "check the config name and value; 'weir configs describe <type> <name> --all' shows the valid names",
  POLICY_VIOLATION: "the cluster's create/alter policy refused the request; ask its operator",
  TOPIC_DELETION_DISABLED: "the brokers run with delete.topic.enable=false",
  MESSAGE_TOO_LARGE:
    "raise the topic's max.message.bytes ('weir topics alter <topic> --config max.message.bytes=N') and the producer's -X max.request.size=N",
  RECORD_LIST_TOO_LARGE: "send smaller batches: lower -X batch.size",
  INVALID_RECORD: "the broker refused a record (for example a compacted topic needs keys)",
  NOT_ENOUGH_REPLICAS:
    "fewer replicas are in sync than min.insync.replicas: check the brokers, or produce with --acks 1",
  NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    "fewer replicas are in sync than min.insync.replicas: check the brokers, or produce with --acks 1",
  REQUEST_TIMED_OUT: "the cluster did not answer in time: check broker health, or raise --timeout",
  NOT_CONTROLLER: "the controller moved and did not settle in time: retry, or raise --timeout",
  LEADER_NOT_AVAILABLE: "a partition has no leader right now: check the brokers with 'weir cluster'",
  NOT_LEADER_OR_FOLLOWER: "partition leadership moved and did not settle in time: retry, or raise --timeout",
  TOPIC_AUTHORIZATION_FAILED: "the client's principal lacks permission (ACLs) on this topic",
  CLUSTER_AUTHORIZATION_FAILED: "the client's principal lacks cluster permission (ACLs)",
  GROUP_AUTHORIZATION_FAILED: "the client's principal lacks permission (ACLs) on this group",
  UNSUPPORTED_VERSION: "the broker does not support this operation (it may be too old)",
  THROTTLING_QUOTA_EXCEEDED: "the cluster throttles this client: retry later",
  INVALID_REQUEST: "the broker refused the request as malformed; its log says why",
  UNKNOWN_SERVER_ERROR: "the broker failed unexpectedly; its log says why",
  CLIENT_CLOSED: "the operation was interrupted",
  GROUP_ID_NOT_FOUND: "check the group id with 'weir groups list'",
  NON_EMPTY_GROUP: "stop the group's consumers first",
};

export function hintFor(errorName: string): string | undefined {
  return HINTS[errorName];
}
