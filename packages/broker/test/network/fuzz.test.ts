import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  ApiKey,
  type ApiKeyValue,
  type ApiMessages,
  BatchOffsets,
  buildRecordBatch,
  CompressionType,
  crc32c,
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponseBody,
  decodeResponseHeader,
  encodeRequestBody,
  encodeRequestHeader,
  isApiKey,
  RECORD_BATCH_OVERHEAD,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
  ZERO_UUID,
} from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";
import {
  checkLogDir,
  ensureTopic,
  LATEST,
  listOffset,
  produce,
  readPartition,
  within,
} from "./kafka-probes.js";

/*
 * Seeded fuzzing of the request path: frames captured from real clients (and a few encoded here)
 * are mutated and sent, many per write, over a few connections to one in-process broker. The
 * broker must never crash, must answer each connection with well-formed responses in request
 * order or close it, and must never write anything but whole, valid batches to its logs.
 *
 * Replay a failure with WEIR_FUZZ_SEED=<seed printed by the failure>; WEIR_FUZZ_CASES sets the
 * number of cases (default 10,000).
 */

const DEFAULT_SEED = 0x5eed_f00d;
const SEED = parseSeed(process.env.WEIR_FUZZ_SEED) ?? DEFAULT_SEED;
const CASES = Number(process.env.WEIR_FUZZ_CASES ?? 10_000);
const CONNECTIONS = 4;
const FRAMES_PER_WRITE = 32;
const MAX_REQUEST_BYTES = 256 * 1024;
/** A write neither answered nor closed within this long is a hang (generous: CI machines are slow). */
const STALL_MS = 20_000;
const TOPIC = "golden";

const GOLDEN_DIR = fileURLToPath(new URL("../../../../protocol/test/golden/frames/", import.meta.url));

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`WEIR_FUZZ_SEED must be an integer, not ${text}`);
  return n >>> 0;
}

/** mulberry32: a small, fast, seedable 32-bit generator; one seed drives every choice. */
class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

// ---------------------------------------------------------------------------------------------
// Seed frames

function encodeFrame<K extends ApiKeyValue>(
  apiKey: K,
  version: number,
  body: ApiMessages[K]["request"],
): Buffer {
  const w = new Writer();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: 0,
    clientId: "fuzz",
  });
  encodeRequestBody(apiKey, version, w, body);
  return w.toBuffer();
}

function seedFrames(): { name: string; frame: Buffer }[] {
  const seeds = readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(".bin"))
    .sort()
    .map((f) => ({ name: f, frame: readFileSync(join(GOLDEN_DIR, f)) }));
  assert.ok(seeds.length >= 6, `golden frames in ${GOLDEN_DIR}`);
  const now = 1_700_000_000_000;
  const records = [
    {
      key: Buffer.from("k1"),
      value: Buffer.from("v1"),
      timestamp: now,
      headers: [{ key: "h", value: Buffer.from("x") }],
    },
    { key: null, value: Buffer.from("second value"), timestamp: now + 1 },
    { key: Buffer.from("k3"), value: null, timestamp: now + 2 },
  ];
  const encoded: { name: string; frame: Buffer }[] = [
    {
      name: "Produce-v9",
      frame: encodeFrame(ApiKey.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: buildRecordBatch(records) }] }],
      }),
    },
    {
      name: "Produce-v3-gzip-acks1",
      frame: encodeFrame(ApiKey.Produce, 3, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [
          {
            name: TOPIC,
            partitionData: [
              { index: 0, records: buildRecordBatch(records, { compression: CompressionType.Gzip }) },
            ],
          },
        ],
      }),
    },
    {
      name: "Metadata-v12",
      frame: encodeFrame(ApiKey.Metadata, 12, {
        topics: [{ name: TOPIC, topicId: ZERO_UUID }],
        allowAutoTopicCreation: true,
        includeTopicAuthorizedOperations: false,
      }),
    },
    { name: "Metadata-v1-all", frame: encodeFrame(ApiKey.Metadata, 1, { topics: null }) },
    {
      name: "ListOffsets-v7",
      frame: encodeFrame(ApiKey.ListOffsets, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] },
        ],
      }),
    },
    {
      name: "OffsetForLeaderEpoch-v4",
      frame: encodeFrame(ApiKey.OffsetForLeaderEpoch, 4, {
        replicaId: -1,
        topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
      }),
    },
    {
      name: "Fetch-v12",
      frame: encodeFrame(ApiKey.Fetch, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 65536,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: TOPIC,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: 65536,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: "",
      }),
    },
  ];
  return [...seeds, ...encoded];
}

// ---------------------------------------------------------------------------------------------
// What the broker makes of a frame

/** api key -> [min, max] served, from the broker's own ApiVersions answer. */
let served = new Map<number, [number, number]>();

function isServed(apiKey: number, version: number): boolean {
  const range = served.get(apiKey);
  return range !== undefined && version >= range[0] && version <= range[1];
}

interface Decoded {
  readonly apiKey: ApiKeyValue;
  readonly version: number;
  readonly body: unknown;
}

/** Decodes a frame the way the broker does; undefined when the broker cannot (and will close). */
function decodeAsBroker(frame: Buffer): Decoded | undefined {
  if (frame.length < 8) return undefined;
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  if (!isApiKey(apiKey) || !isServed(apiKey, version)) return undefined;
  try {
    const r = new Reader(frame);
    decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
    return { apiKey, version, body: decodeRequestBody(apiKey, version, r) };
  } catch {
    return undefined;
  }
}

/**
 * APIs a mutated frame may turn into. Others are left out because their legitimate behaviour
 * would stall or reshape the run (group joins wait for rebalances; CreateTopics could ask for a
 * million partitions; DeleteTopics or AlterConfigs could delete the fuzzed topic's data).
 */
const ALLOWED: ReadonlySet<number> = new Set([
  ApiKey.Produce,
  ApiKey.Fetch,
  ApiKey.ListOffsets,
  ApiKey.Metadata,
  ApiKey.OffsetForLeaderEpoch,
  ApiKey.ApiVersions,
  ApiKey.DescribeConfigs,
  ApiKey.DescribeCluster,
  ApiKey.DescribeLogDirs,
  ApiKey.ListGroups,
  ApiKey.DescribeGroups,
]);

/** Whether the broker would legitimately take long over the frame, or it would leave the allowed APIs. */
function isOffLimits(frame: Buffer): boolean {
  const decoded = decodeAsBroker(frame);
  if (decoded === undefined) return false;
  if (!ALLOWED.has(decoded.apiKey)) return true;
  if (decoded.apiKey === ApiKey.Fetch) {
    const fetch = decoded.body as ApiMessages[typeof ApiKey.Fetch]["request"];
    return fetch.maxWaitMs > 100;
  }
  return false;
}

/** A produce with acks=0 that the broker accepts gets no response. */
function expectsNoResponse(frame: Buffer): boolean {
  const decoded = decodeAsBroker(frame);
  return decoded?.apiKey === ApiKey.Produce && (decoded.body as { acks: number }).acks === 0;
}

// ---------------------------------------------------------------------------------------------
// Mutations

interface FuzzCase {
  readonly index: number;
  readonly description: string;
  readonly frame: Buffer;
  /** A size prefix other than the frame's length: the case ends its write and the client hangs up. */
  readonly sizePrefix?: number;
}

const INTERESTING_16 = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, -0x8000, 0x100];
const INTERESTING_32 = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x10000, 0x1000000, 256];

type Mutation = (rng: Random, frame: Buffer, seeds: readonly Buffer[]) => [string, Buffer];

const MUTATIONS: readonly Mutation[] = [
  function bitFlips(rng, frame) {
    const out = Buffer.from(frame);
    const n = 1 + rng.int(8);
    for (let i = 0; i < n && out.length > 0; i++) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return [`flip ${n} bits`, out];
  },
  function byteReplacements(rng, frame) {
    const out = Buffer.from(frame);
    const n = 1 + rng.int(4);
    for (let i = 0; i < n && out.length > 0; i++) {
      out[rng.int(out.length)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, rng.int(256)]);
    }
    return [`replace ${n} bytes`, out];
  },
  function truncation(rng, frame) {
    const at = rng.int(frame.length);
    return [`truncate to ${at}`, frame.subarray(0, at)];
  },
  function extension(rng, frame) {
    const n = rng.chance(0.05) ? 1 + rng.int(32 * 1024) : 1 + rng.int(64);
    const fill = rng.chance(0.5) ? rng.bytes(n) : Buffer.alloc(n, rng.pick([0, 0xff, 0x41]));
    return [`extend by ${n}`, Buffer.concat([frame, fill])];
  },
  function lengthField(rng, frame) {
    // Find the fields that look like lengths (an int16/int32 no larger than the frame) and break one.
    const out = Buffer.from(frame);
    const candidates: [number, 2 | 4][] = [];
    for (let i = 8; i + 2 <= out.length; i++) {
      const v16 = out.readInt16BE(i);
      if (v16 > 0 && v16 <= out.length) candidates.push([i, 2]);
      if (i + 4 <= out.length) {
        const v32 = out.readInt32BE(i);
        if (v32 > 0 && v32 <= out.length) candidates.push([i, 4]);
      }
    }
    if (candidates.length === 0) return ["length field (none found)", out];
    const [at, width] = rng.pick(candidates);
    const old = width === 2 ? out.readInt16BE(at) : out.readInt32BE(at);
    const value = rng.chance(0.5)
      ? old + rng.pick([-2, -1, 1, 2, 100])
      : rng.pick(width === 2 ? INTERESTING_16 : INTERESTING_32);
    if (width === 2) out.writeInt16BE(((value + 0x8000) & 0xffff) - 0x8000, at);
    else out.writeInt32BE(value | 0, at);
    return [`int${width * 8} at ${at}: ${old} -> ${value}`, out];
  },
  function varintField(rng, frame) {
    // Compact (flexible) lengths are unsigned varints: write a long or overlong one somewhere.
    const at = 8 + rng.int(Math.max(1, frame.length - 8));
    const varint = rng.pick([
      [0x80, 0x80, 0x80, 0x80, 0x08],
      [0xff, 0xff, 0xff, 0xff, 0x0f],
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
      [0x00],
      [0x81, 0x01],
    ]);
    const out = Buffer.concat([frame.subarray(0, at), Buffer.from(varint), frame.subarray(at + 1)]);
    return [`varint ${Buffer.from(varint).toString("hex")} at ${at}`, out];
  },
  function splice(rng, frame, seeds) {
    const other = rng.pick(seeds);
    const a = rng.int(frame.length + 1);
    const b = rng.int(other.length + 1);
    return [`splice ${a} + other from ${b}`, Buffer.concat([frame.subarray(0, a), other.subarray(b)])];
  },
  function retarget(rng, frame) {
    // The body of one request read as another api or version the broker serves.
    const out = Buffer.from(frame);
    const keys = [...served.keys()];
    const apiKey = rng.pick(keys);
    const [min, max] = served.get(apiKey)!;
    const version = rng.chance(0.9) ? min + rng.int(max - min + 1) : max + 1 + rng.int(3);
    if (out.length >= 4) {
      out.writeInt16BE(apiKey, 0);
      out.writeInt16BE(version, 2);
    }
    return [`retarget to api ${apiKey} v${version}`, out];
  },
];

/** Where the record batch sits in a produce frame, so it can be changed with its CRC fixed. */
function batchSpan(frame: Buffer): { start: number; end: number } | undefined {
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  if (apiKey !== ApiKey.Produce) return undefined;
  const r = new Reader(frame);
  decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
  const body = decodeRequestBody(ApiKey.Produce, version, r);
  const records = body.topicData[0]?.partitionData[0]?.records;
  if (!records || records.length < RECORD_BATCH_OVERHEAD) return undefined;
  const start = records.byteOffset - frame.byteOffset;
  return { start, end: start + records.length };
}

const BATCH_FIELDS: readonly [string, number, 1 | 2 | 4 | 8][] = [
  ["attributes", BatchOffsets.attributes, 2],
  ["lastOffsetDelta", BatchOffsets.lastOffsetDelta, 4],
  ["baseTimestamp", BatchOffsets.baseTimestamp, 8],
  ["maxTimestamp", BatchOffsets.maxTimestamp, 8],
  ["producerId", BatchOffsets.producerId, 8],
  ["producerEpoch", BatchOffsets.producerEpoch, 2],
  ["baseSequence", BatchOffsets.baseSequence, 4],
  ["recordsCount", BatchOffsets.recordsCount, 4],
];

/**
 * Changes the record batch inside a produce frame and recomputes its CRC32C, so the broker's
 * checks past the CRC (header fields, timestamps, producer state, compression) get exercised.
 */
function mutateBatch(rng: Random, frame: Buffer, span: { start: number; end: number }): [string, Buffer] {
  const out = Buffer.from(frame);
  let what: string;
  if (rng.chance(0.6)) {
    const [name, offset, width] = rng.pick(BATCH_FIELDS);
    const at = span.start + offset;
    let value: bigint;
    if (name === "attributes")
      value = BigInt(rng.int(8) | (rng.chance(0.2) ? rng.pick([0x08, 0x10, 0x20, 0x40]) : 0));
    else if (width === 8) {
      const now = BigInt(Date.now());
      value = rng.pick([
        -1n,
        0n,
        1n,
        now,
        now + 86_400_000n,
        now - 86_400_000n * 365n,
        2n ** 62n,
        -(2n ** 63n),
      ]);
    } else {
      value = BigInt(rng.pick([-1, 0, 1, 2, 3, 100, 0x7fffffff, -0x80000000, rng.int(10)]));
    }
    if (width === 2) out.writeInt16BE(Number(BigInt.asIntN(16, value)), at);
    else if (width === 4) out.writeInt32BE(Number(BigInt.asIntN(32, value)), at);
    else out.writeBigInt64BE(BigInt.asIntN(64, value), at);
    what = `batch ${name} = ${value}`;
  } else {
    const from = span.start + RECORD_BATCH_OVERHEAD;
    const n = 1 + rng.int(4);
    for (let i = 0; i < n && from < span.end; i++) {
      out[from + rng.int(span.end - from)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, rng.int(256)]);
    }
    what = `batch records: ${n} bytes`;
  }
  out.writeUInt32BE(
    crc32c(out.subarray(span.start + BatchOffsets.attributes, span.end)),
    span.start + BatchOffsets.crc,
  );
  return [`${what} (CRC fixed)`, out];
}

function makeCase(rng: Random, index: number, seeds: readonly { name: string; frame: Buffer }[]): FuzzCase {
  const frames = seeds.map((s) => s.frame);
  const spans = new Map(seeds.map((s) => [s.frame, batchSpan(s.frame)] as const));
  for (;;) {
    const seed = rng.pick(seeds);
    let frame: Buffer = Buffer.from(seed.frame);
    const steps: string[] = [];
    let count = 1 + (rng.chance(0.3) ? rng.int(3) : 0);
    const span = spans.get(seed.frame);
    if (span !== undefined && rng.chance(0.4)) {
      const [what, out] = mutateBatch(rng, frame, span);
      steps.push(what);
      frame = out;
      count = rng.chance(0.7) ? 0 : 1;
    }
    for (let i = 0; i < count; i++) {
      const [what, out] = rng.pick(MUTATIONS)(rng, frame, frames);
      steps.push(what);
      frame = out;
    }
    if (isOffLimits(frame)) continue;
    let sizePrefix: number | undefined;
    if (rng.chance(0.03)) {
      sizePrefix = rng.chance(0.5)
        ? frame.length + rng.pick([-8, -4, -1, 1, 2, 50])
        : rng.pick([0, 1, 7, 0x7fffffff, -1, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES + 1, rng.int(0x7fffffff)]);
      steps.push(`size prefix ${sizePrefix}`);
    }
    return { index, description: `${seed.name}: ${steps.join(", ")}`, frame, sizePrefix };
  }
}

// ---------------------------------------------------------------------------------------------
// Sending

const failures: string[] = [];

function fail(what: string, cases: readonly FuzzCase[]): void {
  const detail = cases
    .map((c) => `  case ${c.index} (${c.description}): ${c.frame.subarray(0, 512).toString("hex")}`)
    .join("\n");
  failures.push(`${what}\n${detail}`);
}

/** Splits a byte stream into frames as the broker's decoder does (stopping at a bad size). */
function brokerFrames(stream: Buffer): { frame: Buffer; start: number }[] {
  const frames: { frame: Buffer; start: number }[] = [];
  let pos = 0;
  while (stream.length - pos >= 4) {
    const size = stream.readInt32BE(pos);
    if (size < 0 || size > MAX_REQUEST_BYTES || stream.length - pos - 4 < size) break;
    frames.push({ frame: stream.subarray(pos + 4, pos + 4 + size), start: pos });
    pos += 4 + size;
  }
  return frames;
}

function correlationIdOf(request: Buffer): number | undefined {
  return request.length >= 8 ? request.readInt32BE(4) : undefined;
}

let nextCorrelationId = 1;
let sentinelId = 0x7e000000;

function sentinelFrame(correlationId: number): Buffer {
  const w = new Writer();
  encodeRequestHeader(w, 2, {
    requestApiKey: ApiKey.ApiVersions,
    requestApiVersion: 3,
    correlationId,
    clientId: "fuzz-sentinel",
  });
  encodeRequestBody(ApiKey.ApiVersions, 3, w, { clientSoftwareName: "fuzz", clientSoftwareVersion: "1" });
  return w.toBuffer();
}

interface WriteOutcome {
  /** The sentinel came back: every case of the write was handled and the connection is open. */
  readonly completed: boolean;
  /** Index (in the write) of the last case whose bytes got an answer; -1 for none. */
  readonly lastAnswered: number;
}

/** One client connection driven by the fuzzer. */
class FuzzConnection {
  readonly #socket: Socket;
  #received: Buffer[] = [];
  #closed = false;
  #onChange: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#received.push(chunk);
      this.#onChange?.();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#closed = true;
      this.#onChange?.();
    });
  }

  static open(bootstrap: string): Promise<FuzzConnection> {
    const [host, port] = bootstrap.split(":");
    return new Promise((resolve, reject) => {
      const socket = netConnect(Number(port), host, () => {
        socket.off("error", reject);
        resolve(new FuzzConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Writes the cases (and a sentinel) in one write and checks what comes back. */
  async send(cases: readonly FuzzCase[]): Promise<WriteOutcome> {
    const parts: Buffer[] = [];
    const starts: number[] = [];
    let length = 0;
    let hangUp = false;
    for (const c of cases) {
      const frame = Buffer.from(c.frame);
      if (frame.length >= 8) frame.writeInt32BE(nextCorrelationId++ & 0x3fffffff, 4);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(c.sizePrefix ?? frame.length, 0);
      starts.push(length);
      parts.push(prefix, frame);
      length += 4 + frame.length;
      if (c.sizePrefix !== undefined) {
        hangUp = true;
        break;
      }
    }
    if (!hangUp) {
      const sentinel = sentinelFrame(sentinelId++);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(sentinel.length, 0);
      parts.push(prefix, sentinel);
    }
    const stream = Buffer.concat(parts);
    const expected = brokerFrames(stream);
    const caseOf = (start: number) => {
      let i = starts.length - 1;
      while (i > 0 && starts[i]! > start) i--;
      return i;
    };

    this.#received = [];
    let done!: () => void;
    const settled = new Promise<void>((resolve) => {
      done = resolve;
    });
    let buffer = Buffer.alloc(0);
    let next = 0; // index into expected of the next frame that may be answered
    let lastAnswered = -1;
    let completed = false;
    this.#onChange = () => {
      if (this.#received.length > 0) {
        buffer = Buffer.concat([buffer, ...this.#received]);
        this.#received = [];
      }
      while (buffer.length >= 4) {
        const size = buffer.readInt32BE(0);
        if (size < 4) {
          fail(`response size ${size} is too small`, cases);
          buffer = Buffer.alloc(0);
          this.destroy();
          break;
        }
        if (buffer.length < 4 + size) break;
        const response = buffer.subarray(4, 4 + size);
        buffer = buffer.subarray(4 + size);
        const correlationId = response.readInt32BE(0);
        let match = next;
        while (match < expected.length && correlationIdOf(expected[match]!.frame) !== correlationId) match++;
        if (match === expected.length) {
          fail(
            `response with correlation id ${correlationId} matches no request sent after the last answered one`,
            cases,
          );
          this.destroy();
          break;
        }
        for (let skipped = next; skipped < match; skipped++) {
          if (!expectsNoResponse(expected[skipped]!.frame)) {
            fail(
              `request ${skipped} of the write got no response, yet the one after it did (order or a lost answer)`,
              [cases[caseOf(expected[skipped]!.start)]!],
            );
          }
        }
        next = match + 1;
        checkResponse(expected[match]!.frame, response, [cases[caseOf(expected[match]!.start)]!]);
        if (!hangUp && match === expected.length - 1) {
          completed = true;
          done();
          return;
        }
        lastAnswered = caseOf(expected[match]!.start);
      }
      if (this.#closed) {
        if (buffer.length > 0)
          fail(`connection closed after a partial response of ${buffer.length} bytes`, cases);
        done();
      }
    };
    this.#socket.write(stream);
    if (hangUp) this.#socket.end();
    const timer = setTimeout(() => {
      fail(`no answer and no close within ${STALL_MS} ms`, cases);
      this.destroy();
    }, STALL_MS);
    await settled;
    clearTimeout(timer);
    this.#onChange = undefined;
    return { completed, lastAnswered };
  }
}

/** A response must decode as the answer to its request (KIP-511 answers ApiVersions at v0). */
function checkResponse(request: Buffer, response: Buffer, cases: readonly FuzzCase[]): void {
  const apiKey = request.readInt16BE(0);
  let version = request.readInt16BE(2);
  if (!isApiKey(apiKey)) {
    fail(`a response to unknown api key ${apiKey}`, cases);
    return;
  }
  if (apiKey === ApiKey.ApiVersions && !isServed(apiKey, version)) version = 0;
  try {
    const r = new Reader(response);
    decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    decodeResponseBody(apiKey, version, r);
    if (r.remaining() !== 0) throw new Error(`${r.remaining()} bytes after the response body`);
  } catch (err) {
    fail(`malformed response to api ${apiKey} v${version}: ${(err as Error).message}`, cases);
  }
}

// ---------------------------------------------------------------------------------------------

let broker: TestBroker;
const processFailures: string[] = [];
const onUncaught = (err: unknown) =>
  processFailures.push(`uncaughtException: ${(err as Error)?.stack ?? err}`);
const onUnhandled = (err: unknown) =>
  processFailures.push(`unhandledRejection: ${(err as Error)?.stack ?? err}`);

before(async () => {
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  broker = await startTestBroker({
    logLevel: "error",
    config: { "socket.request.max.bytes": String(MAX_REQUEST_BYTES) },
  });
  const client = await RawKafkaClient.connect(broker.bootstrap);
  try {
    await ensureTopic(client, TOPIC);
    const versions = await client.send(ApiKey.ApiVersions, 3, {
      clientSoftwareName: "fuzz",
      clientSoftwareVersion: "1",
    });
    served = new Map(
      versions.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion] as [number, number]]),
    );
  } finally {
    client.close();
  }
});

after(async () => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
  await broker?.destroy();
});

test(`fuzzed frames never crash the broker nor corrupt its log (seed ${SEED}, ${CASES} cases)`, async (t) => {
  const rng = new Random(SEED);
  const seeds = seedFrames();
  const cases: FuzzCase[] = [];
  for (let i = 0; i < CASES; i++) cases.push(makeCase(rng, i, seeds));

  const stats = { writes: 0, closes: 0, sent: 0 };
  const worker = async (slice: readonly FuzzCase[]) => {
    let i = 0;
    let connection: FuzzConnection | undefined;
    while (i < slice.length) {
      connection ??= await FuzzConnection.open(broker.bootstrap);
      const write: FuzzCase[] = [];
      for (let j = i; j < slice.length && write.length < FRAMES_PER_WRITE; j++) {
        write.push(slice[j]!);
        if (slice[j]!.sizePrefix !== undefined) break;
      }
      const outcome = await connection.send(write);
      stats.writes++;
      stats.sent += write.length;
      if (outcome.completed) {
        i += write.length;
        continue;
      }
      // Closed: the case after the last answered one is the likely cause; resend the rest.
      stats.closes++;
      connection.destroy();
      connection = undefined;
      i += Math.min(write.length, outcome.lastAnswered + 2);
    }
    connection?.destroy();
  };
  const slices = Array.from({ length: CONNECTIONS }, (_, w) =>
    cases.filter((c) => c.index % CONNECTIONS === w),
  );
  await Promise.all(slices.map(worker));
  t.diagnostic(
    `seed ${SEED}: ${CASES} cases, ${stats.sent} frames sent in ${stats.writes} writes, ${stats.closes} connections closed`,
  );

  const replay = `replay with WEIR_FUZZ_SEED=${SEED} WEIR_FUZZ_CASES=${CASES}`;
  assert.deepEqual(processFailures, [], `the broker process failed (${replay})`);
  assert.equal(
    failures.length,
    0,
    `${failures.length} protocol failures (${replay}); first ones:\n${failures.slice(0, 5).join("\n")}`,
  );

  // A well-behaved client still produces and consumes.
  const client = await RawKafkaClient.connect(broker.bootstrap);
  let highWatermark: bigint;
  try {
    const value = Buffer.from(`after fuzzing with seed ${SEED}`);
    const produced = await within(
      produce(
        client,
        TOPIC,
        0,
        buildRecordBatch([{ key: Buffer.from("after"), value, timestamp: Date.now() }]),
      ),
      10_000,
      "produce after fuzzing",
    );
    assert.equal(produced.errorCode, 0);
    const records = await readPartition(client, TOPIC, 0, produced.baseOffset);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]!.value, value);
    highWatermark = await listOffset(client, TOPIC, 0, LATEST);
  } finally {
    client.close();
  }

  // Every log holds only whole, valid batches; the fuzzed partition ends where its high watermark is.
  await broker.close();
  let logs = 0;
  for (const name of readdirSync(broker.dataDir)) {
    const dir = join(broker.dataDir, name);
    if (!statSync(dir).isDirectory() || !/-\d+$/.test(name) || name.startsWith("__cluster_metadata"))
      continue;
    const summary = checkLogDir(dir);
    logs++;
    if (name === `${TOPIC}-0`) {
      assert.equal(BigInt(summary.nextOffset), highWatermark, `${name}: log end vs high watermark`);
      t.diagnostic(`${name}: ${summary.batches} batches in ${summary.segments} segments`);
    }
  }
  t.diagnostic(`${logs} partition logs checked`);
});
