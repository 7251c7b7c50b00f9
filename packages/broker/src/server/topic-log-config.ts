import type { TopicConfigValues } from "../config/topic-configs.js";
import type { PartitionProduceConfig } from "../replication/partition.js";

// The storage engine's view of the same config is `toLogConfig` in storage/log-config.ts.

/** What the leader checks on produce, from the topic's effective config. */
export function toProduceConfig(values: TopicConfigValues): PartitionProduceConfig {
  return {
    maxMessageBytes: values["max.message.bytes"],
    timestampBeforeMaxMs: values["message.timestamp.before.max.ms"],
    timestampAfterMaxMs: values["message.timestamp.after.max.ms"],
  };
}
