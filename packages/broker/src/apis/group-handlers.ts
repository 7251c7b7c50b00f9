import type { ApiHandler } from "./api-handler.js";
import { consumerGroupDescribeHandler } from "./consumer-group-describe.js";
import { consumerGroupHeartbeatHandler } from "./consumer-group-heartbeat.js";
import { deleteGroupsHandler } from "./delete-groups.js";
import { describeGroupsHandler } from "./describe-groups.js";
import { findCoordinatorHandler } from "./find-coordinator.js";
import { heartbeatHandler } from "./heartbeat.js";
import { joinGroupHandler } from "./join-group.js";
import { leaveGroupHandler } from "./leave-group.js";
import { listGroupsHandler } from "./list-groups.js";
import { offsetCommitHandler } from "./offset-commit.js";
import { offsetDeleteHandler } from "./offset-delete.js";
import { offsetFetchHandler } from "./offset-fetch.js";
import { syncGroupHandler } from "./sync-group.js";

/** Consumer group coordinator APIs. */
export const GROUP_HANDLERS: readonly ApiHandler[] = [
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  consumerGroupHeartbeatHandler,
  consumerGroupDescribeHandler,
] as readonly ApiHandler[];
