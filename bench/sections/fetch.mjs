// 3. Weir fetch: read a 1 GiB topic (1 partition, 16-record batches of 1 KiB values) from the
// beginning, from the page cache, with pre-encoded Fetch requests and with kcat (librdkafka).
import { WeirBroker } from "../lib/broker.mjs";
import { ensure } from "../lib/deps.mjs";
import { runCommand, runWorker } from "../lib/proc.mjs";
import { cpuNote, medianCpu, round } from "../lib/stats.mjs";
import { createTopics, endOffset } from "../lib/wire.mjs";

export async function runFetch(suite) {
  const { opts } = suite;
  const gib = opts.fetchBytes / 2 ** 30;
  suite.log(`3. Weir fetch: reading a ${gib} GiB topic from the beginning`);
  const broker = new WeirBroker({ label: "fetch" });
  await broker.start();
  try {
    const topic = "fetch";
    await createTopics(broker.conn, [{ name: topic, partitions: 1 }]);
    const requests = Math.ceil(opts.fetchBytes / (16 * 1024));
    const fill = await runWorker("produce-loadgen.mjs", {
      port: broker.port,
      topic,
      inflight: opts.inflight,
      requests,
    });
    const end = await endOffset(broker.conn, topic, 0);
    suite.log(`  filled ${end} records in ${round(fill.seconds, 1)} s (${round(fill.payloadMBps)} MB/s)`);
    const size = `${gib} GiB`;
    suite.context = "fetch";

    const results = await suite.repeat(
      "pre-encoded Fetch",
      async () => {
        const meter = broker.cpuMeter();
        const r = await runWorker("fetch-reader.mjs", {
          port: broker.port,
          topic,
          endOffset: end,
          partitionMaxBytes: opts.fetchPartitionMaxBytes,
        });
        if (r.records !== end) throw new Error(`read ${r.records} of ${end} records`);
        r.cpu = meter();
        return r;
      },
      (r) =>
        `${round(r.MBps)} MB/s, ${r.fetches} fetches, ${cpuNote(r.cpu)}, client CPU ${Math.round(r.clientCpu * 100)}%`,
    );
    suite.row({
      section: "fetch",
      name: `pre-encoded Fetch, ${size}, max.partition.fetch.bytes=${opts.fetchPartitionMaxBytes}`,
      unit: "MB/s",
      values: results.map((r) => r.MBps),
      key: "fetchMBps",
      note: cpuNote(medianCpu(results.map((r) => r.cpu))),
    });

    const missing = ensure(["kcat"], { install: opts.install, log: (m) => suite.log(m) });
    if (missing !== null) {
      suite.skip("fetch", `kcat, ${size}`, missing);
      return;
    }
    const kcat = await suite.repeat(
      "kcat",
      async () => {
        const meter = broker.cpuMeter();
        const args = ["-C", "-b", `127.0.0.1:${broker.port}`, "-t", topic, "-p", "0", "-o", "beginning"];
        args.push("-e", "-q", "-c", String(end));
        const r = await runCommand("kcat", args, { discardStdout: true });
        if (r.code !== 0) throw new Error(`kcat failed: ${r.stderr.slice(-500)}`);
        // Bytes as stored (batches), comparable with the pre-encoded reader's figure.
        return {
          MBps: (fill.batchBytes * requests) / r.seconds / 1e6,
          recordsPerSecond: end / r.seconds,
          cpu: meter(),
          seconds: r.seconds,
        };
      },
      (r) => `${round(r.MBps)} MB/s (${round(r.seconds, 2)} s), ${cpuNote(r.cpu)}`,
    );
    suite.row({
      section: "fetch",
      name: `kcat, ${size}`,
      unit: "MB/s",
      values: kcat.map((r) => r.MBps),
      key: "fetchKcatMBps",
      note: cpuNote(medianCpu(kcat.map((r) => r.cpu))),
    });
  } finally {
    await broker.close();
  }
}
