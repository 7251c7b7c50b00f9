/**
 * Crash torture: a broker in a child process under continuous acks=all load from kafkajs —
 * several partitions of a plain topic, a compacted topic the log cleaner keeps rewriting, and
 * group offset commits — SIGKILLed again and again at moments a seeded generator picks (at a
 * random time, while a cleaned segment is being written or swapped in, right after a segment
 * roll), then restarted. After each kill, with the broker down, every segment file must pass a
 * full CRC scan (only the end of a partition's last segment may hold a torn write); after each
 * restart every acknowledged message must be in the log exactly once at its acknowledged offset
 * (on the compacted topic: there, or superseded by a later record of its key), every fetched
 * batch must pass its CRC, nothing may be quarantined, and the committed group offsets must be at
 * least the last acknowledged commit.
 *
 * The seed fixes the kill schedule and the load; the operating system's timing still varies, so
 * a replay reproduces the schedule, not every interleaving. Used by crash-torture.test.ts (CI)
 * and scripts/crash-torture.mjs (long runs).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiKey,
  ErrorCode,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  readRecordBatches,
  readRecordBatchHeader,
} from "@weir/protocol";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { ensureTopic, fetchOnce, within } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { type BrokerProcess, freePort, killAllBrokerProcesses, spawnBroker } from "./broker-process.js";

export const TOPIC = "torture";
export const COMPACTED = "torture-compacted";
const PARTITIONS = 3;
const COMPACTED_PARTITIONS = 2;
const COMPACTED_KEYS = 40;
const GROUP = "torture-group";
const MESSAGES_PER_SEND = 10;

export interface TortureOptions {
  readonly seed: number;
  readonly cycles: number;
  /** Where the broker keeps its data; a temporary directory (removed at the end) by default. */
  readonly dataDir?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface TortureResult {
  readonly seed: number;
  readonly cycles: number;
  /** Acknowledged messages, plain and compacted topic. */
  readonly acked: number;
  readonly ackedCompacted: number;
  /** Acknowledged offset commits. */
  readonly commits: number;
  /** Kills of each kind, and kills that left evidence of a cleaning or swap under way. */
  readonly kills: Readonly<Record<KillMode, number>>;
  readonly killsMidCleaning: number;
  /** Segment files and batches CRC-scanned after the kills, and torn tails found. */
  readonly segmentsScanned: number;
  readonly batchesScanned: number;
  readonly tornTails: number;
  readonly elapsedMs: number;
}

type KillMode = "random" | "cleaning" | "roll";

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed to use: WEIR_TORTURE_SEED when set (a replay), else a fresh one. */
export function tortureSeed(): number {
  const fromEnv = process.env.WEIR_TORTURE_SEED;
  if (fromEnv !== undefined && fromEnv !== "") {
    const seed = Number(fromEnv);
    if (!Number.isSafeInteger(seed)) throw new Error(`WEIR_TORTURE_SEED=${fromEnv} is not an integer`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

function partitionOf(key: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return (h >>> 0) % partitions;
}

interface Acked {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
}

const BROKER_CONFIG: Readonly<Record<string, string>> = {
  "auto.create.topics.enable": "false",
  "offsets.topic.num.partitions": "1",
  "group.initial.rebalance.delay.ms": "0",
  // Rolls many times a second under load; recovery points move often, so restarts mix the
  // fast path (segments below the recovery point) and full recovery.
  "log.roll.ms": "120",
  "log.flush.offset.checkpoint.interval.ms": "200",
  "log.cleaner.backoff.ms": "15",
  "log.cleaner.min.cleanable.ratio": "0.01",
  "log.segment.delete.delay.ms": "50",
};

async function createTopics(bootstrap: string): Promise<void> {
  const client = await RawKafkaClient.connect(bootstrap);
  try {
    const response = await client.send(ApiKey.CreateTopics, 7, {
      topics: [
        { name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] },
        {
          name: COMPACTED,
          numPartitions: COMPACTED_PARTITIONS,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: "cleanup.policy", value: "compact" },
            { name: "segment.ms", value: "80" },
            { name: "min.cleanable.dirty.ratio", value: "0.01" },
          ],
        },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    for (const t of response.topics)
      assert.equal(t.errorCode, ErrorCode.NONE, `create ${t.name}: ${t.errorMessage}`);
    await ensureTopic(client, TOPIC, PARTITIONS);
    await ensureTopic(client, COMPACTED, COMPACTED_PARTITIONS);
  } finally {
    client.close();
  }
}

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({
    clientId: "weir-crash-torture",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 15_000,
    // One attempt per send: a value is in the log at most once unless the broker duplicates it.
    retry: { retries: 0 },
  });
}

/** The load of one cycle: producer lanes and a committer, until the broker dies. */
class Load {
  readonly #stopped: Promise<unknown>;
  #stop = false;
  /** Set when the cycle stopped waiting for a lane: whatever it hears later is not recorded. */
  #abandoned = false;
  /** What each lane is waiting for (for a report when one hangs). */
  readonly waiting: string[] = [];
  acked = 0;
  ackedCompacted = 0;
  commits = 0;

  constructor(producer: Producer, commitClient: RawKafkaClient, tag: string, state: TortureState) {
    const lane = async (laneId: number, compacted: boolean) => {
      const topic = compacted ? COMPACTED : TOPIC;
      const partitions = compacted ? COMPACTED_PARTITIONS : PARTITIONS;
      const acked = compacted ? state.ackedCompacted : state.acked;
      for (let seq = 0; !this.#stop; seq++) {
        this.waiting[laneId] = `lane ${laneId}: send ${seq} to ${topic}`;
        const messages = Array.from({ length: MESSAGES_PER_SEND }, (_, i) => {
          const n = seq * MESSAGES_PER_SEND + i;
          const key = compacted ? `ck-${(n * 7 + laneId) % COMPACTED_KEYS}` : `key-${laneId}-${n % 37}`;
          return {
            key,
            value: `${tag}-${compacted ? "c" : "p"}${laneId}-${n}-${"x".repeat(compacted ? 180 : 60)}`,
          };
        });
        let metadata: Awaited<ReturnType<Producer["send"]>>;
        try {
          metadata = await producer.send({ topic, acks: -1, timeout: 15_000, messages });
        } catch {
          this.#stop = true;
          this.waiting[laneId] = `lane ${laneId}: done`;
          return;
        }
        if (this.#abandoned) return;
        const next = new Map<number, number>();
        for (const m of metadata) {
          assert.equal(m.errorCode, 0);
          next.set(m.partition, Number(m.baseOffset));
        }
        for (const m of messages) {
          const partition = partitionOf(m.key, partitions);
          const offset = next.get(partition);
          assert.ok(offset !== undefined, `no acknowledgement for ${topic}-${partition}`);
          next.set(partition, offset + 1);
          assert.ok(!acked.has(m.value), `value ${m.value} acknowledged twice`);
          acked.set(m.value, { partition, offset, key: m.key });
          const frontier = state.frontier;
          if (!compacted) frontier[partition] = Math.max(frontier[partition] ?? 0, offset + 1);
        }
        if (compacted) this.ackedCompacted += messages.length;
        else this.acked += messages.length;
      }
    };
    const committer = async () => {
      while (!this.#stop) {
        this.waiting[5] = "committer: commit";
        const offsets = [...state.frontier];
        try {
          // (A request on a closed connection would never settle.)
          if (commitClient.closed) throw new Error("connection closed");
          const response = await commitClient.send(ApiKey.OffsetCommit, 8, {
            groupId: GROUP,
            generationIdOrMemberEpoch: -1,
            memberId: "",
            groupInstanceId: null,
            topics: [
              {
                name: TOPIC,
                partitions: offsets.map((offset, p) => ({
                  partitionIndex: p,
                  committedOffset: BigInt(offset),
                  committedLeaderEpoch: -1,
                  committedMetadata: null,
                })),
              },
            ],
          });
          for (let p = 0; p < offsets.length; p++) {
            state.attemptedCommit[p] = Math.max(state.attemptedCommit[p]!, offsets[p]!);
          }
          if (this.#abandoned) return;
          if (response.topics[0]!.partitions.every((x) => x.errorCode === ErrorCode.NONE)) {
            for (let p = 0; p < offsets.length; p++) state.ackedCommit[p] = offsets[p]!;
            this.commits++;
          }
        } catch {
          // The broker died mid-request: the commit may or may not be durable.
          for (let p = 0; p < offsets.length; p++) {
            state.attemptedCommit[p] = Math.max(state.attemptedCommit[p]!, offsets[p]!);
          }
          this.#stop = true;
          this.waiting[5] = "committer: done";
          return;
        }
        this.waiting[5] = "committer: sleep";
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    this.#stopped = Promise.all([
      lane(0, false),
      lane(1, false),
      lane(2, false),
      lane(3, true),
      lane(4, true),
      committer(),
    ]);
  }

  /**
   * Resolves once every lane noticed the broker is gone, or after `ms` (a client library can take
   * long to give up a request): from then on nothing a lane hears is recorded.
   */
  async finished(ms: number): Promise<void> {
    this.#stop = true;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.#stopped.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), ms);
      }),
    ]);
    clearTimeout(timer);
    this.#abandoned = true;
    if (gaveUp) this.abandonedLanes = this.waiting.filter((w) => !w.endsWith("done")).join("; ");
  }

  abandonedLanes = "";
}

interface TortureState {
  readonly acked: Map<string, Acked>;
  readonly ackedCompacted: Map<string, Acked>;
  /** Per partition of TOPIC: the offset after the highest acknowledged message. */
  readonly frontier: number[];
  readonly ackedCommit: number[];
  readonly attemptedCommit: number[];
}

function partitionDirs(dataDir: string): string[] {
  return readdirSync(dataDir).filter((n) => /^(torture|torture-compacted|__consumer_offsets)-\d+$/.test(n));
}

/** Whether a cleaned segment is being written or swapped in (files on disk say so). */
function cleaningUnderWay(dataDir: string): boolean {
  for (let p = 0; p < COMPACTED_PARTITIONS; p++) {
    const dir = join(dataDir, `${COMPACTED}-${p}`);
    if (!existsSync(dir)) continue;
    if (readdirSync(dir).some((n) => n.endsWith(".cleaned") || n.endsWith(".swap"))) return true;
  }
  return false;
}

function segmentCount(dataDir: string): number {
  let n = 0;
  for (const name of partitionDirs(dataDir)) {
    n += readdirSync(join(dataDir, name)).filter((f) => /^\d{20}\.log$/.test(f)).length;
  }
  return n;
}

/**
 * The full CRC scan, with the broker down: every segment (and `.swap` segment) of every partition
 * holds whole v2 batches with valid CRCs and increasing offsets (dense on the plain topic), each
 * at or after its file's base offset; only the end of a partition's last segment may be torn.
 */
export function scanLogFiles(dataDir: string): { segments: number; batches: number; tornTails: number } {
  let segments = 0;
  let batches = 0;
  let tornTails = 0;
  for (const name of partitionDirs(dataDir)) {
    const dir = join(dataDir, name);
    const dense = new RegExp(`^${TOPIC}-\\d+$`).test(name);
    const files = readdirSync(dir);
    const logs = files.filter((f) => /^\d{20}\.log$/.test(f)).sort();
    assert.deepEqual(
      files.filter((f) => f.endsWith(".corrupt")),
      [],
      `${dir}: nothing may be quarantined`,
    );
    let expected = -1;
    const check = (file: string, last: boolean, ordered: boolean) => {
      const path = join(dir, file);
      const bytes = readFileSync(path);
      const base = Number(file.slice(0, 20));
      segments++;
      let pos = 0;
      while (pos < bytes.length) {
        const where = `${path} at byte ${pos}`;
        const torn = (why: string) => {
          assert.ok(last, `${where}: ${why} (not at the end of the partition's last segment)`);
          tornTails++;
        };
        if (bytes.length - pos < RECORD_BATCH_OVERHEAD) {
          torn("a partial batch header");
          break;
        }
        const header = readRecordBatchHeader(bytes, pos);
        const size = LOG_OVERHEAD + header.batchLength;
        if (header.magic !== 2 || size < RECORD_BATCH_OVERHEAD || pos + size > bytes.length) {
          torn("a torn or insane batch");
          break;
        }
        if (!isRecordBatchCrcValid(bytes, pos, header.batchLength)) {
          assert.ok(pos + size === bytes.length, `${where}: CRC32C mismatch`);
          torn("a bad last batch");
          break;
        }
        assert.ok(
          header.baseOffset >= base,
          `${where}: offset ${header.baseOffset} below the segment's base`,
        );
        if (ordered && expected >= 0) {
          if (dense) assert.equal(header.baseOffset, expected, `${where}: offsets not contiguous`);
          else assert.ok(header.baseOffset >= expected, `${where}: offsets go back`);
        }
        if (ordered) expected = header.baseOffset + header.lastOffsetDelta + 1;
        batches++;
        pos += size;
      }
    };
    for (const [i, file] of logs.entries()) check(file, i === logs.length - 1, true);
    for (const swap of files.filter((f) => /^\d{20}\.log\.swap$/.test(f))) check(swap, false, false);
  }
  return { segments, batches, tornTails };
}

interface FetchedRecord {
  readonly offset: number;
  readonly key: string;
  readonly value: string;
}

/** Reads a partition up to its high watermark, checking the CRC of every batch fetched. */
async function readAll(client: RawKafkaClient, topic: string, partition: number): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  let offset = 0n;
  for (;;) {
    const data = await fetchOnce(client, topic, partition, offset);
    assert.equal(data.errorCode, 0, `fetch ${topic}-${partition} at ${offset}: error ${data.errorCode}`);
    if (offset >= data.highWatermark) return out;
    const bytes = data.records ?? Buffer.alloc(0);
    const before = offset;
    // The reader checks each batch's CRC32C too (and throws); this says so explicitly.
    for (const batch of readRecordBatches(bytes, { verifyCrc: true })) {
      assert.ok(
        isRecordBatchCrcValid(batch.buffer, 0, batch.header.batchLength),
        `${topic}-${partition}: fetched a batch with a bad CRC`,
      );
      for (const r of batch.records()) {
        if (r.offset < offset || r.offset >= Number(data.highWatermark)) continue;
        out.push({ offset: r.offset, key: r.key?.toString() ?? "", value: r.value?.toString() ?? "" });
      }
      if (batch.nextOffset > Number(offset)) offset = BigInt(batch.nextOffset);
    }
    assert.ok(offset > before, `fetch ${topic}-${partition} at ${before} made no progress`);
  }
}

async function verify(bootstrap: string, state: TortureState, context: string): Promise<void> {
  const client = await RawKafkaClient.connect(bootstrap);
  try {
    const seen = new Set<string>();
    const unique = (value: string, where: string) => {
      assert.ok(!seen.has(value), `${context}: ${value} is in the log twice (${where})`);
      seen.add(value);
    };
    // The plain topic: dense offsets, every acknowledged value at its offset.
    const plain: Map<number, string>[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const records = await within(readAll(client, TOPIC, p), 60_000, `read ${TOPIC}-${p}`);
      const byOffset = new Map<number, string>();
      records.forEach((r, i) => {
        assert.equal(r.offset, i, `${context}: ${TOPIC}-${p} offsets are dense from 0`);
        unique(r.value, `${TOPIC}-${p}`);
        byOffset.set(r.offset, r.value);
      });
      plain.push(byOffset);
    }
    const problems: string[] = [];
    for (const [value, { partition, offset }] of state.acked) {
      const found = plain[partition]!.get(offset);
      if (found !== value && problems.length < 10) {
        problems.push(
          `${value} acknowledged at ${TOPIC}-${partition}@${offset}, found ${found ?? "nothing"}`,
        );
      }
    }
    // The compacted topic: an acknowledged record is at its offset, or a later record of its key
    // exists (the cleaner removed it); whatever is at an acknowledged offset is that record.
    for (let p = 0; p < COMPACTED_PARTITIONS; p++) {
      const records = await within(readAll(client, COMPACTED, p), 60_000, `read ${COMPACTED}-${p}`);
      const byOffset = new Map<number, FetchedRecord>();
      const latest = new Map<string, number>();
      let previous = -1;
      for (const r of records) {
        assert.ok(r.offset > previous, `${context}: ${COMPACTED}-${p} offsets increase`);
        previous = r.offset;
        unique(r.value, `${COMPACTED}-${p}`);
        byOffset.set(r.offset, r);
        latest.set(r.key, r.offset);
      }
      for (const [value, a] of state.ackedCompacted) {
        if (a.partition !== p) continue;
        const found = byOffset.get(a.offset);
        if (found !== undefined) {
          if (found.value !== value && problems.length < 10) {
            problems.push(`${value} acknowledged at ${COMPACTED}-${p}@${a.offset}, found ${found.value}`);
          }
        } else if ((latest.get(a.key) ?? -1) <= a.offset && problems.length < 10) {
          problems.push(
            `${value} (key ${a.key}) acknowledged at ${COMPACTED}-${p}@${a.offset} is gone, and no later record of its key`,
          );
        }
      }
    }
    assert.deepEqual(problems, [], `${context}: acknowledged messages missing or moved`);

    // Committed group offsets: at least the last acknowledged commit, at most the last attempted.
    const fetched = await client.send(ApiKey.OffsetFetch, 8, {
      groups: [
        {
          groupId: GROUP,
          memberId: null,
          memberEpoch: -1,
          topics: [{ name: TOPIC, partitionIndexes: Array.from({ length: PARTITIONS }, (_, p) => p) }],
        },
      ],
      requireStable: false,
    });
    const group = fetched.groups![0]!;
    assert.equal(group.errorCode, ErrorCode.NONE, `${context}: OffsetFetch`);
    for (const part of group.topics[0]?.partitions ?? []) {
      const p = part.partitionIndex;
      const committed = Number(part.committedOffset);
      assert.ok(
        committed >= state.ackedCommit[p]! &&
          committed <= Math.max(state.attemptedCommit[p]!, state.ackedCommit[p]!),
        `${context}: committed offset of ${TOPIC}-${p} is ${committed}; last acknowledged commit ${state.ackedCommit[p]}, last attempted ${state.attemptedCommit[p]}`,
      );
    }
  } finally {
    client.close();
  }
}

/** Polls `condition` every millisecond until it holds or `ms` pass; resolves whether it held. */
async function pollFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 1));
  }
  return false;
}

export async function runCrashTorture(options: TortureOptions): Promise<TortureResult> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "weir-torture-"));
  const started = Date.now();
  const port = await freePort();
  const state: TortureState = {
    acked: new Map(),
    ackedCompacted: new Map(),
    frontier: Array.from({ length: PARTITIONS }, () => 0),
    ackedCommit: Array.from({ length: PARTITIONS }, () => 0),
    attemptedCommit: Array.from({ length: PARTITIONS }, () => 0),
  };
  const kills: Record<KillMode, number> = { random: 0, cleaning: 0, roll: 0 };
  let commits = 0;
  let killsMidCleaning = 0;
  let segmentsScanned = 0;
  let batchesScanned = 0;
  let tornTails = 0;
  log(`crash torture: seed ${options.seed}, ${options.cycles} cycles, data in ${dataDir}`);
  let broker: BrokerProcess = await spawnBroker({ dataDir, port, config: BROKER_CONFIG });
  try {
    await createTopics(broker.bootstrap);
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const draw = random();
      const mode: KillMode = draw < 0.5 ? "random" : draw < 0.75 ? "cleaning" : "roll";
      const delayMs = Math.floor(60 + random() * 700);
      const producer = kafkaFor(broker.bootstrap).producer({
        allowAutoTopicCreation: false,
        idempotent: false,
        retry: { retries: 0 },
        createPartitioner:
          () =>
          ({ topic, message }) =>
            partitionOf(String(message.key), topic === COMPACTED ? COMPACTED_PARTITIONS : PARTITIONS),
      });
      await producer.connect();
      const commitClient = await RawKafkaClient.connect(broker.bootstrap);
      const load = new Load(producer, commitClient, `c${cycle}`, state);
      const victim = broker;

      // The moment: a random time, or the first sign of a cleaning or a roll after a random delay.
      await new Promise((r) => setTimeout(r, mode === "random" ? delayMs : delayMs / 4));
      if (mode === "cleaning") await pollFor(() => cleaningUnderWay(dataDir), 3000);
      if (mode === "roll") {
        const before = segmentCount(dataDir);
        await pollFor(() => segmentCount(dataDir) > before, 3000);
      }
      victim.kill("SIGKILL");
      kills[mode]++;
      const exit = await within(victim.exited, 10_000, "SIGKILLed broker exits");
      assert.equal(
        exit.signal,
        "SIGKILL",
        `cycle ${cycle}: the broker died of the kill, not before:\n${victim.output()}`,
      );
      await load.finished(20_000);
      if (load.abandonedLanes !== "") log(`cycle ${cycle}: stopped waiting for ${load.abandonedLanes}`);
      commitClient.close();
      await producer.disconnect().catch(() => {});
      commits += load.commits;
      const midCleaning = cleaningUnderWay(dataDir);
      if (midCleaning) killsMidCleaning++;

      const scan = scanLogFiles(dataDir);
      segmentsScanned += scan.segments;
      batchesScanned += scan.batches;
      tornTails += scan.tornTails;

      broker = await spawnBroker({ dataDir, port, config: BROKER_CONFIG });
      await verify(broker.bootstrap, state, `seed ${options.seed}, after kill ${cycle} (${mode})`);
      log(
        `cycle ${cycle}: killed (${mode}${midCleaning ? ", mid-cleaning" : ""}) after ${load.acked} + ${load.ackedCompacted} ` +
          `acknowledged, ${load.commits} commits; ${scan.segments} segments, ${scan.batches} batches scanned` +
          `${scan.tornTails > 0 ? `, ${scan.tornTails} torn tail(s)` : ""}; verified ${state.acked.size} + ${state.ackedCompacted.size}`,
      );
    }

    broker.kill("SIGTERM");
    const exit = await within(broker.exited, 30_000, "SIGTERM shutdown");
    assert.deepEqual(exit, { code: 0, signal: null }, broker.output());
    const final = scanLogFiles(dataDir);
    assert.equal(final.tornTails, 0, "a clean shutdown leaves no torn tail");
  } catch (err) {
    log(`crash torture failed with seed ${options.seed} (replay: WEIR_TORTURE_SEED=${options.seed})`);
    log(`the broker's data is kept in ${dataDir}; its last output:\n${broker.output().slice(-4000)}`);
    killAllBrokerProcesses();
    throw err;
  }
  killAllBrokerProcesses();
  if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  return {
    seed: options.seed,
    cycles: options.cycles,
    acked: state.acked.size,
    ackedCompacted: state.ackedCompacted.size,
    commits,
    kills,
    killsMidCleaning,
    segmentsScanned,
    batchesScanned,
    tornTails,
    elapsedMs: Date.now() - started,
  };
}
