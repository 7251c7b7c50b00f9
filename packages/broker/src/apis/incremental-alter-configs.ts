import { ApiKey, type IncrementalAlterConfigsRequestAlterConfigsResource } from "@weir/protocol";
import type { AlterConfigOp, AlterConfigOpType } from "../config/config-validation.js";
import type { IncrementalAlterConfigsResource } from "../metadata/config-control.js";
import { type ApiError, apiError } from "../metadata/controller-result.js";
import type { BrokerContext } from "../server/broker-context.js";
import { defineHandler } from "./api-handler.js";
import {
  alterResult,
  applyLoggerOps,
  ConfigResourceTypeId,
  checkBrokerLoggerName,
  checkLoggerOps,
  DUPLICATE_RESOURCE,
  duplicateResources,
  metadataResourceType,
  unsupportedResourceType,
} from "./config-resources.js";

/** Operation types by their wire id. */
const OP_TYPES: readonly AlterConfigOpType[] = ["SET", "DELETE", "APPEND", "SUBTRACT"];

function duplicateKeys(resource: IncrementalAlterConfigsRequestAlterConfigsResource): boolean {
  return new Set(resource.configs.map((c) => c.name)).size !== resource.configs.length;
}

/** Checks (and unless validateOnly applies) a BROKER_LOGGER resource. */
function alterLoggers(
  broker: BrokerContext,
  resource: IncrementalAlterConfigsRequestAlterConfigsResource,
  validateOnly: boolean,
): ApiError | null {
  if (duplicateKeys(resource)) return apiError("INVALID_REQUEST", "Error due to duplicate config keys");
  const problem =
    checkBrokerLoggerName(resource.resourceName, broker.nodeId) ?? checkLoggerOps(resource.configs);
  if (problem !== null) return problem;
  if (!validateOnly) applyLoggerOps(broker.logger, resource.configs);
  return null;
}

/**
 * IncrementalAlterConfigs v0-1: SET / DELETE / APPEND / SUBTRACT on single keys of TOPIC and
 * BROKER resources (this node's id, or "" for the cluster-wide default), and SET of the root
 * logger's level on BROKER_LOGGER (this node's id). Each resource succeeds or fails alone, with
 * Kafka's errors: INVALID_CONFIG, INVALID_REQUEST (unknown operation, duplicate resources or
 * keys, another node's id, unsupported resource types), UNKNOWN_TOPIC_OR_PARTITION.
 */
export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, request) {
    const { broker } = ctx;
    const { validateOnly } = request;
    const isDuplicate = duplicateResources(request.resources);
    const errors: (ApiError | null)[] = [];
    const forController: { index: number; resource: IncrementalAlterConfigsResource }[] = [];
    request.resources.forEach((r, index) => {
      errors[index] = null;
      const type = metadataResourceType(r.resourceType);
      if (isDuplicate(r)) {
        errors[index] = DUPLICATE_RESOURCE;
      } else if (type !== undefined) {
        const unknownOp = r.configs.find((c) => OP_TYPES[c.configOperation] === undefined);
        if (unknownOp !== undefined) {
          errors[index] = apiError("INVALID_REQUEST", `Unknown operation type ${unknownOp.configOperation}`);
          return;
        }
        const configs = r.configs.map(
          (c): AlterConfigOp => ({ name: c.name, op: OP_TYPES[c.configOperation]!, value: c.value }),
        );
        forController.push({
          index,
          resource: { resourceType: type, resourceName: r.resourceName, configs },
        });
      } else if (r.resourceType === ConfigResourceTypeId.BROKER_LOGGER) {
        errors[index] = alterLoggers(broker, r, validateOnly);
      } else {
        errors[index] = unsupportedResourceType(r.resourceType);
      }
    });
    if (forController.length > 0) {
      const results = await broker.metadata.submit((image, controller) =>
        controller.incrementalAlterConfigs(image, {
          resources: forController.map((x) => x.resource),
          validateOnly,
        }),
      );
      results.forEach((result, i) => {
        if (result.error !== "NONE")
          errors[forController[i]!.index] = apiError(result.error, result.errorMessage);
      });
      // Topics' log settings follow their configs before the client hears back.
      if (!validateOnly && results.some((r) => r.error === "NONE")) await broker.partitions.settled();
    }
    return {
      throttleTimeMs: 0,
      responses: request.resources.map((r, i) => alterResult(r, errors[i] ?? null)),
    };
  },
});
