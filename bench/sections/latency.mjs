// 4. End-to-end latency, produce → consume, 1 partition, acks=1, 1 KiB values, at fixed rates
// (1k, 10k, 50k msg/s and half the maximum the load generator reached with the same policy), for
// the default flush policy and the page-cache policy. Producer and consumer are separate processes.
import { WeirBroker } from "../lib/broker.mjs";
import { settle } from "../lib/machine.mjs";
import { runWorker, sleep, startWorker } from "../lib/proc.mjs";
import { cpuNote, median, medianCpu, round } from "../lib/stats.mjs";
import { createTopics, deleteTopics } from "../lib/wire.mjs";
import { POLICIES } from "./ingest.mjs";

async function maxRate(suite, broker, policy) {
  const known = suite.shared[`ingest:${policy}:1:1:none`];
  if (known !== undefined) return known;
  const { opts } = suite;
  let seq = 0;
  const results = await suite.repeat(
    "maximum rate (load generator)",
    async () => {
      const topic = `max-${seq++}`;
      await createTopics(broker.conn, [{ name: topic, partitions: 1 }]);
      const r = await runWorker("produce-loadgen.mjs", {
        port: broker.port,
        topic,
        inflight: opts.inflight,
        durationMs: opts.durationMs,
      });
      await deleteTopics(broker.conn, [topic]);
      await settle();
      return r;
    },
    (r) => `${Math.round(r.recordsPerSecond)} records/s`,
  );
  return median(results.map((r) => r.recordsPerSecond));
}

export async function runLatency(suite) {
  const { opts } = suite;
  suite.log("4. end-to-end latency (produce → consume, 1 partition, acks=1)");
  for (const policy of ["default", "pagecache"]) {
    const broker = new WeirBroker({ set: POLICIES[policy].set, label: `latency-${policy}` });
    await broker.start();
    try {
      suite.context = `latency ${policy} max`;
      const max = await maxRate(suite, broker, policy);
      const half = Math.round(max / 2 / 1000) * 1000;
      suite.shared[`halfMax:${policy}`] = half;
      let seq = 0;
      const rates = [
        [1000, "1k msg/s"],
        [10_000, "10k msg/s"],
        [50_000, "50k msg/s"],
        [half, `half max (${round(half / 1000)}k msg/s)`],
      ];
      for (const [rate, label] of opts.quick ? rates.filter(([r]) => r === 10_000 || r === half) : rates) {
        suite.log(` ${POLICIES[policy].label}, ${label}`);
        suite.context = `latency ${policy} ${rate === half ? "half" : rate}`;
        const results = await suite.repeat(
          `${label}`,
          async () => {
            const topic = `latency-${seq++}`;
            await createTopics(broker.conn, [{ name: topic, partitions: 1 }]);
            const expected = Math.round((rate * (opts.latencyWarmupMs + opts.latencyDurationMs)) / 1000);
            const consumer = startWorker("latency-consumer.mjs", { port: broker.port, topic, expected });
            await sleep(200);
            const meter = broker.cpuMeter();
            const producer = await runWorker("latency-producer.mjs", {
              port: broker.port,
              topic,
              rate,
              durationMs: opts.latencyDurationMs,
              warmupMs: opts.latencyWarmupMs,
            });
            const r = await consumer.result;
            r.cpu = meter();
            r.producerLateMs = producer.lateMs;
            r.ackP50 = producer.ackP50;
            r.ackP99 = producer.ackP99;
            await deleteTopics(broker.conn, [topic]);
            await settle();
            return r;
          },
          (r) =>
            `p50 ${round(r.p50, 2)} ms, p99 ${round(r.p99, 2)} ms, p99.9 ${round(r.p999, 2)} ms, max ${round(r.max, 1)} ms (${r.samples} samples); produce acks p50 ${round(r.ackP50, 2)} ms, p99 ${round(r.ackP99, 2)} ms; ${cpuNote(r.cpu)}; producer up to ${round(r.producerLateMs, 1)} ms behind schedule`,
        );
        for (const [q, field] of [
          ["p50", "p50"],
          ["p99", "p99"],
          ["p99.9", "p999"],
        ]) {
          suite.row({
            section: "latency",
            name: `${POLICIES[policy].label}, ${label}: ${q}`,
            unit: "ms",
            values: results.map((r) => r[field]),
            key: `latency:${policy}:${rate === half ? "half" : rate}:${field}`,
            note:
              field === "p50"
                ? `produce ack p50 ${round(median(results.map((r) => r.ackP50)), 2)} ms / p99 ${round(median(results.map((r) => r.ackP99)), 2)} ms; ${cpuNote(medianCpu(results.map((r) => r.cpu)))}; producer behind schedule by up to ${round(median(results.map((r) => r.producerLateMs)), 1)} ms`
                : "",
          });
        }
      }
    } finally {
      await broker.close();
    }
  }
}
