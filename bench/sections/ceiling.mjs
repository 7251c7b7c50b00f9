// 1. The ceiling: the bare Node.js produce path (bench/workers/ceiling-server.mjs), driven by the
// same load generator, batches and in-flight bound as Weir. Two variants: acknowledge after the
// append (page cache), and after one fdatasync per socket read.
import { connect } from "node:net";
import { makeTempDir, removeTempDir } from "../lib/cleanup.mjs";
import { settle } from "../lib/machine.mjs";
import { freePort, runWorker, sleep, startWorker } from "../lib/proc.mjs";
import { round } from "../lib/stats.mjs";

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = connect({ port, host: "127.0.0.1" });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`ceiling server on port ${port} did not start`);
}

export async function runCeiling(suite) {
  const { opts } = suite;
  suite.log("1. ceiling: bare Node.js produce path (16 KiB batches of 1 KiB records)");
  for (const fsync of [false, true]) {
    const dir = makeTempDir("weir-bench-ceiling-");
    const port = await freePort();
    const server = startWorker("ceiling-server.mjs", { port, dir, fsync });
    server.result.catch(() => {});
    try {
      await waitForPort(port);
      const label = fsync ? "ceiling, fdatasync per read" : "ceiling, page cache";
      suite.context = "ceiling";
      const results = await suite.repeat(
        label,
        async () => {
          await settle();
          return runWorker("produce-loadgen.mjs", {
            port,
            mode: "ceiling",
            inflight: opts.inflight,
            durationMs: opts.durationMs,
          });
        },
        (r) => `${round(r.payloadMBps)} MB/s, ${Math.round(r.recordsPerSecond)} records/s`,
      );
      const key = fsync ? "ceilingFsync" : "ceiling";
      suite.row({
        section: "ceiling",
        name: `${label}: records/s`,
        unit: "records/s",
        values: results.map((r) => r.recordsPerSecond),
        key,
      });
      suite.row({
        section: "ceiling",
        name: `${label}: MB/s (1 KiB values)`,
        unit: "MB/s",
        values: results.map((r) => r.payloadMBps),
        key: `${key}MBps`,
      });
    } finally {
      server.child.kill("SIGTERM");
      await server.result.catch(() => {});
      removeTempDir(dir);
    }
  }
}
