// 2. Weir ingest: 1 KiB values, 1 and 12 partitions, acks=1 and acks=all, uncompressed and lz4,
// with the broker's default flush policy (fsync before acknowledging, by group commit); plus the
// page-cache policy (Kafka's default) for comparison with the no-fsync ceiling. Driven by
// (a) the pre-encoded load generator, (b) librdkafka through kcat, (c) the Weir client (once it exists).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PAGE_CACHE_POLICY, WeirBroker } from "../lib/broker.mjs";
import { makeTempDir, removeTempDir } from "../lib/cleanup.mjs";
import { ensure } from "../lib/deps.mjs";
import { settle } from "../lib/machine.mjs";
import { runCommand, runWorker } from "../lib/proc.mjs";
import { cpuNote, median, medianCpu, round } from "../lib/stats.mjs";
import { makeValues } from "../lib/values.mjs";
import { createTopics, deleteTopics, endOffset } from "../lib/wire.mjs";

export const POLICIES = {
  default: { label: "default flush (fsync before ack)", set: {} },
  pagecache: { label: "page-cache flush (Kafka's default)", set: PAGE_CACHE_POLICY },
};

class ClientMissing extends Error {}

const configKey = (c) => `${c.policy}:${c.partitions}:${c.acks}:${c.compression}`;
/** The configurations the (slower) Weir client runs on. */
const CLIENT_CONFIGS = new Set([
  "default:1:1:none",
  "default:12:1:none",
  "default:1:-1:none",
  "pagecache:1:1:none",
]);

export function configName({ policy, partitions, acks, compression }) {
  const p = `${partitions} partition${partitions > 1 ? "s" : ""}`;
  return `${p}, acks=${acks === -1 ? "all" : acks}, ${compression}, ${POLICIES[policy].label}`;
}

function configs(quick) {
  const list = [];
  for (const partitions of [1, 12])
    for (const acks of [1, -1])
      for (const compression of ["none", "lz4"])
        list.push({ policy: "default", partitions, acks, compression });
  list.push({ policy: "pagecache", partitions: 1, acks: 1, compression: "none" });
  list.push({ policy: "pagecache", partitions: 12, acks: 1, compression: "none" });
  const quickSet = new Set(["default:1:1:none", "default:1:1:lz4", "pagecache:1:1:none"]);
  return quick ? list.filter((c) => quickSet.has(configKey(c))) : list;
}

async function totalEnd(conn, topic, partitions) {
  let sum = 0;
  for (let p = 0; p < partitions; p++) sum += await endOffset(conn, topic, p);
  return sum;
}

/** Tracks a broker's peak RSS while something runs. */
function rssSampler(broker) {
  let peak = 0;
  const timer = setInterval(() => {
    const rss = broker.rss();
    if (rss > peak) peak = rss;
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export async function runIngest(suite) {
  const { opts } = suite;
  suite.log("2. Weir ingest (1 KiB values)");
  const kcatMissing = ensure(["kcat"], { install: opts.install, log: (m) => suite.log(m) });
  const dir = makeTempDir("weir-bench-kcat-");
  const input = join(dir, "values.txt");
  if (kcatMissing === null) {
    const values = makeValues(1000);
    const lines = [];
    for (let i = 0; i < opts.kcatMessages; i++) lines.push(values[i % values.length], "\n");
    writeFileSync(input, lines.join(""));
  }
  let peakRss = 0;
  let clientSkip = null;
  try {
    for (const config of configs(opts.quick)) {
      const name = configName(config);
      suite.log(` ${name}`);
      suite.context = `ingest ${configKey(config)}`;
      const broker = new WeirBroker({
        set: POLICIES[config.policy].set,
        label: `ingest-${configKey(config)}`,
      });
      await broker.start();
      const sampler = rssSampler(broker);
      let topicSeq = 0;
      const freshTopic = async () => {
        const topic = `ingest-${topicSeq++}`;
        await createTopics(broker.conn, [{ name: topic, partitions: config.partitions }]);
        return topic;
      };
      const dropTopic = async (topic) => {
        await deleteTopics(broker.conn, [topic]);
        await settle();
      };
      try {
        // (a) pre-encoded Produce requests
        const results = await suite.repeat(
          "load generator",
          async () => {
            const topic = await freshTopic();
            const meter = broker.cpuMeter();
            const r = await runWorker("produce-loadgen.mjs", {
              port: broker.port,
              topic,
              partitions: config.partitions,
              acks: config.acks,
              compression: config.compression,
              inflight: opts.inflight,
              durationMs: opts.durationMs,
            });
            r.cpu = meter();
            const stored = await totalEnd(broker.conn, topic, config.partitions);
            if (stored < r.records)
              throw new Error(`only ${stored} of ${r.records} acknowledged records stored`);
            await dropTopic(topic);
            return r;
          },
          (r) =>
            `${Math.round(r.recordsPerSecond)} records/s, ${round(r.payloadMBps)} MB/s, ${cpuNote(r.cpu)}, client CPU ${Math.round(r.clientCpu * 100)}%`,
        );
        const key = `ingest:${configKey(config)}`;
        const brokerCpu = medianCpu(results.map((r) => r.cpu));
        suite.row({
          section: "ingest",
          name: `load generator, ${name}`,
          unit: "records/s",
          values: results.map((r) => r.recordsPerSecond),
          key,
          note: cpuNote(brokerCpu),
          extra: {
            brokerCpu,
            MBps: results.map((r) => r.payloadMBps),
            wireBytesPerRequest: results[0].requestBytes,
          },
        });

        // (b) librdkafka through kcat
        if (kcatMissing !== null) {
          suite.skip("ingest", `kcat, ${name}`, kcatMissing);
        } else {
          const kcat = await suite.repeat(
            "kcat",
            async () => {
              const topic = await freshTopic();
              const args = ["-P", "-b", `127.0.0.1:${broker.port}`, "-t", topic];
              if (config.partitions === 1) args.push("-p", "0");
              args.push("-X", `acks=${config.acks === -1 ? "all" : config.acks}`);
              args.push("-X", `compression.codec=${config.compression}`, "-l", input);
              const r = await runCommand("kcat", args);
              if (r.code !== 0) throw new Error(`kcat failed: ${r.stderr.slice(-500)}`);
              const stored = await totalEnd(broker.conn, topic, config.partitions);
              if (stored !== opts.kcatMessages) {
                throw new Error(
                  `kcat: ${stored} of ${opts.kcatMessages} records stored (${r.stderr.slice(-300)})`,
                );
              }
              await dropTopic(topic);
              return { recordsPerSecond: opts.kcatMessages / r.seconds, seconds: r.seconds };
            },
            (r) => `${Math.round(r.recordsPerSecond)} records/s (${round(r.seconds, 2)} s)`,
          );
          suite.row({
            section: "ingest",
            name: `kcat, ${name}`,
            unit: "records/s",
            values: kcat.map((r) => r.recordsPerSecond),
            key: `kcat:${configKey(config)}`,
          });
        }

        // (c) the Weir client, with its own defaults (linger.ms 5, batch.size 16384), on a few configurations
        if (clientSkip === null && CLIENT_CONFIGS.has(configKey(config))) {
          const messages = Math.min(opts.kcatMessages, opts.quick ? 10_000 : 50_000);
          const clientRun = async () => {
            const topic = await freshTopic();
            const r = await runWorker("weir-client-produce.mjs", {
              port: broker.port,
              topic,
              partitions: config.partitions,
              acks: config.acks,
              compression: config.compression,
              messages,
            });
            if (r.skipped === undefined) {
              const stored = await totalEnd(broker.conn, topic, config.partitions);
              if (stored < messages) throw new Error(`Weir client: ${stored} of ${messages} records stored`);
            }
            await dropTopic(topic);
            return r;
          };
          try {
            const runs = await suite.repeat(
              "Weir client",
              async () => {
                const r = await clientRun();
                if (r.skipped !== undefined) throw new ClientMissing(r.skipped);
                return r;
              },
              (r) =>
                `${Math.round(r.recordsPerSecond)} records/s, client CPU ${Math.round(r.clientCpu * 100)}%`,
            );
            suite.row({
              section: "ingest",
              name: `Weir client (${messages} records), ${name}`,
              unit: "records/s",
              values: runs.map((r) => r.recordsPerSecond),
              key: `client:${configKey(config)}`,
              note: `client CPU ${Math.round(median(runs.map((r) => r.clientCpu)) * 100)}%`,
            });
          } catch (err) {
            clientSkip =
              err instanceof ClientMissing
                ? err.message
                : `the Weir client failed: ${err.message.slice(0, 300)}`;
          }
        }
      } finally {
        const peak = sampler.stop();
        if (
          config.policy === "default" &&
          config.partitions === 1 &&
          config.acks === 1 &&
          config.compression === "none"
        )
          suite.shared.rssUnderLoad = peak;
        peakRss = Math.max(peakRss, peak);
        await broker.close();
      }
    }
    if (clientSkip !== null) suite.skip("ingest", "Weir client (@weir/client producer)", clientSkip);
    suite.shared.rssPeakIngest = peakRss;
  } finally {
    removeTempDir(dir);
  }
}
