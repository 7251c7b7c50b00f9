import {
  ApiKey,
  type DescribeConfigsRequestDescribeConfigsResource,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsResult,
} from "@weir/protocol";
import type { EffectiveConfigEntry } from "../config/effective-config.js";
import { describeBrokerConfigs, describeTopicConfigs } from "../metadata/config-layers.js";
import { type ApiError, apiError } from "../metadata/controller-result.js";
import { validateTopicName } from "../metadata/topic-name.js";
import type { BrokerContext } from "../server/broker-context.js";
import { defineHandler } from "./api-handler.js";
import {
  ConfigResourceTypeId,
  checkBrokerLoggerName,
  describeBrokerLoggers,
  errorCodeOf,
  parseNodeId,
} from "./config-resources.js";

interface Options {
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

function configRow(
  entry: EffectiveConfigEntry,
  options: Options,
): DescribeConfigsResponseDescribeConfigsResourceResult {
  return {
    name: entry.name,
    value: entry.value,
    readOnly: entry.readOnly,
    // v0 has no config source, only whether the value is the built-in default.
    isDefault: entry.source === "DEFAULT_CONFIG",
    configSource: entry.sourceId,
    isSensitive: entry.isSensitive,
    synonyms: options.includeSynonyms
      ? entry.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.sourceId }))
      : [],
    configType: entry.typeId,
    documentation: options.includeDocumentation ? entry.documentation : null,
  };
}

type Rows = { ok: true; entries: EffectiveConfigEntry[] } | { ok: false; error: ApiError };

/** The rows of one resource, or the error Kafka answers for it. */
function describeResource(
  broker: BrokerContext,
  resource: DescribeConfigsRequestDescribeConfigsResource,
): Rows {
  const { resourceName: name } = resource;
  // null and an empty list both mean every config.
  const keys =
    resource.configurationKeys === null || resource.configurationKeys.length === 0
      ? undefined
      : resource.configurationKeys;
  const fail = (error: ApiError): Rows => ({ ok: false, error });
  const image = broker.metadata.image;
  switch (resource.resourceType) {
    case ConfigResourceTypeId.TOPIC: {
      const invalid = validateTopicName(name);
      if (invalid !== null) return fail(apiError("INVALID_TOPIC_EXCEPTION", invalid));
      if (image.topic(name) === undefined) {
        return fail(apiError("UNKNOWN_TOPIC_OR_PARTITION", `The topic '${name}' does not exist.`));
      }
      return { ok: true, entries: describeTopicConfigs(image, broker.config, name, keys) };
    }
    case ConfigResourceTypeId.BROKER: {
      if (name === "") {
        // The cluster-wide default: only what is set at that level, without other layers.
        const entries = describeBrokerConfigs(image, broker.config, "", keys).map((e) => ({
          ...e,
          synonyms: e.synonyms.filter((s) => s.source === "DYNAMIC_DEFAULT_BROKER_CONFIG"),
        }));
        return { ok: true, entries };
      }
      const id = parseNodeId(name);
      if (id === undefined) {
        return fail(apiError("INVALID_REQUEST", `Broker id must be an integer, but it is: ${name}`));
      }
      if (id !== broker.nodeId) {
        return fail(
          apiError(
            "INVALID_REQUEST",
            `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`,
          ),
        );
      }
      return { ok: true, entries: describeBrokerConfigs(image, broker.config, name, keys) };
    }
    case ConfigResourceTypeId.BROKER_LOGGER: {
      const problem = checkBrokerLoggerName(name, broker.nodeId);
      if (problem !== null) return fail(problem);
      return { ok: true, entries: describeBrokerLoggers(broker.logger, keys) };
    }
    default:
      return fail(apiError("INVALID_REQUEST", `Unsupported resource type: ${resource.resourceType}`));
  }
}

/**
 * DescribeConfigs v0-4 for TOPIC, BROKER (this node's id, or "" for the cluster-wide dynamic
 * defaults) and BROKER_LOGGER (this node's id: the root logger). Every config or only the
 * requested keys; synonyms (v1+) and documentation (v3+) on request; sensitive values are
 * null. Errors are per resource: INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_REQUEST for another broker's id or an unsupported resource type.
 */
export const describeConfigsHandler = defineHandler({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const options: Options = {
      includeSynonyms: version >= 1 && request.includeSynonyms === true,
      includeDocumentation: version >= 3 && request.includeDocumentation === true,
    };
    const results = request.resources.map((resource): DescribeConfigsResponseDescribeConfigsResult => {
      const rows = describeResource(ctx.broker, resource);
      return {
        errorCode: rows.ok ? 0 : errorCodeOf(rows.error.error),
        errorMessage: rows.ok ? null : rows.error.message,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: rows.ok ? rows.entries.map((e) => configRow(e, options)) : [],
      };
    });
    return { throttleTimeMs: 0, results };
  },
});
