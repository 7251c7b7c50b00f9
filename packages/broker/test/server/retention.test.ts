import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ApiKey, buildRecordBatch, ErrorCode } from "@weir/protocol";
import {
  checkLogDir,
  EARLIEST,
  ensureTopic,
  fetchOnce,
  LATEST,
  listOffset,
  produce,
  readPartition,
} from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/*
 * Time-based retention end to end: small segments roll, the retention task deletes the segments
 * whose newest record is older than retention.ms, the log start offset moves, and a fetch below it
 * gets OFFSET_OUT_OF_RANGE.
 *
 * Topics start with infinite retention and get retention.ms only once their data is written, so
 * a slow machine cannot see segments expire while the test is still producing them.
 *
 * segment.bytes cannot go below 1 MiB (log.segment.bytes and segment.bytes are validated like
 * Kafka 4's, `atLeast(1048576)`), so the test writes a few MiB. Records carry old timestamps
 * (CreateTime two hours ago) so which segments expire does not depend on how fast the test runs.
 */

const SEGMENT_BYTES = 1024 * 1024;
const RETENTION_MS = 60_000;
const OLD = () => Date.now() - 2 * 60 * 60 * 1000;
const RECORD_BYTES = 2048;
const RECORDS_PER_BATCH = 100; // ~200 KiB batches: about five per segment

let broker: TestBroker;
let client: RawKafkaClient;

before(async () => {
  broker = await startTestBroker({
    config: {
      "log.segment.bytes": String(SEGMENT_BYTES),
      "log.retention.ms": "-1",
      "log.retention.check.interval.ms": "200",
      "log.segment.delete.delay.ms": "0",
    },
  });
  client = await RawKafkaClient.connect(broker.bootstrap);
});

after(async () => {
  client?.close();
  await broker?.destroy();
});

function batchOf(tag: string, first: number, timestamp: number): Buffer {
  const records = [];
  for (let i = 0; i < RECORDS_PER_BATCH; i++) {
    const value = Buffer.alloc(RECORD_BYTES, 0x61 + ((first + i) % 26));
    value.write(`${tag}-${first + i}:`);
    records.push({ key: Buffer.from(`${tag}-${first + i}`), value, timestamp: timestamp + i });
  }
  return buildRecordBatch(records);
}

async function produceBatches(
  topic: string,
  tag: string,
  batches: number,
  timestamp: () => number,
): Promise<bigint> {
  let firstOffset = -1n;
  for (let b = 0; b < batches; b++) {
    const answer = await produce(client, topic, 0, batchOf(tag, b * RECORDS_PER_BATCH, timestamp()));
    assert.equal(answer.errorCode, 0, `produce ${tag} batch ${b}`);
    if (firstOffset < 0n) firstOffset = answer.baseOffset;
  }
  return firstOffset;
}

/** Gives the topic a finite retention.ms (IncrementalAlterConfigs SET). */
async function startRetention(topic: string): Promise<void> {
  const response = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: 2,
        resourceName: topic,
        configs: [{ name: "retention.ms", configOperation: 0, value: String(RETENTION_MS) }],
      },
    ],
    validateOnly: false,
  });
  assert.equal(response.responses[0]!.errorCode, 0, "retention.ms set");
}

function segmentFiles(topic: string): string[] {
  return readdirSync(join(broker.dataDir, `${topic}-0`))
    .filter((f) => /^\d{20}\.log/.test(f))
    .sort();
}

/** Polls `check` until it returns true; fails after `ms` (a bound on a background task, not a timing check). */
async function eventually(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("expired segments are deleted, the log start offset moves and older fetches are out of range", async (t) => {
  const topic = "retained";
  await ensureTopic(client, topic, 1);
  await produceBatches(topic, "old", 30, OLD);
  const firstRecent = await produceBatches(topic, "new", 5, () => Date.now());
  const latest = await listOffset(client, topic, 0, LATEST);
  const rolled = segmentFiles(topic).filter((f) => f.endsWith(".log")).length;
  assert.ok(rolled >= 5, `segments rolled at ${SEGMENT_BYTES} bytes: ${rolled}`);
  await startRetention(topic);

  let earliest = 0n;
  await eventually("old segments deleted", async () => {
    earliest = await listOffset(client, topic, 0, EARLIEST);
    const files = segmentFiles(topic);
    return earliest > 0n && files.every((f) => f.endsWith(".log"));
  });
  t.diagnostic(
    `${rolled} segments before retention, ${segmentFiles(topic).length} after; log start ${earliest}`,
  );

  // Only whole segments of old records went: the start is a segment boundary at or before the
  // first recent record, and the rest of the log is intact.
  assert.ok(earliest <= firstRecent, `log start ${earliest} is past the first recent offset ${firstRecent}`);
  const files = segmentFiles(topic);
  assert.equal(BigInt(Number(files[0]!.slice(0, 20))), earliest, "the log starts at its first segment");
  assert.equal(await listOffset(client, topic, 0, LATEST), latest);
  const summary = checkLogDir(join(broker.dataDir, `${topic}-0`));
  assert.equal(BigInt(summary.nextOffset), latest);

  // Below the log start offset: OFFSET_OUT_OF_RANGE, with the new log start in the answer.
  for (const offset of [0n, earliest - 1n]) {
    const below = await fetchOnce(client, topic, 0, offset);
    assert.equal(below.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, `fetch at ${offset}`);
    assert.equal(below.logStartOffset, earliest);
    assert.equal(below.records?.length ?? 0, 0);
  }
  // From the log start on, everything is readable, and every recent record is there.
  const records = await readPartition(client, topic, 0, earliest);
  assert.equal(BigInt(records.length), latest - earliest);
  const recent = records.filter((r) => r.key?.toString().startsWith("new-"));
  assert.equal(recent.length, 5 * RECORDS_PER_BATCH);
  assert.equal(BigInt(recent[0]!.offset), firstRecent);
});

test("when every segment expires, the log is emptied but keeps its offsets", async () => {
  const topic = "expired";
  await ensureTopic(client, topic, 1);
  await produceBatches(topic, "gone", 12, OLD);
  const latest = await listOffset(client, topic, 0, LATEST);
  assert.ok(segmentFiles(topic).length >= 2);
  await startRetention(topic);

  await eventually(
    "every segment deleted",
    async () => (await listOffset(client, topic, 0, EARLIEST)) === latest,
  );
  assert.equal(await listOffset(client, topic, 0, LATEST), latest, "the high watermark stays");
  const below = await fetchOnce(client, topic, 0, 0n);
  assert.equal(below.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.equal(below.logStartOffset, latest);
  // An empty read at the end is fine; new data continues the offsets.
  const atEnd = await fetchOnce(client, topic, 0, latest);
  assert.equal(atEnd.errorCode, 0);
  assert.equal(atEnd.records?.length ?? 0, 0);
  const answer = await produce(client, topic, 0, batchOf("fresh", 0, Date.now()));
  assert.equal(answer.errorCode, 0);
  assert.equal(answer.baseOffset, latest);
  const fresh = await readPartition(client, topic, 0, latest);
  assert.equal(fresh.length, RECORDS_PER_BATCH);
  assert.equal(fresh[0]!.key?.toString(), "fresh-0");
});

test("segment.bytes below 1 MiB is refused, as in Kafka 4", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "weir-retention-"));
  try {
    let started: TestBroker | undefined;
    await assert.rejects(async () => {
      started = await startTestBroker({ dataDir, config: { "log.segment.bytes": "14" } });
    }, /segment\.bytes/);
    await started?.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
