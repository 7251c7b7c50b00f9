import { ApiKey, ErrorCode } from "@weir/protocol";
import { type Cluster, CoordinatorType } from "../cluster/cluster.js";
import type { AdminConfig } from "../config/options-table.js";
import { compareTopicPartitions, type TopicPartition, tpKey } from "../consumer/consumer-types.js";
import { decodeAssignment, decodeSubscription } from "../consumer/group/consumer-protocol.js";
import { CoordinatorLink } from "../consumer/group/coordinator-link.js";
import { GroupOffsets, NO_MEMBER } from "../consumer/group/group-offsets.js";
import { brokerError, KafkaError } from "../errors.js";
import type { Admin } from "./admin.js";
import { type Outcomes, runAdminCall, sendPerTarget } from "./admin-call.js";
import type {
  AdminCallOptions,
  DescribeGroupsOptions,
  GroupDescription,
  GroupMemberDescription,
  GroupOffset,
  GroupPartitionLag,
  ListedGroup,
  ListGroupsOptions,
  ResetGroupOffsetsOptions,
} from "./admin-types.js";

const COORDINATOR_MOVED: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);

/**
 * Consumer group administration (what `kafka-consumer-groups` does): list, describe with lag,
 * delete, list / alter / reset / delete committed offsets. Requests go to each group's
 * coordinator, found with FindCoordinator; a moved coordinator is looked up again and the call
 * retried within its time budget.
 */
export class GroupAdmin {
  readonly #cluster: Cluster;
  readonly #config: AdminConfig;
  readonly #admin: Admin;

  constructor(cluster: Cluster, config: AdminConfig, admin: Admin) {
    this.#cluster = cluster;
    this.#config = config;
    this.#admin = admin;
  }

  async listGroups(options: ListGroupsOptions = {}): Promise<ListedGroup[]> {
    const metadata = await this.#cluster.refreshMetadata();
    const brokers = [...metadata.brokers.keys()].sort((a, b) => a - b);
    const perBroker = await runAdminCall(
      this.#cluster,
      this.#config,
      "ListGroups",
      brokers.length,
      (pending) =>
        sendPerTarget(
          pending.map((i) => [brokers[i], [i]] as const),
          async (broker, [i]): Promise<Outcomes<ListedGroup[]>> => {
            const { version, response } = await this.#cluster.send(
              broker,
              ApiKey.ListGroups,
              () => ({
                statesFilter: [...(options.states ?? [])],
                typesFilter: [...(options.types ?? [])],
              }),
              { min: options.types !== undefined ? 5 : options.states !== undefined ? 4 : 0 },
            );
            const outcome =
              response.errorCode !== ErrorCode.NONE
                ? brokerError(response.errorCode, `ListGroups on broker ${broker}`)
                : response.groups.map((g) => ({
                    groupId: g.groupId,
                    protocolType: g.protocolType,
                    state: version >= 4 ? (g.groupState ?? null) : null,
                    type: version >= 5 ? (g.groupType ?? null) : null,
                  }));
            return new Map([[i, outcome]]);
          },
        ),
      options.timeoutMs,
    );
    const byId = new Map<string, ListedGroup>();
    for (const list of perBroker) for (const g of list) byId.set(g.groupId, g);
    return [...byId.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  async describeGroups(
    groupIds: readonly string[],
    options: DescribeGroupsOptions = {},
  ): Promise<GroupDescription[]> {
    const descriptions = await this.#perGroup(
      groupIds,
      "describing groups",
      options.timeoutMs,
      async (coordinator, ids) => {
        const out = new Map<string, GroupDescription | KafkaError>();
        let classic = [...ids];
        const connection = await this.#cluster.connection(coordinator);
        if (connection.versions.pick(ApiKey.ConsumerGroupDescribe) >= 0) {
          const { response } = await this.#cluster.send(coordinator, ApiKey.ConsumerGroupDescribe, () => ({
            groupIds: [...ids],
            includeAuthorizedOperations: false,
          }));
          classic = [];
          for (const g of response.groups) {
            if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
              classic.push(g.groupId);
              continue;
            }
            if (g.errorCode !== ErrorCode.NONE) {
              out.set(
                g.groupId,
                brokerError(g.errorCode, `describing group ${g.groupId}`, { message: g.errorMessage }),
              );
              continue;
            }
            out.set(g.groupId, {
              groupId: g.groupId,
              state: g.groupState,
              type: "consumer",
              protocolType: "consumer",
              assignor: g.assignorName,
              coordinator,
              members: g.members.map((m) => ({
                memberId: m.memberId,
                groupInstanceId: m.instanceId,
                clientId: m.clientId,
                clientHost: m.clientHost,
                assignment: m.assignment.topicPartitions
                  .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topicName, partition })))
                  .sort(compareTopicPartitions),
                subscribedTopics: m.subscribedTopicNames,
              })),
            });
          }
        }
        if (classic.length > 0) {
          const { response } = await this.#cluster.send(coordinator, ApiKey.DescribeGroups, () => ({
            groups: classic,
            includeAuthorizedOperations: false,
          }));
          for (const g of response.groups) {
            if (g.errorCode !== ErrorCode.NONE) {
              out.set(g.groupId, brokerError(g.errorCode, `describing group ${g.groupId}`));
              continue;
            }
            const consumer = g.protocolType === "consumer";
            out.set(g.groupId, {
              groupId: g.groupId,
              state: g.groupState,
              type: "classic",
              protocolType: g.protocolType,
              assignor: g.protocolData,
              coordinator,
              members: g.members.map(
                (m): GroupMemberDescription => ({
                  memberId: m.memberId,
                  groupInstanceId: m.groupInstanceId ?? null,
                  clientId: m.clientId,
                  clientHost: m.clientHost,
                  assignment: consumer
                    ? safe(
                        () =>
                          [...decodeAssignment(m.memberAssignment).partitions].sort(compareTopicPartitions),
                        [],
                      )
                    : [],
                  subscribedTopics:
                    consumer && m.memberMetadata.length > 0
                      ? safe(() => [...decodeSubscription(m.memberMetadata).topics], null)
                      : null,
                }),
              ),
            });
          }
        }
        return out;
      },
    );
    if (options.includeLag !== true) return descriptions;
    return Promise.all(descriptions.map(async (d) => ({ ...d, lag: await this.#lag(d, options.timeoutMs) })));
  }

  async #lag(d: GroupDescription, timeoutMs: number | undefined): Promise<GroupPartitionLag[]> {
    const committed = await this.listGroupOffsets(d.groupId, { timeoutMs });
    const owners = new Map<string, GroupMemberDescription>();
    for (const m of d.members) for (const tp of m.assignment) owners.set(tpKey(tp.topic, tp.partition), m);
    const partitions = new Map<string, TopicPartition>();
    for (const c of committed) partitions.set(tpKey(c.topic, c.partition), c);
    for (const m of d.members)
      for (const tp of m.assignment) partitions.set(tpKey(tp.topic, tp.partition), tp);
    const list = [...partitions.values()].sort(compareTopicPartitions);
    if (list.length === 0) return [];
    const ends = await this.#admin.listOffsets(
      list.map((tp) => ({ topic: tp.topic, partition: tp.partition, spec: "latest" as const })),
      { timeoutMs },
    );
    const byKey = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c]));
    return list.map((tp, i) => {
      const key = tpKey(tp.topic, tp.partition);
      const c = byKey.get(key);
      const owner = owners.get(key);
      const end = ends[i].offset;
      return {
        topic: tp.topic,
        partition: tp.partition,
        committedOffset: c?.offset ?? -1,
        logEndOffset: end,
        lag: c === undefined ? null : Math.max(0, end - c.offset),
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        clientHost: owner?.clientHost ?? null,
        metadata: c?.metadata ?? null,
      };
    });
  }

  async deleteGroups(groupIds: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    await this.#perGroup(groupIds, "deleting groups", options.timeoutMs, async (coordinator, ids) => {
      const { response } = await this.#cluster.send(coordinator, ApiKey.DeleteGroups, () => ({
        groupsNames: [...ids],
      }));
      const out = new Map<string, true | KafkaError>();
      for (const r of response.results) {
        out.set(
          r.groupId,
          r.errorCode === ErrorCode.NONE ? true : brokerError(r.errorCode, `deleting group ${r.groupId}`),
        );
      }
      return out;
    });
  }

  /** The group's committed offsets (of `partitions`, or all), sorted; partitions without one are left out. */
  async listGroupOffsets(
    groupId: string,
    options: AdminCallOptions & { partitions?: readonly TopicPartition[] } = {},
  ): Promise<GroupOffset[]> {
    const offsets = new GroupOffsets(
      this.#cluster,
      this.#config,
      new CoordinatorLink(this.#cluster, groupId),
    );
    const found = await offsets.fetch(
      options.partitions ?? null,
      Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
      null,
    );
    return [...found.values()]
      .map((c) => ({
        topic: c.topic,
        partition: c.partition,
        offset: c.offset,
        leaderEpoch: c.leaderEpoch,
        metadata: c.metadata,
      }))
      .sort(compareTopicPartitions);
  }

  /** Commits offsets for a group that has no active members (as a "simple" consumer would). */
  async alterGroupOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: number; metadata?: string | null }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    const group = new GroupOffsets(this.#cluster, this.#config, new CoordinatorLink(this.#cluster, groupId));
    try {
      await group.commit(
        offsets,
        () => NO_MEMBER,
        Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
        true,
      );
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.UNKNOWN_MEMBER_ID) {
        throw new KafkaError(
          ErrorCode.NON_EMPTY_GROUP,
          `group ${groupId} has active members: its offsets can only be changed while it is empty`,
          { cause: err, retriable: false },
        );
      }
      throw err;
    }
  }

  /**
   * Moves a group's committed offsets (the group must have no members): to the earliest or latest
   * offset, an offset, a time, or by a shift from the committed offset (kept within the
   * partition's range). Resolves with the new offsets (committed unless `dryRun`).
   */
  async resetGroupOffsets(groupId: string, options: ResetGroupOffsetsOptions): Promise<GroupOffset[]> {
    const timeoutMs = options.timeoutMs;
    const [description] = await this.describeGroups([groupId], { timeoutMs });
    if (description.members.length > 0) {
      throw new KafkaError(
        ErrorCode.NON_EMPTY_GROUP,
        `group ${groupId} has ${description.members.length} active member(s) (state ${description.state}); stop them before resetting offsets`,
        { retriable: false },
      );
    }
    const partitions = await this.#partitions(options.partitions, timeoutMs);
    const to = options.to;
    const specs = partitions.map((tp) => ({ ...tp, spec: "earliest" as const }));
    const earliest = await this.#admin.listOffsets(specs, { timeoutMs });
    const latest = await this.#admin.listOffsets(
      specs.map((s) => ({ ...s, spec: "latest" as const })),
      { timeoutMs },
    );
    let target: number[];
    if (to === "earliest") target = earliest.map((o) => o.offset);
    else if (to === "latest") target = latest.map((o) => o.offset);
    else if (typeof to === "object" && "timestamp" in to) {
      const byTime = await this.#admin.listOffsets(
        specs.map((s) => ({ ...s, spec: { timestamp: to.timestamp } })),
        {
          timeoutMs,
        },
      );
      target = byTime.map((o, i) => (o.offset < 0 ? latest[i].offset : o.offset));
    } else if (typeof to === "object" && "offset" in to) {
      target = partitions.map(() => to.offset);
    } else if (typeof to === "object" && "shiftBy" in to) {
      const committed = await this.listGroupOffsets(groupId, { partitions, timeoutMs });
      const byKey = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]));
      target = partitions.map(
        (tp, i) => (byKey.get(tpKey(tp.topic, tp.partition)) ?? latest[i].offset) + to.shiftBy,
      );
    } else {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `invalid reset target ${JSON.stringify(to)}`, {
        retriable: false,
      });
    }
    const result: GroupOffset[] = partitions.map((tp, i) => ({
      topic: tp.topic,
      partition: tp.partition,
      offset: Math.min(Math.max(target[i], earliest[i].offset), latest[i].offset),
      leaderEpoch: -1,
      metadata: null,
    }));
    if (options.dryRun !== true) await this.alterGroupOffsets(groupId, result, { timeoutMs });
    return result;
  }

  /** Removes committed offsets of partitions (OffsetDelete); refused for topics the group still subscribes to. */
  async deleteGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.#perGroup([groupId], "deleting group offsets", options.timeoutMs, async (coordinator) => {
      const byTopic = new Map<string, number[]>();
      for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      const { response } = await this.#cluster.send(coordinator, ApiKey.OffsetDelete, () => ({
        groupId,
        topics: [...byTopic].map(([name, list]) => ({
          name,
          partitions: list.map((partitionIndex) => ({ partitionIndex })),
        })),
      }));
      const out = new Map<string, true | KafkaError>();
      if (response.errorCode !== ErrorCode.NONE) {
        out.set(groupId, brokerError(response.errorCode, `deleting offsets of group ${groupId}`));
        return out;
      }
      for (const t of response.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE && !out.has(groupId)) {
            out.set(
              groupId,
              brokerError(
                p.errorCode,
                `deleting the offset of ${t.name}-${p.partitionIndex} of group ${groupId}`,
                {
                  topic: t.name,
                  partition: p.partitionIndex,
                },
              ),
            );
          }
        }
      }
      if (!out.has(groupId)) out.set(groupId, true);
      return out;
    });
  }

  /** Topic names become all their partitions. */
  async #partitions(
    items: readonly (string | TopicPartition)[],
    timeoutMs: number | undefined,
  ): Promise<TopicPartition[]> {
    const names = [...new Set(items.filter((i): i is string => typeof i === "string"))];
    const out: TopicPartition[] = items
      .filter((i): i is TopicPartition => typeof i !== "string")
      .map((i) => ({ ...i }));
    if (names.length > 0) {
      for (const t of await this.#admin.describeTopics(names, { timeoutMs })) {
        for (const p of t.partitions) out.push({ topic: t.name, partition: p.partition });
      }
    }
    const unique = new Map(out.map((tp) => [tpKey(tp.topic, tp.partition), tp]));
    return [...unique.values()].sort(compareTopicPartitions);
  }

  /**
   * Runs `send` for the groups grouped by coordinator; coordinator errors (moved, loading) are
   * retried after looking the coordinator up again. Results in the order of `groupIds`.
   */
  #perGroup<R>(
    groupIds: readonly string[],
    what: string,
    timeoutMs: number | undefined,
    send: (coordinator: number, ids: readonly string[]) => Promise<Map<string, R | KafkaError>>,
  ): Promise<R[]> {
    const budget = timeoutMs ?? this.#config.defaultApiTimeoutMs;
    return runAdminCall(
      this.#cluster,
      this.#config,
      what,
      groupIds.length,
      async (pending) => {
        const out: Outcomes<R> = new Map();
        const byCoordinator = new Map<number, number[]>();
        // Finding a coordinator fails per group, like a request (its error becomes the outcome).
        await sendPerTarget(
          pending.map((i) => [groupIds[i], [i]] as const),
          async (groupId, [i]) => {
            const node = await this.#cluster.findCoordinator(
              CoordinatorType.Group,
              groupId,
              Date.now() + budget,
            );
            byCoordinator.set(node, [...(byCoordinator.get(node) ?? []), i]);
            return new Map();
          },
          { out },
        );
        const forget = (i: number) => this.#cluster.invalidateCoordinator(CoordinatorType.Group, groupIds[i]);
        return sendPerTarget(
          byCoordinator,
          async (node, indexes) => {
            const results = await send(
              node,
              indexes.map((i) => groupIds[i]),
            );
            const outcomes: Outcomes<R> = new Map();
            for (const i of indexes) {
              const r = results.get(groupIds[i]);
              if (r instanceof KafkaError && r.code !== null && COORDINATOR_MOVED.has(r.code)) forget(i);
              if (r !== undefined) outcomes.set(i, r);
            }
            return outcomes;
          },
          { out, onFailure: (indexes) => indexes.forEach(forget) },
        );
      },
      timeoutMs,
    );
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
