import { ApiKey } from "@weir/protocol";
import { type ApiHandler, defineHandler } from "./api-handler.js";

/** The api keys and versions this broker implements: exactly its registered handlers. */
export function apiVersionsList(handlers: readonly ApiHandler[]) {
  return handlers
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export const apiVersionsHandler = defineHandler({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx) {
    return {
      errorCode: 0,
      apiKeys: apiVersionsList(ctx.broker.handlers),
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: -1n,
      supportedFeatures: [],
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
});
