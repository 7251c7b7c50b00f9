import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type RunningBroker, startBroker } from "@weir/broker";
import { kcat } from "./kcat.js";

let broker: RunningBroker;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "weir-compat-kcat-"));
  broker = await startBroker({ dataDir, port: 0, logLevel: "warn" });
});

after(async () => {
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** 100,000 distinct lines; every one of them must come back, byte for byte, in order. */
function messages(count: number, tag: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${tag}-${i.toString().padStart(6, "0")}-${"x".repeat(i % 97)}`);
  return lines;
}

async function consumeAll(topic: string, count: number, extra: string[] = []): Promise<string[]> {
  const res = await kcat(
    [
      "-C",
      "-b",
      broker.bootstrap,
      "-t",
      topic,
      "-o",
      "beginning",
      "-c",
      String(count),
      "-e",
      "-q",
      "-D",
      "\n",
      ...extra,
    ],
    undefined,
    120_000,
  );
  assert.equal(res.code, 0, res.stderr);
  const text = res.stdout.toString("utf8");
  return text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
}

test("kcat -L lists the broker and topics", async () => {
  const produced = await kcat(["-P", "-b", broker.bootstrap, "-t", "listed-topic"], "one\n");
  assert.equal(produced.code, 0, produced.stderr);
  const res = await kcat(["-L", "-b", broker.bootstrap, "-J"]);
  assert.equal(res.code, 0, res.stderr);
  const metadata = JSON.parse(res.stdout.toString());
  assert.equal(metadata.brokers.length, 1);
  assert.equal(metadata.brokers[0].id, 1);
  assert.equal(metadata.brokers[0].name, `${broker.host}:${broker.port}`);
  const topic = metadata.topics.find((t: { topic: string }) => t.topic === "listed-topic");
  assert.ok(topic, "auto-created topic is listed");
  assert.equal(topic.partitions.length, 1);
  assert.equal(topic.partitions[0].leader, 1);
});

test("kcat produces 100,000 messages with acks=all and consumes them back byte for byte", async () => {
  const lines = messages(100_000, "all");
  const produced = await kcat(
    ["-P", "-b", broker.bootstrap, "-t", "kcat-acks-all", "-p", "0", "-X", "acks=all", "-X", "linger.ms=5"],
    `${lines.join("\n")}\n`,
    120_000,
  );
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await consumeAll("kcat-acks-all", lines.length);
  assert.equal(consumed.length, lines.length);
  assert.deepEqual(consumed, lines);
});

test("kcat idempotent producer with every compression codec", async () => {
  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"]) {
    const topic = `kcat-idempotent-${codec}`;
    const lines = messages(5_000, codec);
    const produced = await kcat(
      [
        "-P",
        "-b",
        broker.bootstrap,
        "-t",
        topic,
        "-X",
        "enable.idempotence=true",
        "-X",
        `compression.codec=${codec}`,
      ],
      `${lines.join("\n")}\n`,
    );
    assert.equal(produced.code, 0, `${codec}: ${produced.stderr}`);
    assert.doesNotMatch(produced.stderr, /ERROR|fatal/i, codec);
    assert.deepEqual(await consumeAll(topic, lines.length), lines, codec);
  }
});
