import { ApiKey, type Record, readRecordBatches } from "@weir/protocol";
import type { Cluster } from "../../src/cluster/cluster.js";

/** Every record of a partition from `fromOffset` to the high watermark, with raw Fetch requests. */
export async function readPartition(
  cluster: Cluster,
  topic: string,
  partition: number,
  fromOffset = 0,
): Promise<Record[]> {
  const records: Record[] = [];
  let offset = fromOffset;
  for (let round = 0; round < 10_000; round++) {
    let metadata = cluster.metadata;
    if (metadata.leaderOf(topic, partition) < 0) metadata = (await cluster.describeTopics([topic])).metadata;
    const leader = metadata.leaderOf(topic, partition);
    const { response } = await cluster.send(
      leader,
      ApiKey.Fetch,
      () => ({
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 16 * 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              {
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: BigInt(offset),
                logStartOffset: -1n,
                partitionMaxBytes: 8 * 1024 * 1024,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: "",
      }),
      { min: 4, max: 12 },
    );
    const data = response.responses[0].partitions[0];
    if (data.errorCode !== 0)
      throw new Error(`fetch ${topic}-${partition} failed with error ${data.errorCode}`);
    const highWatermark = Number(data.highWatermark);
    if (data.records !== null) {
      for (const batch of readRecordBatches(data.records)) {
        for (const record of batch.records()) if (record.offset >= offset) records.push(record);
        offset = Math.max(offset, batch.nextOffset);
      }
    }
    if (offset >= highWatermark) return records;
  }
  throw new Error("readPartition did not reach the high watermark");
}
