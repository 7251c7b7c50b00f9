import type { GroupProtocol, JoinGroupRequest } from "./group-api.js";

/** JoinGroup v4+ makes new dynamic members rejoin with an assigned id (KIP-394). */
export function requiresKnownMemberId(apiVersion: number): boolean {
  return apiVersion >= 4;
}

/** JoinGroup v9+ can tell a rejoining static leader to skip the assignment (KIP-814). */
export function supportsSkippingAssignment(apiVersion: number): boolean {
  return apiVersion >= 9;
}

export function protocolBytes(protocols: readonly GroupProtocol[]): number {
  let n = 0;
  for (const p of protocols) n += Buffer.byteLength(p.name, "utf8") + p.metadata.length;
  return n;
}

/** Copies the request's protocols so members do not pin the request frame's buffer. */
export function ownProtocols(protocols: readonly GroupProtocol[]): GroupProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
}

/** JoinGroup v0 has no rebalance timeout: the session timeout stands in. */
export function rebalanceTimeoutOf(req: JoinGroupRequest): number {
  return req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
}

export function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}
