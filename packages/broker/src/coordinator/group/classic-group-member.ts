import type { GroupProtocol, JoinGroupResponse, SyncGroupResponse } from "./group-api.js";

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

export type JoinCallback = (response: JoinGroupResponse) => void;
export type SyncCallback = (response: SyncGroupResponse) => void;

/** One member of a classic group, with the JoinGroup / SyncGroup responses it is waiting for. */
export class ClassicGroupMember {
  assignment: Buffer = EMPTY_ASSIGNMENT;
  /** Set while its JoinGroup is parked until the rebalance completes. */
  awaitingJoin: JoinCallback | null = null;
  /** Set while its SyncGroup is parked until the leader's assignment arrives. */
  awaitingSync: SyncCallback | null = null;
  /** Joined but not yet through a completed join phase: cannot heartbeat yet. */
  isNew = false;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: readonly GroupProtocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  metadata(protocolName: string | null): Buffer | undefined {
    return this.protocols.find((p) => p.name === protocolName)?.metadata;
  }

  /** Members waiting in a rebalance count as alive; new members must finish joining first. */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }

  /** Same protocols, in the same order, with the same metadata. */
  matches(protocols: readonly GroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every(
      (p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata),
    );
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name;
  }
}
