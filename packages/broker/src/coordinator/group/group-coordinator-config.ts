import { WeirError } from "../../errors.js";

/** The group coordinator's settings. Kafka property names are in GROUP_COORDINATOR_PROPERTIES. */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  readonly groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  readonly groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  readonly groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  readonly groupMaxSize: number;
  /** offset.metadata.max.bytes (compared with the metadata string's length, as Kafka does) */
  readonly offsetMetadataMaxBytes: number;
  /** offsets.retention.minutes, in milliseconds */
  readonly offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  readonly offsetsRetentionCheckIntervalMs: number;
  /** offsets.topic.num.partitions */
  readonly offsetsTopicNumPartitions: number;
  /** How long a new member's JoinGroup may stay parked (Kafka: 5 minutes, not configurable). */
  readonly newMemberJoinTimeoutMs: number;
  /**
   * Weir limit: the most bytes of protocol names and metadata one member may register, and the
   * largest assignment the leader may hand a member. Bounds memory against hostile joins.
   */
  readonly maxMemberMetadataBytes: number;
  /**
   * Weir limit: the most members of one group that hold a member id from MEMBER_ID_REQUIRED but
   * have not joined yet. Past it the oldest such id is forgotten (its owner gets
   * UNKNOWN_MEMBER_ID and starts over), so a flood of first joins cannot grow memory.
   */
  readonly maxPendingMembersPerGroup: number;
  /** group.consumer.session.timeout.ms: how long a consumer group member lives without a heartbeat. */
  readonly consumerGroupSessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms: how often consumer group members are told to heartbeat. */
  readonly consumerGroupHeartbeatIntervalMs: number;
  /** group.consumer.max.size */
  readonly consumerGroupMaxSize: number;
  /**
   * group.consumer.assignors: the server-side assignors of consumer groups ("uniform", "range");
   * the first is used when no member asks for one.
   */
  readonly consumerGroupAssignors: readonly string[];
}

/** The server-side assignors Weir implements. */
export const KNOWN_CONSUMER_GROUP_ASSIGNORS: readonly string[] = ["uniform", "range"];

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = Object.freeze({
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  groupMaxSize: 2_147_483_647,
  offsetMetadataMaxBytes: 4_096,
  offsetsRetentionMs: 7 * 24 * 60 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetsTopicNumPartitions: 50,
  newMemberJoinTimeoutMs: 300_000,
  maxMemberMetadataBytes: 1_048_576,
  maxPendingMembersPerGroup: 10_000,
  consumerGroupSessionTimeoutMs: 45_000,
  consumerGroupHeartbeatIntervalMs: 5_000,
  consumerGroupMaxSize: 2_147_483_647,
  consumerGroupAssignors: Object.freeze(["uniform", "range"]),
});

type NumericField = {
  [K in keyof GroupCoordinatorConfig]: GroupCoordinatorConfig[K] extends number ? K : never;
}[keyof GroupCoordinatorConfig];

/**
 * Kafka broker property → config field, with the factor from the property's unit to the field's
 * (minutes → ms). Properties without a Kafka name (Weir limits) are not listed.
 */
export const GROUP_COORDINATOR_PROPERTIES: ReadonlyArray<{
  readonly key: string;
  readonly field: NumericField;
  readonly scale: number;
}> = [
  { key: "group.min.session.timeout.ms", field: "groupMinSessionTimeoutMs", scale: 1 },
  { key: "group.max.session.timeout.ms", field: "groupMaxSessionTimeoutMs", scale: 1 },
  { key: "group.initial.rebalance.delay.ms", field: "groupInitialRebalanceDelayMs", scale: 1 },
  { key: "group.max.size", field: "groupMaxSize", scale: 1 },
  { key: "offset.metadata.max.bytes", field: "offsetMetadataMaxBytes", scale: 1 },
  { key: "offsets.retention.minutes", field: "offsetsRetentionMs", scale: 60_000 },
  { key: "offsets.retention.check.interval.ms", field: "offsetsRetentionCheckIntervalMs", scale: 1 },
  { key: "offsets.topic.num.partitions", field: "offsetsTopicNumPartitions", scale: 1 },
  { key: "group.consumer.session.timeout.ms", field: "consumerGroupSessionTimeoutMs", scale: 1 },
  { key: "group.consumer.heartbeat.interval.ms", field: "consumerGroupHeartbeatIntervalMs", scale: 1 },
  { key: "group.consumer.max.size", field: "consumerGroupMaxSize", scale: 1 },
];

/** Fills defaults and checks the values; throws WeirError("INVALID_CONFIG") when one is wrong. */
export function resolveGroupCoordinatorConfig(
  overrides: Partial<GroupCoordinatorConfig> = {},
): GroupCoordinatorConfig {
  const config: GroupCoordinatorConfig = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...overrides };
  for (const [field, value] of Object.entries(config)) {
    if (field === "consumerGroupAssignors") continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new WeirError(
        "INVALID_CONFIG",
        `group coordinator: ${field} must be an integer >= 0, got ${value}`,
      );
    }
  }
  const atLeastOne: NumericField[] = [
    "groupMaxSize",
    "offsetsRetentionMs",
    "offsetsRetentionCheckIntervalMs",
    "offsetsTopicNumPartitions",
    "maxPendingMembersPerGroup",
    "consumerGroupSessionTimeoutMs",
    "consumerGroupHeartbeatIntervalMs",
    "consumerGroupMaxSize",
  ];
  for (const field of atLeastOne) {
    if (config[field] < 1) {
      throw new WeirError("INVALID_CONFIG", `group coordinator: ${field} must be at least 1`);
    }
  }
  if (config.groupMinSessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
    throw new WeirError(
      "INVALID_CONFIG",
      "group coordinator: group.min.session.timeout.ms exceeds group.max.session.timeout.ms",
    );
  }
  if (config.consumerGroupHeartbeatIntervalMs >= config.consumerGroupSessionTimeoutMs) {
    throw new WeirError(
      "INVALID_CONFIG",
      "group coordinator: group.consumer.heartbeat.interval.ms must be lower than group.consumer.session.timeout.ms",
    );
  }
  const assignors = config.consumerGroupAssignors;
  if (
    !Array.isArray(assignors) ||
    assignors.length === 0 ||
    assignors.some((a) => !KNOWN_CONSUMER_GROUP_ASSIGNORS.includes(a))
  ) {
    throw new WeirError(
      "INVALID_CONFIG",
      `group coordinator: group.consumer.assignors must list some of ${KNOWN_CONSUMER_GROUP_ASSIGNORS.join(", ")}`,
    );
  }
  return Object.freeze({ ...config, consumerGroupAssignors: Object.freeze([...new Set(assignors)]) });
}
