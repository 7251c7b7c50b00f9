/** Helpers for the log cleaner tests: compacted logs, keyed updates, whole-log reads, a cleaner. */
import assert from "node:assert/strict";
import {
  buildRecordBatch,
  CompressionType,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  RecordBatch,
  type RecordBatchHeader,
  readRecordBatchHeader,
} from "@weir/protocol";
import { nodeFileSystem } from "../../src/storage/file-system.js";
import type { Log } from "../../src/storage/log.js";
import { LogCleaner } from "../../src/storage/log-cleaner.js";
import { type CleanerConfig, DEFAULT_CLEANER_CONFIG } from "../../src/storage/log-cleaner-config.js";
import type { LogConfig } from "../../src/storage/log-config.js";
import type { IntervalScheduler } from "../../src/storage/log-manager.js";
import { type FakeClock, LEADER_APPEND, testConfig } from "./storage-test-kit.js";

/** A compacted LogConfig: small segments, every dirty byte cleanable, no tombstone delay. */
export function compactedConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return testConfig({
    cleanupPolicy: ["compact"],
    segmentBytes: 64 * 1024,
    indexIntervalBytes: 1024,
    minCleanableDirtyRatio: 0,
    deleteRetentionMs: 0,
    ...overrides,
  });
}

/** Intervals that never fire (the tests drive the cleaner themselves). */
export const manualIntervals: IntervalScheduler = {
  setInterval: () => undefined,
  clearInterval: () => {},
};

export interface KeyedRecord {
  readonly offset: number;
  readonly key: string | null;
  /** null for a tombstone. */
  readonly value: string | null;
  readonly timestamp: number;
}

export interface UpdateOptions {
  /** How many distinct keys (`key-<n>`). */
  readonly keys: number;
  readonly updates: number;
  readonly perBatch?: number;
  readonly clock?: FakeClock;
  readonly compression?: CompressionType;
  /** The value of update `i` of key `k`; null writes a tombstone. */
  readonly value?: (key: number, i: number) => string | null;
  /** Which key update `i` writes (default i % keys). */
  readonly keyOf?: (i: number) => number;
  readonly producer?: { id: number; epoch: number; sequence: number };
}

/**
 * Appends `updates` keyed records; returns the latest record of each key (by key string), as a
 * full read after a perfect compaction must return them.
 */
export function appendUpdates(log: Log, options: UpdateOptions): Map<string, KeyedRecord> {
  const perBatch = options.perBatch ?? 10;
  const latest = new Map<string, KeyedRecord>();
  let sequence = options.producer?.sequence ?? 0;
  for (let start = 0; start < options.updates; start += perBatch) {
    const count = Math.min(perBatch, options.updates - start);
    const timestamp = options.clock?.now() ?? 1_700_000_000_000;
    const records = Array.from({ length: count }, (_, j) => {
      const i = start + j;
      const k = options.keyOf?.(i) ?? i % options.keys;
      const value = options.value !== undefined ? options.value(k, i) : `value-${k}-${i}`;
      return {
        key: Buffer.from(`key-${k}`),
        value: value === null ? null : Buffer.from(value),
        timestamp,
      };
    });
    const batch = buildRecordBatch(records, {
      compression: options.compression ?? CompressionType.None,
      ...(options.producer !== undefined
        ? { producerId: options.producer.id, producerEpoch: options.producer.epoch, baseSequence: sequence }
        : {}),
    });
    sequence += count;
    const info = log.append(batch, LEADER_APPEND);
    records.forEach((r, j) => {
      const key = r.key.toString();
      latest.set(key, {
        offset: info.firstOffset + j,
        key,
        value: r.value === null ? null : r.value.toString(),
        timestamp,
      });
    });
  }
  return latest;
}

export interface LogContent {
  readonly records: KeyedRecord[];
  readonly batches: RecordBatchHeader[];
  readonly bytes: number;
}

/** Reads the whole log from its start, checking that every batch is whole, CRC-valid and in order. */
export function readLog(log: Log, chunkBytes = 256 * 1024): LogContent {
  const records: KeyedRecord[] = [];
  const batches: RecordBatchHeader[] = [];
  let offset = log.logStartOffset;
  let bytes = 0;
  let lastOffset = -1;
  while (offset < log.logEndOffset) {
    const read = log.read(offset, chunkBytes);
    assert.ok(read.records.length > 0, `read at ${offset} returned nothing`);
    bytes += read.records.length;
    let pos = 0;
    while (pos < read.records.length) {
      const header = readRecordBatchHeader(read.records, pos);
      const size = LOG_OVERHEAD + header.batchLength;
      assert.ok(pos + size <= read.records.length, "reads return whole batches");
      assert.ok(isRecordBatchCrcValid(read.records, pos, header.batchLength), `CRC at ${header.baseOffset}`);
      const batchLast = header.baseOffset + header.lastOffsetDelta;
      if (batchLast >= offset) {
        assert.ok(header.baseOffset > lastOffset, `batch ${header.baseOffset} after ${lastOffset}`);
        batches.push(header);
        for (const r of new RecordBatch(read.records.subarray(pos, pos + size), header).records()) {
          if (r.offset < offset) continue;
          records.push({
            offset: r.offset,
            key: r.key?.toString() ?? null,
            value: r.value?.toString() ?? null,
            timestamp: r.timestamp,
          });
        }
        lastOffset = batchLast;
        offset = batchLast + 1;
      }
      pos += size;
    }
  }
  for (let i = 1; i < records.length; i++) {
    assert.ok(records[i]!.offset > records[i - 1]!.offset, "record offsets strictly increase");
  }
  return { records, batches, bytes };
}

/** Asserts that the log holds exactly `latest` (one record per key, at its original offset). */
export function assertExactlyLatest(content: LogContent, latest: ReadonlyMap<string, KeyedRecord>): void {
  const expected = [...latest.values()]
    .filter((r) => r.value !== null)
    .sort((a, b) => a.offset - b.offset)
    .map((r) => [r.offset, r.key, r.value]);
  assert.deepEqual(
    content.records.map((r) => [r.offset, r.key, r.value]),
    expected,
  );
}

/** A LogCleaner over the given logs, its loops not started (call `cleanFilthiestLog`). */
export function cleanerOver(
  entries: () => readonly { topic: string; partition: number; logDir: string; log: Log }[],
  clock: FakeClock,
  config: Partial<CleanerConfig> = {},
): LogCleaner {
  return new LogCleaner(
    { ...DEFAULT_CLEANER_CONFIG, dedupeBufferSize: 16 * 1024 * 1024, ...config },
    { fs: nodeFileSystem, clock, intervals: manualIntervals },
    entries,
  );
}

/** Cleans until nothing is cleanable; returns the cleanings done. */
export async function cleanUntilDone(
  cleaner: LogCleaner,
): Promise<NonNullable<Awaited<ReturnType<LogCleaner["cleanFilthiestLog"]>>>[]> {
  const done = [];
  for (;;) {
    const cleaning = await cleaner.cleanFilthiestLog();
    if (cleaning === undefined) return done;
    done.push(cleaning);
    assert.ok(done.length < 10_000, "cleaning does not converge");
  }
}
