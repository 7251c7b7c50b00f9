import { ADMIN_HANDLERS } from "./admin-handlers.js";
import type { ApiHandler } from "./api-handler.js";
import { apiVersionsHandler } from "./api-versions.js";
import { deleteRecordsHandler } from "./delete-records.js";
import { fetchHandler } from "./fetch.js";
import { GROUP_HANDLERS } from "./group-handlers.js";
import { initProducerIdHandler } from "./init-producer-id.js";
import { listOffsetsHandler } from "./list-offsets.js";
import { metadataHandler } from "./metadata.js";
import { offsetForLeaderEpochHandler } from "./offset-for-leader-epoch.js";
import { produceHandler } from "./produce.js";

/** Every API this broker serves; ApiVersions advertises exactly these. */
export const BROKER_HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetForLeaderEpochHandler,
  apiVersionsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  ...ADMIN_HANDLERS,
  ...GROUP_HANDLERS,
] as readonly ApiHandler[];
