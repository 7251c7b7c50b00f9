// 6. Resources and scale: broker RSS idle (no topics, 100 topics) and under load (sampled during
// the ingest section); 10,000 partitions on one broker (create time, one message to each,
// restart-to-serving time); 1,000 idle connections (memory per connection, a request's latency
// while they are open).
import { spawnSync } from "node:child_process";
import { ApiKey, buildRecordBatch } from "@weir/protocol";
import { WeirBroker } from "../lib/broker.mjs";
import { sleep } from "../lib/proc.mjs";
import { median, round } from "../lib/stats.mjs";
import { makeValues } from "../lib/values.mjs";
import { createTopics, metadata, WireConnection } from "../lib/wire.mjs";

const MiB = 2 ** 20;
const PER_TOPIC = 1000;

async function steadyRss(broker, samples = 5) {
  const values = [];
  for (let i = 0; i < samples; i++) {
    await sleep(500);
    values.push(broker.rss());
  }
  return median(values);
}

function openFileLimits() {
  const read = (flag) =>
    Number(spawnSync("sh", ["-c", `ulimit ${flag}`], { encoding: "utf8" }).stdout.trim());
  const parse = (v) => (Number.isFinite(v) ? v : Number.POSITIVE_INFINITY);
  return { soft: parse(read("-Sn")), hard: parse(read("-Hn")) };
}

/** Whether this process may raise its children's open-file limit to `n` (root without a container's cap may not). */
const canRaiseOpenFiles = (n) => spawnSync("sh", ["-c", `ulimit -n ${n}`], { stdio: "ignore" }).status === 0;

/** Errors a client retries: the partition's leader is not (yet) there. */
const RETRIABLE = new Set([3, 5, 6]);

/**
 * Produces one 1 KiB record to every partition of `topic`, in requests of 1,000 partitions;
 * partitions answering a retriable error (a leader not elected yet) are retried, as clients do,
 * for up to `timeoutMs`.
 */
async function produceToEach(conn, topic, partitions, timeoutMs = 120_000) {
  const batch = buildRecordBatch([{ key: null, value: makeValues(1)[0], timestamp: Date.now() }]);
  const deadline = performance.now() + timeoutMs;
  let todo = Array.from({ length: partitions }, (_, i) => i);
  for (;;) {
    const requests = [];
    for (let first = 0; first < todo.length; first += 1000) {
      const indexes = todo.slice(first, first + 1000);
      requests.push(
        conn.request(ApiKey.Produce, 9, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 120_000,
          topicData: [{ name: topic, partitionData: indexes.map((index) => ({ index, records: batch })) }],
        }),
      );
    }
    const retry = [];
    for (const response of await Promise.all(requests)) {
      for (const part of response.responses[0].partitionResponses) {
        if (part.errorCode === 0) continue;
        if (!RETRIABLE.has(part.errorCode) || performance.now() > deadline) {
          throw new Error(`produce to ${topic}-${part.index}: error ${part.errorCode}`);
        }
        retry.push(part.index);
      }
    }
    if (retry.length === 0) return;
    todo = retry;
    await sleep(50);
  }
}

async function idleMemory(suite) {
  suite.log(" idle broker memory");
  const broker = new WeirBroker({ label: "idle" });
  await broker.start();
  try {
    const empty = await steadyRss(broker);
    await createTopics(
      broker.conn,
      Array.from({ length: 100 }, (_, i) => ({ name: `idle-${i}`, partitions: 1 })),
    );
    await sleep(2000);
    const with100 = await steadyRss(broker);
    suite.log(`  RSS idle: ${round(empty / MiB)} MiB, with 100 topics: ${round(with100 / MiB)} MiB`);
    suite.row({ section: "resources", name: "broker RSS idle, no topics", unit: "MiB", value: empty / MiB });
    suite.row({
      section: "resources",
      name: "broker RSS idle, 100 topics (1 partition each)",
      unit: "MiB",
      value: with100 / MiB,
      key: "rssIdle100",
      note: "median of 5 samples, 0.5 s apart",
    });
    if (suite.shared.rssUnderLoad !== undefined) {
      suite.row({
        section: "resources",
        name: "broker RSS under load (peak, load generator, 1 partition, acks=1, default flush)",
        unit: "MiB",
        value: suite.shared.rssUnderLoad / MiB,
      });
      suite.row({
        section: "resources",
        name: "broker RSS under load (peak over every ingest configuration)",
        unit: "MiB",
        value: suite.shared.rssPeakIngest / MiB,
      });
    }
    await idleConnections(suite, broker);
  } finally {
    await broker.close();
  }
}

async function idleConnections(suite, broker) {
  const count = suite.opts.idleConnections;
  suite.log(` ${count} idle connections`);
  const results = await suite.repeat(
    `${count} connections`,
    async () => {
      const before = await steadyRss(broker, 3);
      const started = performance.now();
      const conns = [];
      for (let i = 0; i < count; i += 100) {
        const group = await Promise.all(
          Array.from({ length: Math.min(100, count - i) }, () => WireConnection.open(broker.port)),
        );
        await Promise.all(group.map((c) => c.request(ApiKey.ApiVersions, 3, {})));
        conns.push(...group);
      }
      const openMs = performance.now() - started;
      const after = await steadyRss(broker, 3);
      const latencies = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await metadata(broker.conn, null);
        latencies.push(performance.now() - t);
      }
      for (const c of conns) c.close();
      await sleep(500);
      return { perConnection: (after - before) / count, openMs, metadataMs: median(latencies), after };
    },
    (r) =>
      `${round(r.perConnection / 1024)} KiB per connection, opened in ${Math.round(r.openMs)} ms, Metadata ${round(r.metadataMs, 2)} ms`,
  );
  suite.row({
    section: "resources",
    name: `${count} idle connections: RSS per connection`,
    unit: "KiB",
    values: results.map((r) => r.perConnection / 1024),
  });
  suite.row({
    section: "resources",
    name: `${count} idle connections: broker RSS with them open`,
    unit: "MiB",
    values: results.map((r) => r.after / MiB),
  });
  suite.row({
    section: "resources",
    name: `${count} idle connections: time to open (and ApiVersions) all`,
    unit: "ms",
    values: results.map((r) => r.openMs),
  });
  suite.row({
    section: "resources",
    name: `${count} idle connections: Metadata request latency with them open`,
    unit: "ms",
    values: results.map((r) => r.metadataMs),
  });
}

async function manyPartitions(suite) {
  const wanted = suite.opts.partitionCount;
  // Every partition keeps its active segment's .log open (index files are opened only while
  // they are written), so many partitions need a higher open-file limit than a login shell gets
  // (Kafka's operations docs raise it too). Raise it for this broker when it is too low and we
  // may; when even the hard limit is too low, measure the most partitions that fit and say so.
  let n = wanted;
  let maxOpenFiles;
  let limitNote = "";
  const limits = openFileLimits();
  const needed = (count) => count + 4096;
  if (limits.soft < needed(wanted)) {
    const raiseTo = [Math.max(needed(wanted), 65_536), needed(wanted)].find(canRaiseOpenFiles);
    if (raiseTo !== undefined) {
      maxOpenFiles = raiseTo;
      limitNote = `; open-file limit raised from ${limits.soft} to ${raiseTo}`;
    } else {
      n = Math.max(PER_TOPIC, Math.floor((limits.hard - 4096) / PER_TOPIC) * PER_TOPIC);
      maxOpenFiles = limits.hard > limits.soft ? limits.hard : undefined;
      const reason = `${wanted} partitions need about ${needed(wanted)} open files (one per partition, plus connections) and this machine's hard limit is ${limits.hard} (raising it is not permitted here)`;
      suite.log(`  ${reason}: measuring ${n} partitions instead`);
      suite.skip("resources", `${wanted} partitions on one broker`, `${reason}; the rows below use ${n}`);
    }
  }
  suite.shared.partitionsMeasured = n;
  // One CreateTopics request per topic of at most 1,000 partitions: like Kafka, one request may not
  // make more than 10,000 metadata records.
  const topics = [];
  for (let i = 0; i * PER_TOPIC < n; i++) {
    topics.push({ name: `many-${i}`, partitions: Math.min(PER_TOPIC, n - i * PER_TOPIC) });
  }
  const shape = `${topics.length} topic${topics.length > 1 ? "s" : ""} of up to ${PER_TOPIC}${limitNote}`;
  suite.log(` ${n} partitions on one broker (${shape})`);
  const broker = new WeirBroker({ label: `partitions-${n}`, maxOpenFiles });
  try {
    await broker.start();
    let t = performance.now();
    for (const topic of topics) await createTopics(broker.conn, [topic], 600_000);
    const createMs = performance.now() - t;
    t = performance.now();
    await Promise.all(topics.map((topic) => produceToEach(broker.conn, topic.name, topic.partitions)));
    const produceMs = performance.now() - t;
    const rss = await steadyRss(broker, 3);
    suite.log(`  create ${Math.round(createMs)} ms, one message to each ${Math.round(produceMs)} ms`);
    suite.row({
      section: "resources",
      name: `${n} partitions (${shape}): CreateTopics time, all topics one after the other (single run)`,
      unit: "ms",
      value: createMs,
    });
    suite.row({
      section: "resources",
      name: `${n} partitions: produce one message to each (requests of 1,000 partitions; single run)`,
      unit: "ms",
      value: produceMs,
    });
    suite.row({ section: "resources", name: `${n} partitions: broker RSS`, unit: "MiB", value: rss / MiB });

    // Serving = Metadata lists every partition without error and a Produce to every partition succeeds.
    const serving = async (conn) => {
      const meta = await metadata(
        conn,
        topics.map((topic) => topic.name),
      );
      for (const [i, m] of meta.entries()) {
        if (
          m.errorCode !== 0 ||
          m.partitions.length !== topics[i].partitions ||
          m.partitions.some((p) => p.errorCode !== 0)
        ) {
          throw new Error("not serving yet");
        }
      }
      await Promise.all(topics.map((topic) => produceToEach(conn, topic.name, topic.partitions)));
    };
    const restarts = await suite.repeat(
      "restart",
      async () => {
        const shutdownMs = await broker.stop();
        const readyMs = await broker.start({ ready: serving });
        return { shutdownMs, readyMs };
      },
      (r) => `clean shutdown ${Math.round(r.shutdownMs)} ms, restart to serving ${Math.round(r.readyMs)} ms`,
      // The broker's first start, the creation of every partition and a produce to each warmed up.
      { warmup: false },
    );
    suite.row({
      section: "resources",
      name: `${n} partitions: restart to serving (spawn → Metadata complete and a Produce to every partition acknowledged)`,
      unit: "ms",
      values: restarts.map((r) => r.readyMs),
      key: "restartMs",
    });
    suite.row({
      section: "resources",
      name: `${n} partitions: clean shutdown (SIGTERM → exit)`,
      unit: "ms",
      values: restarts.map((r) => r.shutdownMs),
    });
  } finally {
    await broker.close();
  }
}

export async function runResources(suite) {
  suite.log("6. resources and scale");
  suite.context = "resources";
  await idleMemory(suite);
  await manyPartitions(suite);
}
