import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningBroker, startBroker } from "@weir/broker";
import { kcat } from "./kcat.js";

/**
 * librdkafka speaking the old protocol: with `api.version.request=false` it cannot ask the broker
 * what it serves and uses the feature set of `broker.version.fallback`. librdkafka 2.0.2 accepts
 * only 0.9.0 and 0.8.x there (anything from 0.10 on turns ApiVersions back on): 0.9.0 gives
 * Produce v1 / Fetch v1 with magic 0 message sets, 0.8.2 Produce v0 / Fetch v0, also magic 0 —
 * including its LZ4 framing with Kafka's old header checksum. Data goes both ways between those
 * clients and the record batch v2 path (kcat with ApiVersions).
 */

const MESSAGES = 1_000;
const LEGACY = [
  { fallback: "0.9.0", version: 1 },
  { fallback: "0.8.2", version: 0 },
] as const;
const CODECS = ["none", "gzip", "snappy", "lz4"] as const;

let broker: RunningBroker;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "weir-compat-kcat-legacy-"));
  broker = await startBroker({ dataDir, port: 0, logLevel: "warn" });
});

after(async () => {
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const legacyArgs = (fallback: string) => [
  "-X",
  "api.version.request=false",
  "-X",
  `broker.version.fallback=${fallback}`,
];

/** key:value lines with varied lengths and non-ASCII bytes; keys repeat, some are empty. */
function lines(tag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    out.push(`${i % 13 === 0 ? "" : `key-${i % 50}`}:${tag}-${i}-é✓-${"x".repeat((i * 7) % 300)}`);
  }
  return out;
}

async function produce(
  topic: string,
  input: string[],
  extra: string[],
  compression = "none",
): Promise<string> {
  const res = await kcat(
    [
      "-P",
      "-b",
      broker.bootstrap,
      "-t",
      topic,
      "-p",
      "0",
      "-K",
      ":",
      "-z",
      compression,
      "-d",
      "protocol",
      ...extra,
    ],
    `${input.join("\n")}\n`,
    120_000,
  );
  assert.equal(res.code, 0, res.stderr.slice(-3000));
  assert.doesNotMatch(res.stderr, /% ERROR|Delivery failed/, res.stderr.slice(-3000));
  return res.stderr;
}

async function consume(topic: string, extra: string[]): Promise<{ lines: string[]; debug: string }> {
  const res = await kcat(
    [
      "-C",
      "-b",
      broker.bootstrap,
      "-t",
      topic,
      "-p",
      "0",
      "-o",
      "beginning",
      "-c",
      String(MESSAGES),
      "-e",
      "-f",
      "%k:%s\n",
      "-d",
      "protocol",
      ...extra,
    ],
    undefined,
    120_000,
  );
  assert.equal(res.code, 0, res.stderr.slice(-3000));
  const text = res.stdout.toString("utf8");
  return { lines: text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n"), debug: res.stderr };
}

for (const { fallback, version } of LEGACY) {
  describe(`kcat with broker.version.fallback=${fallback} (Produce v${version}, Fetch v${version})`, () => {
    for (const codec of CODECS) {
      test(`${codec}: ${MESSAGES} messages produced and consumed byte for byte, also through v2 clients`, async () => {
        const topic = `kcat-legacy-${fallback}-${codec}`;
        const input = lines(`${fallback}-${codec}`);
        const produced = await produce(topic, input, legacyArgs(fallback), codec);
        assert.match(produced, new RegExp(`Sent ProduceRequest \\(v${version},`), "the old Produce version");
        assert.doesNotMatch(produced, /ApiVersionRequest/);

        const legacy = await consume(topic, legacyArgs(fallback));
        assert.match(legacy.debug, new RegExp(`Sent FetchRequest \\(v${version},`), "the old Fetch version");
        assert.deepEqual(legacy.lines, input);
        // The same data read by a modern client (record batch v2, Fetch v11+).
        const modern = await consume(topic, []);
        assert.match(modern.debug, /Sent FetchRequest \(v1[1-9],/);
        assert.deepEqual(modern.lines, input);
      });
    }

    test("record batches written by a modern producer (zstd, headers) are read as magic 0", async () => {
      const topic = `kcat-legacy-${fallback}-from-v2`;
      const input = lines(`v2-${fallback}`);
      await produce(topic, input, ["-H", "trace=1", "-X", "linger.ms=5"], "zstd");
      const legacy = await consume(topic, [...legacyArgs(fallback), "-X", "fetch.message.max.bytes=4096"]);
      assert.deepEqual(legacy.lines, input);
    });
  });
}
