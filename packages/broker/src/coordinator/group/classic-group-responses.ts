import { EMPTY_ASSIGNMENT } from "./classic-group-member.js";
import type { JoinGroupResponse, SyncGroupResponse } from "./group-api.js";
import type { GroupErrorCode } from "./group-error.js";

/** A JoinGroup answer carrying only an error (Kafka's defaults for the other fields). */
export function joinError(memberId: string, errorCode: GroupErrorCode): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    skipAssignment: false,
    memberId,
    members: [],
  };
}

/** A SyncGroup answer carrying only an error. */
export function syncError(errorCode: GroupErrorCode): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}
