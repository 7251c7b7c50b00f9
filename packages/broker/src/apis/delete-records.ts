import { ApiKey, ErrorCode } from "@weir/protocol";
import { isInternalTopic } from "../metadata/topic-name.js";
import { storageErrorCode } from "../replication/partition.js";
import { StorageError } from "../storage/storage-error.js";
import { defineHandler } from "./api-handler.js";
import { leaderPartition } from "./leader-partition.js";

/**
 * DeleteRecords: moves a partition's log start offset forward (to the high watermark for -1);
 * whole segments below it are deleted, and reads below it get OFFSET_OUT_OF_RANGE.
 */
export const deleteRecordsHandler = defineHandler({
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const { broker } = ctx;
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(
          topic.partitions.map(async (p) => {
            const answer = (errorCode: number, lowWatermark: number) => ({
              partitionIndex: p.partitionIndex,
              errorCode,
              lowWatermark: BigInt(lowWatermark),
            });
            if (isInternalTopic(topic.name)) return answer(ErrorCode.INVALID_TOPIC_EXCEPTION, -1);
            const partition = leaderPartition(broker, topic.name, p.partitionIndex);
            if (typeof partition === "number") return answer(partition, -1);
            const requested = p.offset === -1n ? partition.highWatermark : Number(p.offset);
            if (requested < 0 || requested > partition.highWatermark) {
              return answer(ErrorCode.OFFSET_OUT_OF_RANGE, -1);
            }
            try {
              const lowWatermark = await partition.log.deleteRecordsBefore(requested);
              partition.producerState.onLogStartOffsetIncremented(lowWatermark);
              partition.refreshHighWatermark();
              return answer(ErrorCode.NONE, lowWatermark);
            } catch (err) {
              if (err instanceof StorageError) return answer(storageErrorCode(err), -1);
              throw err;
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
