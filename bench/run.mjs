#!/usr/bin/env node
// Weir's benchmark suite: one command, one machine, one run. Measures the bare Node.js ceiling,
// Weir's ingest, fetch, end-to-end latency, peers (NATS JetStream, Redis Streams), resources and
// scale; prints one table, the targets (met or missed) and the ratios, and writes everything as
// JSON under bench/results/. Every figure is the median of --runs measured runs after a warm-up.
//
// usage: node bench/run.mjs [--quick] [--only s1,s2] [--skip s1,s2] [options]   (--help for all)
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { brokerDefaults } from "./lib/broker.mjs";
import { installCleanupHandlers, setTempBase } from "./lib/cleanup.mjs";
import { busyShare, loadAverage, machineInfo, othersShare } from "./lib/machine.mjs";
import { REPO_ROOT } from "./lib/proc.mjs";
import { printReport } from "./lib/report.mjs";
import { finishRun, runMain } from "./lib/results-file.mjs";
import { Suite } from "./lib/suite.mjs";
import { runCeiling } from "./sections/ceiling.mjs";
import { runFetch } from "./sections/fetch.mjs";
import { runIngest } from "./sections/ingest.mjs";
import { runLatency } from "./sections/latency.mjs";
import { runPeers } from "./sections/peers.mjs";
import { runResources } from "./sections/resources.mjs";

const SECTIONS = {
  ceiling: runCeiling,
  ingest: runIngest,
  fetch: runFetch,
  latency: runLatency,
  peers: runPeers,
  resources: runResources,
};

const HELP = `Usage: node bench/run.mjs [options]     (npm run bench -- [options])

Sections, in order: ${Object.keys(SECTIONS).join(", ")}

  --quick                    ~2-minute smoke run: short runs, smaller data, fewer configurations
  --only <s1,s2>             run only these sections
  --skip <s1,s2>             skip these sections
  --runs <n>                 measured runs per figure, after one warm-up (default 3)
  --duration <s>             seconds per throughput run (default 3; quick 1)
  --inflight <n>             requests in flight per load-generator connection (default 32)
  --kcat-messages <n>        messages per kcat produce run (default 200000; quick 50000)
  --fetch-gib <x>            size of the fetch topic in GiB (default 1; quick 0.25)
  --fetch-partition-max-bytes <n>  max.partition.fetch.bytes of the Fetch reader (default 1048576)
  --latency-duration <s>     measured seconds per latency run (default 3; quick 1)
  --latency-warmup <s>       unmeasured seconds at the start of each latency run (default 1; quick 0.5)
  --peer-messages <n>        messages per peer run (default 300000; quick 100000)
  --partitions <n>           partitions for the scale test (default 10000; quick 300)
  --connections <n>          idle connections (default 1000)
  --set <key=value>          broker property for every broker the suite starts (repeatable)
  --broker-node-options <s>  node options for the broker processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  --profile <dir>            shorthand: CPU-profile every broker into <dir> (node --cpu-prof);
                             summarize a profile with: node bench/profile-summary.mjs <file>
  --dir <dir>                where temp dirs (broker data) go (default: the OS temp dir; must be a real disk)
  --no-install               never apt-get install missing tools (kcat, go, nats, redis); skip instead
  --out <file>               JSON results file (default bench/results/<date>.json)
  -h, --help                 this help`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      skip: { type: "string" },
      runs: { type: "string" },
      duration: { type: "string" },
      inflight: { type: "string" },
      "kcat-messages": { type: "string" },
      "fetch-gib": { type: "string" },
      "fetch-partition-max-bytes": { type: "string" },
      "latency-duration": { type: "string" },
      "latency-warmup": { type: "string" },
      "peer-messages": { type: "string" },
      partitions: { type: "string" },
      connections: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
      "broker-node-options": { type: "string" },
      profile: { type: "string" },
      dir: { type: "string" },
      "no-install": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  const num = (name, normal, fast) => {
    const v = values[name] === undefined ? (quick ? fast : normal) : Number(values[name]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  const list = (s) => (s === undefined ? [] : s.split(",").map((x) => x.trim()));
  for (const s of [...list(values.only), ...list(values.skip)]) {
    if (!(s in SECTIONS))
      throw new Error(`unknown section '${s}' (sections: ${Object.keys(SECTIONS).join(", ")})`);
  }
  const only = list(values.only);
  const sections = Object.keys(SECTIONS).filter(
    (s) => (only.length === 0 || only.includes(s)) && !list(values.skip).includes(s),
  );
  const set = {};
  for (const kv of values.set) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new Error(`--set expects key=value, got '${kv}'`);
    set[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const nodeOptions = (values["broker-node-options"] ?? "").split(/\s+/).filter(Boolean);
  if (values.profile !== undefined) {
    mkdirSync(values.profile, { recursive: true });
    nodeOptions.push("--cpu-prof", `--cpu-prof-dir=${values.profile}`);
  }
  return {
    quick,
    sections,
    runs: Math.round(num("runs", 3, 3)),
    durationMs: num("duration", 3, 1) * 1000,
    inflight: Math.round(num("inflight", 32, 32)),
    kcatMessages: Math.round(num("kcat-messages", 200_000, 50_000)),
    fetchBytes: Math.round(num("fetch-gib", 1, 0.25) * 2 ** 30),
    fetchPartitionMaxBytes: Math.round(num("fetch-partition-max-bytes", 1_048_576, 1_048_576)),
    latencyDurationMs: num("latency-duration", 3, 1) * 1000,
    latencyWarmupMs: num("latency-warmup", 1, 0.5) * 1000,
    peerMessages: Math.round(num("peer-messages", 300_000, 100_000)),
    partitionCount: Math.round(num("partitions", 10_000, 300)),
    idleConnections: Math.round(num("connections", 1000, 1000)),
    brokerSet: set,
    brokerNodeOptions: nodeOptions,
    dir: values.dir,
    install: !values["no-install"],
    out: values.out,
  };
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${err.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (!existsSync(join(REPO_ROOT, "packages/cli/dist/src/main.js"))) {
    console.error("bench: the broker is not built; run `npm run build` first (npm run bench does).");
    process.exit(2);
  }
  installCleanupHandlers();
  if (opts.dir !== undefined) {
    mkdirSync(opts.dir, { recursive: true });
    setTempBase(opts.dir);
  }
  brokerDefaults.set = opts.brokerSet;
  brokerDefaults.nodeOptions = opts.brokerNodeOptions;

  const suite = new Suite(opts);
  const startedAt = new Date();
  const machine = machineInfo();
  const sample = async () => {
    const [busy, others] = await Promise.all([busyShare(1000), othersShare(1000)]);
    return { busyShare: busy, othersShare: others };
  };
  const first = await sample();
  suite.log(
    `Weir benchmark suite${opts.quick ? " (quick)" : ""}: ${opts.sections.join(", ")}; ${machine.cores} x ${machine.cpu}, Node ${machine.node}`,
  );
  if (first.othersShare > 0.15) {
    suite.log(
      `warning: other processes keep ${Math.round(first.othersShare * 100)}% of the CPUs busy; figures will be noisy (compare ratios from one run)`,
    );
  }
  const failures = [];
  const background = [{ before: opts.sections[0], ...first }];
  for (const name of opts.sections) {
    if (name !== opts.sections[0]) {
      // Nothing of ours runs now: other processes' CPU use is someone else's work (busyShare
      // also counts the kernel writing back our own data).
      background.push({ before: name, ...(await sample()) });
    }
    try {
      await SECTIONS[name](suite);
    } catch (err) {
      suite.log(`section ${name} failed: ${err.stack ?? err}`);
      failures.push({ section: name, error: String(err.message ?? err) });
    }
  }
  const finishedAt = new Date();
  const report = printReport(suite);
  console.log(
    `\nOther load, sampled for 1 s before each section while the suite was idle (other processes' CPU / all CPU busy incl. kernel writeback): ${background.map((b) => `${b.before} ${Math.round(b.othersShare * 100)}% / ${Math.round(b.busyShare * 100)}%`).join(", ")}`,
  );
  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    minutes: Math.round(((finishedAt - startedAt) / 60000) * 10) / 10,
    command: `node bench/run.mjs ${process.argv.slice(2).join(" ")}`.trim(),
    options: opts,
    machine: { ...machine, loadAverageAtEnd: loadAverage() },
    background,
    rows: suite.rows,
    targets: report.targets,
    ratios: report.ratios,
    skipped: suite.skipped,
    failures,
    windows: suite.windows,
  };
  finishRun(result, { out: opts.out, prefix: "", startedAt, failures });
}

runMain(main);
