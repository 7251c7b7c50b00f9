import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiKey, type ProduceRequest, RECORD_BATCH_OVERHEAD, readRecordBatchHeader } from "@weir/protocol";
import kafkajs from "kafkajs";
import { Kafka } from "../../src/kafka.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { KafkaProxy } from "../support/kafka-proxy.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let proxy: KafkaProxy;
/** The record batch of every Produce request seen, by topic. */
const captured = new Map<string, Buffer[]>();

before(async () => {
  broker = await startTestBroker();
  proxy = await KafkaProxy.inFrontOf(broker.port, {
    request(req) {
      if (req.apiKey !== ApiKey.Produce) return undefined;
      for (const t of (req.body as ProduceRequest).topicData) {
        for (const p of t.partitionData) {
          if (p.records !== null)
            captured.set(t.name, [...(captured.get(t.name) ?? []), Buffer.from(p.records)]);
        }
      }
      return undefined;
    },
  });
});

after(async () => {
  await proxy.close();
  await broker.destroy();
});

const base = 1_710_000_000_000;
const MESSAGES = Array.from({ length: 40 }, (_, i) => ({
  key: i % 3 === 0 ? null : `key-${i}`,
  value: i % 5 === 0 ? `ünïcødé ${i} ✓` : "v".repeat(i * 37),
  headers: i % 2 === 0 ? { "trace-id": `t-${i}`, origin: "wire-test" } : undefined,
  timestamp: base + i * 3,
}));

describe("the same records on the wire as kafkajs", () => {
  it("writes byte-identical records for the same messages and timestamps (uncompressed, no idempotence)", async () => {
    const js = new kafkajs.Kafka({ brokers: [proxy.address], logLevel: kafkajs.logLevel.NOTHING });
    const jsProducer = js.producer({ allowAutoTopicCreation: true });
    await jsProducer.connect();
    await jsProducer.send({
      topic: "wire-kafkajs",
      acks: -1,
      messages: MESSAGES.map((m) => ({ ...m, partition: 0, timestamp: String(m.timestamp) })),
    });
    await jsProducer.disconnect();

    const kafka = new Kafka({ bootstrapServers: [proxy.address] });
    const producer = kafka.producer({ idempotent: false, lingerMs: 60_000, batchSize: 1 << 20 });
    const pending = producer.sendBatch(MESSAGES.map((m) => ({ ...m, topic: "wire-weir", partition: 0 })));
    await producer.flush();
    await pending;
    await producer.close();

    const [theirs] = captured.get("wire-kafkajs") ?? [];
    const [ours] = captured.get("wire-weir") ?? [];
    assert.ok(theirs && ours, "both batches captured");
    assert.equal(captured.get("wire-weir")?.length, 1, "one batch");
    const a = readRecordBatchHeader(theirs);
    const b = readRecordBatchHeader(ours);
    for (const field of [
      "recordsCount",
      "lastOffsetDelta",
      "baseTimestamp",
      "maxTimestamp",
      "attributes",
      "batchLength",
    ] as const) {
      assert.equal(b[field], a[field], field);
    }
    assert.deepEqual(ours.subarray(RECORD_BATCH_OVERHEAD), theirs.subarray(RECORD_BATCH_OVERHEAD));
  });
});
