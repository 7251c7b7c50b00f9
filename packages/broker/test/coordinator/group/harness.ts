import { Writer } from "@weir/protocol";
import type {
  GroupProtocol,
  JoinGroupRequest,
  JoinGroupResponse,
  RequestContext,
  SyncGroupResponse,
} from "../../../src/coordinator/group/group-api.js";
import {
  GroupCoordinator,
  type GroupCoordinatorDeps,
} from "../../../src/coordinator/group/group-coordinator.js";
import type { GroupCoordinatorRecord } from "../../../src/coordinator/group/group-records.js";
import { FakeClock, FakeScheduler } from "./fake-time.js";

/** ConsumerProtocolSubscription v0 bytes: version, topics, null user data. */
export function subscription(topics: readonly string[]): Buffer {
  const w = new Writer().int16(0).arrayLength(topics.length);
  for (const t of topics) w.string(t);
  return w.nullableBytes(null).toBuffer();
}

export function ctx(clientId = "client", apiVersion = 9): RequestContext {
  return { clientId, clientHost: "/127.0.0.1", apiVersion };
}

/** A promise whose outcome can be checked synchronously after `settle()`. */
export interface Tracked<T> {
  value: T | undefined;
  readonly done: boolean;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const box = { value: undefined as T | undefined, done: false };
  promise.then((v) => {
    box.value = v;
    box.done = true;
  });
  return box;
}

/** Lets resolved promises deliver their values. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface JoinOptions {
  groupId?: string;
  memberId?: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  protocolType?: string;
  protocols?: GroupProtocol[];
  clientId?: string;
  apiVersion?: number;
}

export const GROUP = "group-1";

export function rangeProtocols(topics: readonly string[] = ["orders"]): GroupProtocol[] {
  return [{ name: "range", metadata: subscription(topics) }];
}

/** A loaded coordinator on fake time, with predictable member ids (uuid-1, uuid-2, …). */
export class Harness {
  readonly clock = new FakeClock();
  readonly scheduler = new FakeScheduler(this.clock);
  /** Every record, in order: from operations and from timers. */
  readonly log: GroupCoordinatorRecord[] = [];
  /** Records that came from timers only. */
  readonly timerRecords: GroupCoordinatorRecord[] = [];
  readonly coordinator: GroupCoordinator;
  #uuid = 0;

  constructor(deps: Partial<GroupCoordinatorDeps> = {}, load = true) {
    this.coordinator = new GroupCoordinator({
      clock: this.clock,
      scheduler: this.scheduler,
      newUuid: () => `uuid-${++this.#uuid}`,
      onRecords: (records) => {
        this.log.push(...records);
        this.timerRecords.push(...records);
      },
      ...deps,
    });
    if (load) this.log.push(...this.coordinator.onLoaded());
  }

  advance(ms: number): void {
    this.scheduler.advance(ms);
  }

  /** Advances time in 100 ms steps until the condition holds (at most a minute). */
  async until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 600 && !condition(); i++) {
      this.advance(100);
      await settle();
    }
    if (!condition()) throw new Error("condition not reached within a minute of fake time");
  }

  record<T>(result: { records: readonly GroupCoordinatorRecord[]; response: T }): T {
    this.log.push(...result.records);
    return result.response;
  }

  joinRequest(o: JoinOptions = {}): JoinGroupRequest {
    return {
      groupId: o.groupId ?? GROUP,
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 30_000,
      memberId: o.memberId ?? "",
      groupInstanceId: o.groupInstanceId ?? null,
      protocolType: o.protocolType ?? "consumer",
      protocols: o.protocols ?? rangeProtocols(),
    };
  }

  join(o: JoinOptions = {}): Tracked<JoinGroupResponse> {
    const result = this.coordinator.joinGroup(ctx(o.clientId, o.apiVersion), this.joinRequest(o));
    return track(this.record(result));
  }

  /** First join with an empty member id (v4+): returns the member id handed out. */
  async memberIdFor(o: JoinOptions = {}): Promise<string> {
    const first = this.join({ ...o, memberId: "" });
    await settle();
    if (first.value?.errorCode !== "MEMBER_ID_REQUIRED") {
      throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.value?.errorCode}`);
    }
    return first.value.memberId;
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: { memberId: string; assignment: Buffer }[] = [],
    o: { groupId?: string; groupInstanceId?: string | null; protocolType?: string | null } = {},
  ): Tracked<SyncGroupResponse> {
    const result = this.coordinator.syncGroup(ctx(), {
      groupId: o.groupId ?? GROUP,
      generationId,
      memberId,
      groupInstanceId: o.groupInstanceId ?? null,
      protocolType: o.protocolType ?? null,
      protocolName: null,
      assignments,
    });
    return track(this.record(result));
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = GROUP) {
    return this.coordinator.heartbeat(ctx(), { groupId, generationId, memberId, groupInstanceId }).errorCode;
  }

  /**
   * Brings a group of dynamic members to Stable: every member joins (MEMBER_ID_REQUIRED dance),
   * the initial delay passes, the leader syncs an assignment naming each member.
   */
  async stableGroup(
    n: number,
    o: JoinOptions = {},
  ): Promise<{ members: string[]; leader: string; generationId: number }> {
    const members: string[] = [];
    const joins: Tracked<JoinGroupResponse>[] = [];
    for (let i = 0; i < n; i++) {
      const id = await this.memberIdFor({ ...o, clientId: `client-${i}` });
      members.push(id);
      joins.push(this.join({ ...o, memberId: id, clientId: `client-${i}` }));
    }
    await this.until(() => joins.every((j) => j.done));
    const responses = joins.map((j) => {
      if (j.value?.errorCode !== "NONE") throw new Error(`join failed: ${j.value?.errorCode}`);
      return j.value;
    });
    const leader = responses[0].leader;
    const generationId = responses[0].generationId;
    const syncs = members.map((m) =>
      this.sync(
        m,
        generationId,
        m === leader ? members.map((id) => ({ memberId: id, assignment: Buffer.from(`a:${id}`) })) : [],
      ),
    );
    await settle();
    for (const s of syncs)
      if (s.value?.errorCode !== "NONE") throw new Error(`sync failed: ${s.value?.errorCode}`);
    return { members, leader, generationId };
  }
}
