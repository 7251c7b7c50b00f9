import { resolve } from "node:path";
import {
  ApiKey,
  type DescribeLogDirsRequestDescribableLogDirTopic,
  type DescribeLogDirsResponseDescribeLogDirsResult,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
  ErrorCode,
} from "@weir/protocol";
import type { LogDirDescription } from "../storage/log-manager.js";
import { defineHandler } from "./api-handler.js";

/** Which partitions the request asks about: all (null topics) or the listed ones. */
function partitionFilter(
  topics: readonly DescribeLogDirsRequestDescribableLogDirTopic[] | null,
): (topic: string, partition: number) => boolean {
  if (topics === null) return () => true;
  const wanted = new Map<string, Set<number>>();
  for (const t of topics) {
    const set = wanted.get(t.topic) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    wanted.set(t.topic, set);
  }
  return (topic, partition) => wanted.get(topic)?.has(partition) ?? false;
}

function dirResult(
  dir: LogDirDescription,
  wanted: (topic: string, partition: number) => boolean,
): DescribeLogDirsResponseDescribeLogDirsResult {
  const logDir = resolve(dir.path);
  if (dir.error !== undefined) {
    return {
      errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
      logDir,
      topics: [],
      totalBytes: -1n,
      usableBytes: -1n,
    };
  }
  const byTopic = new Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>();
  for (const p of dir.partitions) {
    if (!wanted(p.topic, p.partition)) continue;
    let topic = byTopic.get(p.topic);
    if (topic === undefined) {
      topic = { name: p.topic, partitions: [] };
      byTopic.set(p.topic, topic);
    }
    topic.partitions.push({
      partitionIndex: p.partition,
      partitionSize: BigInt(p.size),
      offsetLag: BigInt(p.offsetLag),
      isFutureKey: p.isFuture,
    });
  }
  const topics = [...byTopic.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of topics) t.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
  return {
    errorCode: ErrorCode.NONE,
    logDir,
    topics,
    totalBytes: BigInt(dir.totalBytes),
    usableBytes: BigInt(dir.usableBytes),
  };
}

/**
 * DescribeLogDirs v0-4: every log directory of this broker (absolute path; KAFKA_STORAGE_ERROR
 * when offline) with the partitions it holds — all of them when `topics` is null, else only the
 * listed ones — and their sizes. offsetLag is 0 (Kafka reports how far the high watermark is
 * beyond the log end, never positive for a current log; Weir has no future logs) and v4 adds the
 * volume's total and usable bytes (-1 when they cannot be read).
 */
export const describeLogDirsHandler = defineHandler({
  apiKey: ApiKey.DescribeLogDirs,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const wanted = partitionFilter(request.topics);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: ctx.broker.logManager.describeLogDirs().map((dir) => dirResult(dir, wanted)),
    };
  },
});
