import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildRecordBatch, readRecordBatches } from "@weir/protocol";
import { ReadBufferPool } from "../../src/storage/read-buffer-pool.js";
import { ensureTopic, fetchOnce, produce } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

describe("ReadBufferPool", () => {
  it("reuses released buffers for large reads and leaves small and oversized ones alone", () => {
    const pool = new ReadBufferPool(1024, 256, 2);
    const small = pool.acquire(100);
    assert.equal(small.pooled, false);
    assert.equal(small.buffer.length, 100);
    const huge = pool.acquire(2048);
    assert.equal(huge.pooled, false);
    assert.equal(huge.buffer.length, 2048);

    const a = pool.acquire(300);
    const b = pool.acquire(1024);
    assert.ok(a.pooled && b.pooled);
    assert.equal(a.buffer.length, 1024);
    assert.notEqual(a.buffer, b.buffer);
    pool.release(a.buffer);
    assert.equal(pool.acquire(500).buffer, a.buffer, "a released buffer is handed out again");
    pool.release(b.buffer);
    pool.release(a.buffer);
    pool.release(Buffer.allocUnsafe(1024));
    assert.equal(pool.free, 2, "no more than maxFree buffers are kept");
    pool.release(Buffer.allocUnsafe(512));
    assert.equal(pool.free, 2, "a buffer of another size is not taken");
  });
});

describe("Fetch with pooled read buffers", () => {
  let broker: TestBroker;
  let client: RawKafkaClient;
  const topic = "pooled-reads";
  const batches = 12;
  const recordsPerBatch = 8;
  const valueBytes = 24 * 1024;
  /** Every value differs, so a response carrying another response's bytes is caught. */
  const expectedValue = (batch: number, record: number) => Buffer.alloc(valueBytes, `${batch}:${record};`);

  before(async () => {
    broker = await startTestBroker();
    client = await RawKafkaClient.connect(broker.bootstrap);
    await ensureTopic(client, topic, 1);
    for (let b = 0; b < batches; b++) {
      const records = Array.from({ length: recordsPerBatch }, (_, r) => ({
        key: null,
        value: expectedValue(b, r),
        timestamp: Date.now(),
      }));
      const answer = await produce(client, topic, 0, buildRecordBatch(records), -1);
      assert.equal(answer.errorCode, 0);
    }
  });

  after(async () => {
    client?.close();
    await broker?.destroy();
  });

  it("pipelined fetches of large reads each get exactly their own bytes", async () => {
    // 60 fetches in flight on one connection, each reading 1-3 batches (~200-600 KiB: pooled
    // reads), at every batch boundary several times: buffers are reused between responses.
    const fetches = Array.from({ length: 60 }, (_, i) => {
      const firstBatch = i % batches;
      const maxBytes = (1 + (i % 3)) * recordsPerBatch * (valueBytes + 64);
      return {
        firstBatch,
        response: fetchOnce(client, topic, 0, BigInt(firstBatch * recordsPerBatch), { maxBytes }),
      };
    });
    for (const { firstBatch, response } of fetches) {
      const data = await response;
      assert.equal(data.errorCode, 0);
      const read = [...readRecordBatches(data.records ?? Buffer.alloc(0))];
      assert.ok(read.length >= 1, "at least one whole batch");
      read.forEach((batch, i) => {
        const b = firstBatch + i;
        assert.equal(batch.baseOffset, b * recordsPerBatch);
        [...batch.records()].forEach((record, r) => {
          assert.ok(record.value?.equals(expectedValue(b, r)), `value of batch ${b} record ${r}`);
        });
      });
    }
  });
});
