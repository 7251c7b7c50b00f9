import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { checkLogDir, ensureTopic, readPartition, within } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import {
  type BrokerProcess,
  freePort,
  killAllBrokerProcesses,
  launcher,
  spawnBroker,
} from "./broker-process.js";

/*
 * Durability across crashes: a broker in a child process is SIGKILLed while a kafkajs producer
 * (acks=-1) is sending; after each restart every acknowledged message must be where its
 * acknowledgement said, exactly once. And SIGTERM must exit 0 after a clean shutdown.
 */

const TOPIC = "durable";
const PARTITIONS = 3;
const ROUNDS = 3;
/** Acknowledged messages per round before the kill (the producer keeps sending past it). */
const ACKED_BEFORE_KILL = 1500;
const LANES = 4;
const MESSAGES_PER_SEND = 20;

const dirs: string[] = [];

after(() => {
  killAllBrokerProcesses();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "weir-restart-"));
  dirs.push(dir);
  return dir;
}

/** The partition of a key: a fixed function the test knows (kafkajs' default would do as well). */
function partitionOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return (h >>> 0) % PARTITIONS;
}

interface Acked {
  readonly partition: number;
  readonly offset: number;
}

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({
    clientId: "weir-restart-test",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 15_000,
    // No retries anywhere: a message is acknowledged by its first and only attempt, so a value
    // can be in the log at most once unless the broker duplicates it.
    retry: { retries: 0 },
  });
}

async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    retry: { retries: 0 },
    createPartitioner:
      () =>
      ({ message }) =>
        partitionOf(String(message.key)),
  });
  await producer.connect();
  return producer;
}

/**
 * Sends from LANES concurrent loops, recording every acknowledged value with its offset, until a
 * send fails (the broker is gone). Calls `onAcked` after each acknowledgement with the round's total.
 */
async function produceUntilFailure(
  producer: Producer,
  tag: string,
  acked: Map<string, Acked>,
  onAcked: (total: number) => void,
): Promise<{ acked: number; firstError: unknown }> {
  let total = 0;
  let firstError: unknown;
  let stop = false;
  const lane = async (laneId: number) => {
    for (let seq = 0; !stop; seq++) {
      const messages = Array.from({ length: MESSAGES_PER_SEND }, (_, i) => {
        const n = seq * MESSAGES_PER_SEND + i;
        return { key: `key-${laneId}-${n % 37}`, value: `${tag}-lane${laneId}-${n}` };
      });
      let metadata: Awaited<ReturnType<Producer["send"]>>;
      try {
        metadata = await producer.send({ topic: TOPIC, acks: -1, timeout: 15_000, messages });
      } catch (err) {
        firstError ??= err;
        stop = true;
        return;
      }
      // kafkajs keeps each partition's messages in send order in one batch: offsets follow the base.
      const next = new Map<number, number>();
      for (const m of metadata) {
        assert.equal(m.errorCode, 0);
        next.set(m.partition, Number(m.baseOffset));
      }
      for (const m of messages) {
        const partition = partitionOf(m.key);
        const offset = next.get(partition);
        assert.ok(offset !== undefined, `no acknowledgement for partition ${partition}`);
        next.set(partition, offset + 1);
        assert.ok(!acked.has(m.value), `value ${m.value} acknowledged twice`);
        acked.set(m.value, { partition, offset });
      }
      total += messages.length;
      onAcked(total);
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
  return { acked: total, firstError };
}

/** Every acknowledged value is in the log exactly once, at its acknowledged offset. */
async function verify(bootstrap: string, acked: ReadonlyMap<string, Acked>, context: string): Promise<void> {
  const client = await RawKafkaClient.connect(bootstrap);
  try {
    const byPartition: Map<number, string>[] = [];
    const seen = new Map<string, number>();
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = new Map<number, string>();
      const records = await within(readPartition(client, TOPIC, p, 0n), 60_000, `read ${TOPIC}-${p}`);
      let expected = 0;
      for (const r of records) {
        assert.equal(r.offset, expected, `${context}: ${TOPIC}-${p} offsets are dense from 0`);
        expected++;
        const value = r.value?.toString() ?? "";
        offsets.set(r.offset, value);
        seen.set(value, (seen.get(value) ?? 0) + 1);
      }
      byPartition.push(offsets);
    }
    let missing = 0;
    const problems: string[] = [];
    for (const [value, { partition, offset }] of acked) {
      const found = byPartition[partition]!.get(offset);
      if (found !== value) {
        missing++;
        if (problems.length < 10) {
          problems.push(`${value} acknowledged at ${partition}/${offset}, found ${found ?? "nothing"}`);
        }
      } else if (seen.get(value) !== 1) {
        problems.push(`${value} is in the log ${seen.get(value)} times`);
      }
    }
    assert.deepEqual(
      problems,
      [],
      `${context}: ${missing} of ${acked.size} acknowledged messages missing or moved`,
    );
  } finally {
    client.close();
  }
}

test(`acknowledged messages survive ${ROUNDS} SIGKILLs mid-stream (broker via ${launcher()})`, async (t) => {
  const dataDir = tempDir();
  const port = await freePort();
  const config = { "num.partitions": String(PARTITIONS), "auto.create.topics.enable": "true" };
  let broker: BrokerProcess = await spawnBroker({ dataDir, port, config });
  {
    const client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      assert.equal(await ensureTopic(client, TOPIC, PARTITIONS), PARTITIONS);
    } finally {
      client.close();
    }
  }
  const acked = new Map<string, Acked>();
  for (let round = 1; round <= ROUNDS; round++) {
    const kafka = kafkaFor(broker.bootstrap);
    const producer = await connectProducer(kafka);
    let killed = false;
    const victim = broker;
    const result = await within(
      produceUntilFailure(producer, `r${round}`, acked, (total) => {
        if (!killed && total >= ACKED_BEFORE_KILL) {
          killed = true;
          // The other lanes are mid-request: their batches may or may not be on disk.
          victim.kill("SIGKILL");
        }
      }),
      120_000,
      `round ${round}: producing until the broker dies`,
    );
    await producer.disconnect().catch(() => {});
    const exit = await within(victim.exited, 10_000, "SIGKILLed broker exits");
    assert.equal(
      exit.signal,
      "SIGKILL",
      `round ${round}: the broker died of the kill, not before:\n${victim.output()}`,
    );
    assert.ok(killed, `round ${round}: producing stopped before the kill: ${String(result.firstError)}`);
    t.diagnostic(
      `round ${round}: ${result.acked} acknowledged before and during the kill; ${acked.size} in total`,
    );

    broker = await spawnBroker({ dataDir, port, config });
    await verify(broker.bootstrap, acked, `after SIGKILL ${round}`);
  }

  broker.kill("SIGTERM");
  const exit = await within(broker.exited, 30_000, "SIGTERM shutdown");
  assert.deepEqual(exit, { code: 0, signal: null }, broker.output());
  // The files themselves: whole batches with valid CRCs, offsets without gaps.
  for (let p = 0; p < PARTITIONS; p++) {
    const summary = checkLogDir(join(dataDir, `${TOPIC}-${p}`));
    assert.ok(summary.batches > 0);
  }
});

test(`SIGTERM mid-stream shuts down cleanly (exit 0) and a restart finds the data (broker via ${launcher()})`, async (t) => {
  const dataDir = tempDir();
  const port = await freePort();
  const config = { "num.partitions": String(PARTITIONS) };
  const first = await spawnBroker({ dataDir, port, config });
  {
    const client = await RawKafkaClient.connect(first.bootstrap);
    try {
      await ensureTopic(client, TOPIC, PARTITIONS);
    } finally {
      client.close();
    }
  }
  const acked = new Map<string, Acked>();
  const producer = await connectProducer(kafkaFor(first.bootstrap));
  let stopping = false;
  const result = await within(
    produceUntilFailure(producer, "term", acked, (total) => {
      if (!stopping && total >= 500) {
        stopping = true;
        first.kill("SIGTERM");
      }
    }),
    120_000,
    "producing until the broker stops",
  );
  await producer.disconnect().catch(() => {});
  const exit = await within(first.exited, 30_000, "SIGTERM shutdown");
  assert.deepEqual(exit, { code: 0, signal: null }, first.output());
  t.diagnostic(`${result.acked} acknowledged before the broker stopped`);
  // A clean shutdown leaves no torn tails: every segment holds whole, valid batches.
  for (const name of readdirSync(dataDir).filter((n) => n.startsWith(`${TOPIC}-`))) {
    checkLogDir(join(dataDir, name));
  }

  const second = await spawnBroker({ dataDir, port, config });
  try {
    await verify(second.bootstrap, acked, "after SIGTERM and restart");
  } finally {
    second.kill("SIGTERM");
    assert.deepEqual(await within(second.exited, 30_000, "second SIGTERM shutdown"), {
      code: 0,
      signal: null,
    });
  }
});
