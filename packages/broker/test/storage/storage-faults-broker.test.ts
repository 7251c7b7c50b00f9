import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import {
  ApiKey,
  buildRecordBatch,
  ErrorCode,
  isRecordBatchCrcValid,
  readRecordBatches,
} from "@weir/protocol";
import { type RunningBroker, startBroker } from "../../src/index.js";
import { ensureTopic, fetchOnce, produce } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { parseBatches } from "./record-batch-fixture.js";

/*
 * Storage failures seen through the wire: a log dir that fails takes only its partitions offline
 * (KAFKA_STORAGE_ERROR to clients, DescribeLogDirs reports the dir) while the other dir serves;
 * and a corrupt batch on disk is never fetched — the fetch fails (CORRUPT_MESSAGE) until the bad
 * bytes are quarantined, then readers continue past them.
 */

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "weir-storage-faults-"));
  roots.push(root);
  return root;
}

function start(logDirs: string[], config: Record<string, string> = {}): Promise<RunningBroker> {
  return startBroker({
    port: 0,
    logLevel: "silent",
    config: { "log.dirs": logDirs.join(","), "num.partitions": "4", ...config },
  });
}

function batchOf(values: string[]): Buffer {
  const now = Date.now();
  return buildRecordBatch(
    values.map((v) => ({ key: Buffer.from(v), value: Buffer.from(v), timestamp: now })),
  );
}

describe("several log dirs through the wire", () => {
  it("a log dir that fails to load is offline alone: its partitions answer KAFKA_STORAGE_ERROR, the rest serve", async () => {
    const root = tempRoot();
    const good = join(root, "good");
    const bad = join(root, "bad");
    let broker = await start([good, bad]);
    let client = await RawKafkaClient.connect(broker.bootstrap);
    assert.equal(await ensureTopic(client, "spread", 4), 4);
    for (let p = 0; p < 4; p++) {
      assert.equal((await produce(client, "spread", p, batchOf([`v${p}`]))).errorCode, ErrorCode.NONE);
    }
    client.close();
    await broker.close();
    const inBad = readdirSync(bad)
      .filter((n) => n.startsWith("spread-"))
      .map((n) => Number(n.slice("spread-".length)))
      .sort();
    const inGood = [0, 1, 2, 3].filter((p) => !inBad.includes(p));
    assert.equal(inBad.length, 2, "partitions spread over both dirs");

    // Break one log in the bad dir: its first segment becomes a directory (open fails with EISDIR).
    const victim = join(bad, `spread-${inBad[0]}`, "00000000000000000000.log");
    renameSync(victim, `${victim}.saved`);
    mkdirSync(victim);

    broker = await start([good, bad]);
    client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      const described = await client.send(ApiKey.DescribeLogDirs, 4, { topics: null });
      const byDir = new Map(described.results.map((r) => [r.logDir, r]));
      assert.equal(byDir.get(resolve(bad))?.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
      assert.equal(byDir.get(resolve(good))?.errorCode, ErrorCode.NONE);
      assert.deepEqual(
        byDir
          .get(resolve(good))
          ?.topics.find((t) => t.name === "spread")
          ?.partitions.map((p) => p.partitionIndex),
        inGood,
      );
      for (const p of inGood) {
        assert.equal((await produce(client, "spread", p, batchOf([`w${p}`]))).errorCode, ErrorCode.NONE);
        const data = await fetchOnce(client, "spread", p, 0n);
        assert.equal(data.errorCode, ErrorCode.NONE);
        assert.equal(data.highWatermark, 2n);
      }
      for (const p of inBad) {
        const answer = await produce(client, "spread", p, batchOf([`w${p}`]));
        assert.equal(answer.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, `produce to spread-${p}`);
        assert.equal((await fetchOnce(client, "spread", p, 0n)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
      }
      // The offline partitions were not started over anywhere else.
      assert.deepEqual(
        readdirSync(good).filter((n) => inBad.map((p) => `spread-${p}`).includes(n)),
        [],
      );
    } finally {
      client.close();
      await broker.close();
    }

    // Repaired and restarted: everything is back, nothing lost.
    rmSync(victim, { recursive: true });
    renameSync(`${victim}.saved`, victim);
    broker = await start([good, bad]);
    client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      for (const p of [0, 1, 2, 3]) {
        const data = await fetchOnce(client, "spread", p, 0n);
        assert.equal(data.errorCode, ErrorCode.NONE);
        assert.equal(data.highWatermark, inGood.includes(p) ? 2n : 1n, `spread-${p}`);
      }
    } finally {
      client.close();
      await broker.close();
    }
  });
});

describe("corruption through the wire", () => {
  it("never fetches a corrupt batch of an older segment; quarantines it and serves the rest", async () => {
    const root = tempRoot();
    const dataDir = join(root, "data");
    const config = { "log.segment.bytes": "1048576" };
    let broker = await start([dataDir], config);
    let client = await RawKafkaClient.connect(broker.bootstrap);
    await ensureTopic(client, "rot", 1);
    const value = "v".repeat(2000);
    for (let i = 0; i < 60; i++) {
      const batch = batchOf(Array.from({ length: 20 }, (_, j) => `${i}-${j}-${value}`));
      assert.equal((await produce(client, "rot", 0, batch)).errorCode, ErrorCode.NONE);
    }
    client.close();
    await broker.close();

    const dir = join(dataDir, "rot-0");
    const segments = readdirSync(dir)
      .filter((n) => /^\d{20}\.log$/.test(n))
      .sort();
    assert.ok(segments.length >= 2, "more than one segment");
    const first = join(dir, segments[0]!);
    const content = readFileSync(first);
    const victim = parseBatches(content)[5]!;
    content[victim.position + 100]! ^= 0x04;
    writeFileSync(first, content);

    broker = await start([dataDir], config);
    client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      let offset = 0n;
      let corruptAnswers = 0;
      let served = 0;
      for (let round = 0; round < 1000; round++) {
        const data = await fetchOnce(client, "rot", 0, offset, { maxBytes: 256 * 1024 });
        if (data.errorCode === ErrorCode.CORRUPT_MESSAGE) {
          assert.equal(offset, BigInt(victim.baseOffset), "the fetch fails exactly at the bad batch");
          corruptAnswers++;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        assert.equal(data.errorCode, ErrorCode.NONE);
        if (offset >= data.highWatermark) break;
        const bytes = data.records ?? Buffer.alloc(0);
        for (const batch of readRecordBatches(bytes)) {
          assert.ok(isRecordBatchCrcValid(batch.buffer, 0, batch.header.batchLength));
          assert.notEqual(batch.baseOffset, victim.baseOffset, "the corrupt batch is never served");
          served += batch.header.recordsCount;
          if (batch.nextOffset > Number(offset)) offset = BigInt(batch.nextOffset);
        }
      }
      assert.ok(corruptAnswers >= 1, "the reader saw the error before the quarantine");
      const quarantined = readdirSync(dir).filter((n) => n.endsWith(".corrupt"));
      assert.deepEqual(quarantined, [`${segments[0]}.${victim.position}.corrupt`]);
      // Everything outside the quarantined bytes was served.
      const lost = parseBatches(content.subarray(victim.position)).length;
      assert.equal(served, (60 - lost) * 20);
    } finally {
      client.close();
      await broker.close();
    }
  });
});
