/**
 * The Kafka error names the group coordinator answers with. They are the names of Kafka's error
 * table (`errors.tsv`); the API handlers map them to numeric codes.
 */
export type GroupErrorCode =
  | "NONE"
  | "COORDINATOR_LOAD_IN_PROGRESS"
  | "COORDINATOR_NOT_AVAILABLE"
  | "NOT_COORDINATOR"
  | "INVALID_GROUP_ID"
  | "INVALID_SESSION_TIMEOUT"
  | "INVALID_REQUEST"
  | "UNKNOWN_MEMBER_ID"
  | "MEMBER_ID_REQUIRED"
  | "ILLEGAL_GENERATION"
  | "REBALANCE_IN_PROGRESS"
  | "INCONSISTENT_GROUP_PROTOCOL"
  | "FENCED_INSTANCE_ID"
  | "GROUP_MAX_SIZE_REACHED"
  | "GROUP_ID_NOT_FOUND"
  | "NON_EMPTY_GROUP"
  | "UNKNOWN_TOPIC_OR_PARTITION"
  | "OFFSET_METADATA_TOO_LARGE"
  | "GROUP_SUBSCRIBED_TO_TOPIC"
  // Consumer groups (KIP-848).
  | "FENCED_MEMBER_EPOCH"
  | "STALE_MEMBER_EPOCH"
  | "UNRELEASED_INSTANCE_ID"
  | "UNSUPPORTED_ASSIGNOR"
  | "UNSUPPORTED_VERSION"
  | "INVALID_REGULAR_EXPRESSION"
  // Answered by the broker's I/O shell when appending to __consumer_offsets fails.
  | "INVALID_COMMIT_OFFSET_SIZE"
  | "UNKNOWN_SERVER_ERROR";
