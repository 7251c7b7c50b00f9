export { Admin } from "./admin/admin.js";
export type {
  AdminCallOptions,
  AlterConfigOp,
  AlterConfigsResource,
  BrokerDescription,
  ClusterDescription,
  ConfigDescription,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigSource,
  ConfigType,
  CreatedTopic,
  DeletedRecords,
  DeleteRecordsEntry,
  DescribeConfigsOptions,
  DescribeGroupsOptions,
  GroupDescription,
  GroupMemberDescription,
  GroupOffset,
  GroupOffsetReset,
  GroupPartitionLag,
  IncrementalAlterConfigsResource,
  ListedGroup,
  ListedOffset,
  ListGroupsOptions,
  ListOffsetsOptions,
  ListOffsetsRequestEntry,
  NewPartitions,
  NewTopic,
  OffsetSpec,
  PartitionDescription,
  ResetGroupOffsetsOptions,
  TopicDescription,
  ValidateOnlyOptions,
} from "./admin/admin-types.js";
export type { Properties } from "./config/option.js";
export {
  type Acks,
  ADMIN_OPTIONS,
  type AdminConfig,
  type AdminOptions,
  type AutoOffsetReset,
  CLIENT_OPTIONS,
  type ClientConfig,
  type ClientOptions,
  CONSUMER_OPTIONS,
  type CommonOptions,
  type CompressionName,
  type ConsumerConfig,
  type ConsumerOptions,
  type GroupProtocol,
  type IsolationLevel,
  type Logger,
  PRODUCER_OPTIONS,
  type ProducerConfig,
  type ProducerOptions,
} from "./config/options-table.js";
export { Consumer } from "./consumer/consumer.js";
export { IllegalArgumentError, IllegalStateError } from "./consumer/consumer-errors.js";
export {
  type CommittedPartitionOffset,
  type ConsumerBatch,
  type ConsumerGroupMetadata,
  ConsumerRecord,
  type RebalanceListener,
  type RunOptions,
  type TimestampTypeName,
  type TopicPartition,
  type TopicPartitionOffset,
} from "./consumer/consumer-types.js";
export {
  type AssignorName,
  COOPERATIVE_STICKY_ASSIGNOR,
  type MemberSubscription,
  type PartitionAssignor,
  RANGE_ASSIGNOR,
  type RebalanceProtocol,
  ROUND_ROBIN_ASSIGNOR,
  STICKY_ASSIGNOR,
} from "./consumer/group/assignors.js";
export type { CommitCallback } from "./consumer/offset-committer.js";
export {
  ClientClosedError,
  ConfigError,
  KafkaError,
  type KafkaErrorOptions,
  MalformedResponseError,
  NetworkError,
  RecordTooLargeError,
  TimeoutError,
  UnsupportedVersionError,
} from "./errors.js";
export { Kafka } from "./kafka.js";
export { murmur2, partitionForKey, toPositive } from "./producer/murmur2.js";
export type { Partitioner, PartitionerContext } from "./producer/partitioner.js";
export { Producer } from "./producer/producer.js";
export type {
  HeaderValue,
  MessageHeaders,
  MessageKey,
  MessageValue,
  ProducerRecord,
  RecordMetadata,
} from "./producer/producer-record.js";
