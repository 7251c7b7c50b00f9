import { alterConfigsHandler } from "./alter-configs.js";
import type { ApiHandler } from "./api-handler.js";
import { createPartitionsHandler } from "./create-partitions.js";
import { createTopicsHandler } from "./create-topics.js";
import { deleteTopicsHandler } from "./delete-topics.js";
import { describeClusterHandler } from "./describe-cluster.js";
import { describeConfigsHandler } from "./describe-configs.js";
import { describeLogDirsHandler } from "./describe-log-dirs.js";
import { incrementalAlterConfigsHandler } from "./incremental-alter-configs.js";

/** Topic, config, cluster and log-dir administration APIs. */
export const ADMIN_HANDLERS: readonly ApiHandler[] = [
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
  describeLogDirsHandler,
] as readonly ApiHandler[];
