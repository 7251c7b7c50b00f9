import { ApiKey } from "@weir/protocol";
import type { AlterConfigsResource } from "../metadata/config-control.js";
import { type ApiError, apiError } from "../metadata/controller-result.js";
import { defineHandler } from "./api-handler.js";
import {
  alterResult,
  ConfigResourceTypeId,
  DUPLICATE_RESOURCE,
  duplicateResources,
  metadataResourceType,
  unsupportedResourceType,
} from "./config-resources.js";

/**
 * AlterConfigs v0-2 (the legacy API: each resource's overrides become exactly the given set) for
 * TOPIC and BROKER resources; the broker resource is this node's id or "" for the cluster-wide
 * default. Each resource succeeds or fails alone: INVALID_CONFIG for bad topic configs,
 * INVALID_REQUEST for bad broker configs, another node's id, duplicates and other resource types
 * (BROKER_LOGGER is only alterable incrementally, as in Kafka), UNKNOWN_TOPIC_OR_PARTITION.
 */
export const alterConfigsHandler = defineHandler({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const { broker } = ctx;
    const { validateOnly } = request;
    const isDuplicate = duplicateResources(request.resources);
    const errors: (ApiError | null)[] = [];
    const forController: { index: number; resource: AlterConfigsResource }[] = [];
    request.resources.forEach((r, index) => {
      errors[index] = null;
      const type = metadataResourceType(r.resourceType);
      if (isDuplicate(r)) {
        errors[index] = DUPLICATE_RESOURCE;
      } else if (type !== undefined) {
        forController.push({
          index,
          resource: { resourceType: type, resourceName: r.resourceName, configs: r.configs },
        });
      } else if (r.resourceType === ConfigResourceTypeId.BROKER_LOGGER) {
        errors[index] = apiError(
          "INVALID_REQUEST",
          "AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER",
        );
      } else {
        errors[index] = unsupportedResourceType(r.resourceType);
      }
    });
    if (forController.length > 0) {
      const results = await broker.metadata.submit((image, controller) =>
        controller.alterConfigs(image, { resources: forController.map((x) => x.resource), validateOnly }),
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
