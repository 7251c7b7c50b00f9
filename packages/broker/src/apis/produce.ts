import {
  ApiKey,
  ErrorCode,
  type ProduceResponsePartitionProduceResponse,
  ProtocolError,
} from "@weir/protocol";
import { isInternalTopic } from "../metadata/topic-name.js";
import { ALREADY_COMMITTED } from "../replication/partition.js";
import { defineHandler } from "./api-handler.js";
import { leaderPartition } from "./leader-partition.js";
import { upConvertProduceRecords } from "./message-format-conversion.js";

const VALID_ACKS = new Set([-1, 0, 1]);

function partitionError(index: number, errorCode: number, errorMessage: string | null = null) {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
  } satisfies ProduceResponsePartitionProduceResponse;
}

/** Resolves to true when every promise settles within `timeoutMs`, false on timeout. */
function settleWithin(promises: Promise<unknown>[], timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
  });
  return Promise.race([Promise.allSettled(promises).then(() => true), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Produce v0–v11. v3+ carry record batch v2; v0–v2 carry the legacy message formats (magic 0 and
 * 1), which are up-converted to one v2 batch per partition first (the log stores only v2). Each
 * partition's batch is validated and appended by its leader; acks=1 and acks=-1 are
 * answered once the data is committed (durable under the default flush policy, and on every
 * in-sync replica, which on one node is this one); acks=0 gets no response, and a failure then
 * closes the connection so the client learns of it, as Kafka does.
 */
export const produceHandler = defineHandler({
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 11,
  async handle(ctx, request) {
    const { broker } = ctx;
    const topicMetrics = broker.metrics.topics;
    const now = broker.now();
    const legacy = ctx.header.apiVersion < 3;
    const acksValid = VALID_ACKS.has(request.acks);
    const transactional = request.transactionalId !== undefined && request.transactionalId !== null;
    const waits: Promise<void>[] = [];
    const pending: { response: ProduceResponsePartitionProduceResponse; settled: boolean }[] = [];
    let failed = false;

    const responses = request.topicData.map((topicData) => ({
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((data): ProduceResponsePartitionProduceResponse => {
        const fail = (code: number, message: string | null = null) => {
          failed = true;
          topicMetrics.produceFailed(undefined);
          return partitionError(data.index, code, message);
        };
        if (!acksValid) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
        if (transactional)
          return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "transactions are not supported yet");
        if (isInternalTopic(topicData.name)) {
          return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `cannot append to internal topic ${topicData.name}`);
        }
        const partition = leaderPartition(broker, topicData.name, data.index);
        if (typeof partition === "number") return fail(partition);
        if (data.records === null || data.records.length === 0) {
          return fail(ErrorCode.CORRUPT_MESSAGE, "produce request without records");
        }
        let records = data.records;
        if (legacy) {
          const converted = upConvertProduceRecords(records);
          if (!converted.ok) {
            failed = true;
            topicMetrics.produceFailed(partition.topic);
            return partitionError(data.index, converted.errorCode, converted.message);
          }
          records = converted.records;
        }
        const result = partition.appendRecordsToLeader(records, now);
        const response: ProduceResponsePartitionProduceResponse = {
          index: data.index,
          errorCode: result.errorCode,
          baseOffset: BigInt(result.baseOffset),
          logAppendTimeMs: BigInt(result.logAppendTime),
          logStartOffset: BigInt(result.logStartOffset),
          recordErrors: result.recordErrors,
          errorMessage: result.errorMessage,
        };
        if (result.errorCode !== ErrorCode.NONE) {
          failed = true;
          topicMetrics.produceFailed(partition.topic);
        } else {
          topicMetrics.produced(
            partition.topic,
            result.lastOffset - result.baseOffset + 1,
            data.records.length,
          );
          // Most appends are committed on return (no fsync before ack, or a retried duplicate):
          // those need no promise callbacks nor a timeout timer.
          if (result.committed === ALREADY_COMMITTED) return response;
          const entry = { response, settled: false };
          pending.push(entry);
          waits.push(
            result.committed.then(
              () => {
                entry.settled = true;
              },
              (err: unknown) => {
                entry.settled = true;
                broker.logger.error({ err, partition: partition.key }, "append could not be made durable");
                Object.assign(
                  response,
                  partitionError(data.index, ErrorCode.KAFKA_STORAGE_ERROR, "not durable"),
                );
              },
            ),
          );
        }
        return response;
      }),
    }));

    if (request.acks === 0) {
      if (failed)
        throw new ProtocolError("produce with acks=0 failed; closing the connection to tell the client");
      return null;
    }
    if (waits.length > 0 && !(await settleWithin(waits, request.timeoutMs))) {
      // Not committed within the request's timeout: say so (the data may still become durable).
      for (const entry of pending) {
        if (!entry.settled) {
          Object.assign(entry.response, partitionError(entry.response.index, ErrorCode.REQUEST_TIMED_OUT));
        }
      }
    }
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  },
});
