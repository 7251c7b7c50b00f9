import { ApiKey } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import type { AdminConfig } from "../config/options-table.js";
import { type Outcomes, outcomesOf, runAdminCall, sendPerTarget } from "./admin-call.js";
import type {
  AdminCallOptions,
  DeletedRecords,
  DeleteRecordsEntry,
  ListedOffset,
  ListOffsetsOptions,
  ListOffsetsRequestEntry,
} from "./admin-types.js";
import { byTopic, groupByLeader, offsetSpecTimestamp, partitionAnswer } from "./partition-routing.js";

/**
 * Offsets and records of partitions, asked of each partition's leader: ListOffsets (earliest,
 * latest, by time) and DeleteRecords. One request per leader; leaders are looked up afresh on
 * every attempt, since they move.
 */
export class OffsetAdmin {
  readonly #cluster: Cluster;
  readonly #config: AdminConfig;

  constructor(cluster: Cluster, config: AdminConfig) {
    this.#cluster = cluster;
    this.#config = config;
  }

  listOffsets(
    requests: readonly ListOffsetsRequestEntry[],
    options: ListOffsetsOptions,
  ): Promise<ListedOffset[]> {
    const isolationLevel = options.isolationLevel === "read_committed" ? 1 : 0;
    for (const r of requests) offsetSpecTimestamp(r.spec); // bad specs fail before anything is sent
    const needsMaxTimestamp = requests.some((r) => r.spec === "max-timestamp");
    return this.#perLeader(requests, "ListOffsets", options.timeoutMs, async (leader, indexes) => {
      const { response } = await this.#cluster.send(
        leader,
        ApiKey.ListOffsets,
        () => ({
          replicaId: -1,
          isolationLevel,
          topics: byTopic(requests, indexes).map(([name, list]) => ({
            name,
            partitions: list.map((i) => ({
              partitionIndex: requests[i].partition,
              currentLeaderEpoch: -1,
              timestamp: BigInt(offsetSpecTimestamp(requests[i].spec)),
              maxNumOffsets: 1,
            })),
          })),
          timeoutMs: this.#config.requestTimeoutMs,
        }),
        { min: needsMaxTimestamp ? 7 : isolationLevel === 1 ? 2 : 1 },
      );
      return outcomesOf(
        indexes,
        (i) => partitionAnswer(response.topics, requests[i].topic, requests[i].partition),
        (i) => {
          const { topic, partition } = requests[i];
          return { what: `ListOffsets for ${topic}-${partition}`, topic, partition };
        },
        (p, i) => ({
          topic: requests[i].topic,
          partition: requests[i].partition,
          offset: Number(p.offset ?? p.oldStyleOffsets?.[0] ?? -1n),
          timestamp: Number(p.timestamp ?? -1n),
          leaderEpoch: p.leaderEpoch ?? -1,
        }),
      );
    });
  }

  deleteRecords(
    entries: readonly DeleteRecordsEntry[],
    options: AdminCallOptions,
  ): Promise<DeletedRecords[]> {
    const timeoutMs = options.timeoutMs ?? this.#config.defaultApiTimeoutMs;
    return this.#perLeader(entries, "DeleteRecords", timeoutMs, async (leader, indexes) => {
      const { response } = await this.#cluster.send(leader, ApiKey.DeleteRecords, () => ({
        topics: byTopic(entries, indexes).map(([name, list]) => ({
          name,
          partitions: list.map((i) => ({
            partitionIndex: entries[i].partition,
            offset: BigInt(entries[i].beforeOffset),
          })),
        })),
        timeoutMs,
      }));
      return outcomesOf(
        indexes,
        (i) => partitionAnswer(response.topics, entries[i].topic, entries[i].partition),
        (i) => {
          const { topic, partition } = entries[i];
          return { what: `DeleteRecords for ${topic}-${partition}`, topic, partition };
        },
        (p, i) => ({
          topic: entries[i].topic,
          partition: entries[i].partition,
          lowWatermark: Number(p.lowWatermark),
        }),
      );
    });
  }

  /** Runs the call with one request per leader of the pending partitions. */
  #perLeader<R>(
    items: readonly { topic: string; partition: number }[],
    what: string,
    timeoutMs: number | undefined,
    send: (leader: number, indexes: readonly number[]) => Promise<Outcomes<R>>,
  ): Promise<R[]> {
    return runAdminCall(
      this.#cluster,
      this.#config,
      what,
      items.length,
      async (pending) => {
        const out: Outcomes<R> = new Map();
        const leaders = await groupByLeader(this.#cluster, items, pending, out);
        return sendPerTarget(leaders, send, { out });
      },
      timeoutMs,
    );
  }
}
