import type { BrokerConfig } from "../config/broker-config.js";
import {
  type ConfigLayers,
  type EffectiveConfigEntry,
  resolveBrokerConfigs,
  resolveLogConfig,
  resolveTopicConfigs,
} from "../config/effective-config.js";
import type { TopicConfigValues } from "../config/topic-configs.js";
import type { MetadataImage } from "./metadata-image.js";

/**
 * Glue between the metadata image (dynamic configs) and the static BrokerConfig: the config
 * layers of a topic or of this broker, and the DescribeConfigs rows built from them.
 */

/** The layers behind every topic config, except the topic's own overrides. */
export function brokerConfigLayers(image: MetadataImage, config: BrokerConfig): ConfigLayers {
  return {
    dynamicBrokerConfigs: image.brokerConfig(String(config.nodeId)),
    dynamicDefaultBrokerConfigs: image.brokerConfig(""),
    staticBrokerConfigs: config.originals,
  };
}

/** All layers of one topic (its overrides from the image unless given). */
export function topicConfigLayers(
  image: MetadataImage,
  config: BrokerConfig,
  topicName: string,
  overrides: ReadonlyMap<string, string> = image.topicConfig(topicName),
): ConfigLayers {
  return { ...brokerConfigLayers(image, config), topicOverrides: overrides };
}

/** DescribeConfigs rows of a topic (all configs, or the named ones). */
export function describeTopicConfigs(
  image: MetadataImage,
  config: BrokerConfig,
  topicName: string,
  names?: readonly string[],
): EffectiveConfigEntry[] {
  return resolveTopicConfigs(topicConfigLayers(image, config, topicName), names);
}

/**
 * DescribeConfigs rows of a BROKER resource. For this node's id: every broker config with its
 * effective value. For "" (the cluster default): only the configs set at that level, as Kafka.
 */
export function describeBrokerConfigs(
  image: MetadataImage,
  config: BrokerConfig,
  resourceName: string,
  names?: readonly string[],
): EffectiveConfigEntry[] {
  if (resourceName === "") {
    const defaults = image.brokerConfig("");
    const wanted = names === undefined ? [...defaults.keys()] : names.filter((n) => defaults.has(n));
    return resolveBrokerConfigs({ dynamicDefaultBrokerConfigs: defaults }, wanted);
  }
  return resolveBrokerConfigs(brokerConfigLayers(image, config), names);
}

/** The typed log settings of a topic, for the storage engine. */
export function topicLogConfig(
  image: MetadataImage,
  config: BrokerConfig,
  topicName: string,
): TopicConfigValues {
  return resolveLogConfig(topicConfigLayers(image, config, topicName));
}
