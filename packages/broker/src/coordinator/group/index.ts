export type { Assignment, TopicPartitions } from "./assignment.js";
export type { ClassicGroupState } from "./classic-group-state.js";
export { CONSUMER_GROUP_STATES, ConsumerGroup, type ConsumerGroupState } from "./consumer-group.js";
export { type ConsumerGroupMember, MemberState } from "./consumer-group-member.js";
export { NO_TOPICS, type TopicInfo, type TopicsView } from "./consumer-group-subscription.js";
export { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from "./consumer-protocol.js";
export type * from "./group-api.js";
export {
  GroupCoordinator,
  type GroupCoordinatorDeps,
  type GroupCoordinatorStatus,
} from "./group-coordinator.js";
export {
  DEFAULT_GROUP_COORDINATOR_CONFIG,
  GROUP_COORDINATOR_PROPERTIES,
  type GroupCoordinatorConfig,
  resolveGroupCoordinatorConfig,
} from "./group-coordinator-config.js";
export type { GroupErrorCode } from "./group-error.js";
export { javaStringHashCode, partitionForGroup } from "./group-partition.js";
export {
  deserializeGroupRecord,
  type SerializedGroupRecord,
  serializeGroupRecord,
} from "./group-record-serde.js";
export * from "./group-records.js";
export { type Cancel, type Clock, type Scheduler, systemClock, systemScheduler } from "./scheduler.js";
