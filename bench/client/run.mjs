#!/usr/bin/env node
// The client benchmark (`npm run bench:client`): the Weir client, kafkajs and @platformatic/kafka,
// each in its own process, produce and then consume --messages values of 1 KiB against a Weir
// broker in its own process (on a free port, with a temp data dir), with Weir's default flush
// policy (fsync before acks) and with Kafka's (acknowledge from the page cache), on 1 and 6
// partitions. Every figure is the median of --runs runs after one warm-up run. Prints one table
// with the ratios Weir/kafkajs and Weir/@platformatic/kafka and the targets, and writes JSON under
// bench/results/. Runs under Node 24 (@platformatic/kafka needs >= 22.22).
//
// usage: node bench/client/run.mjs [--messages N] [--runs N] [--quick] [options]   (--help for all)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { PAGE_CACHE_POLICY, WeirBroker } from "../lib/broker.mjs";
import { installCleanupHandlers, setTempBase } from "../lib/cleanup.mjs";
import { loadAverage, machineInfo, othersShare, settle } from "../lib/machine.mjs";
import { REPO_ROOT } from "../lib/proc.mjs";
import { finishRun, runMain } from "../lib/results-file.mjs";
import { median, round } from "../lib/stats.mjs";
import { createTopics, deleteTopics, endOffset } from "../lib/wire.mjs";
import { ClientProcess } from "./client-process.mjs";
import { ensureNode } from "./node-version.mjs";
import { HELP, parseOptions } from "./options.mjs";
import { POLICY_LABELS, printReport, ratios } from "./report.mjs";

const VALUE_SIZE = 1024;
const POLICY_SETTINGS = { default: {}, pagecache: PAGE_CACHE_POLICY };

const log = (message) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const int = (v) => Math.round(v).toLocaleString("en-US");

async function storedRecords(conn, topic, partitions) {
  let sum = 0;
  for (let p = 0; p < partitions; p++) sum += await endOffset(conn, topic, p);
  return sum;
}

/** Which code was measured: the commit, uncommitted changes under packages/, when the dists were built. */
function sourceState() {
  const git = (args) => spawnSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).stdout?.trim() ?? "";
  const built = (path) => {
    try {
      return statSync(join(REPO_ROOT, path)).mtime.toISOString();
    } catch {
      return null;
    }
  };
  return {
    commit: git(["rev-parse", "HEAD"]),
    uncommittedFilesUnderPackages: git(["status", "--porcelain", "--", "packages"])
      .split("\n")
      .filter(Boolean).length,
    clientDistBuiltAt: built("packages/client/dist/tsconfig.tsbuildinfo"),
    brokerDistBuiltAt: built("packages/broker/dist/tsconfig.tsbuildinfo"),
  };
}

/** One table row from the measured runs of one client, phase and configuration. */
function row(client, name, phase, policy, partitions, results, messages) {
  const perSecond = results.map((r) => messages / r.seconds);
  return {
    client,
    name,
    phase,
    policy,
    partitions,
    msgsPerSecond: median(perSecond),
    MBps: median(perSecond.map((v) => (v * VALUE_SIZE) / 1e6)),
    runs: perSecond,
    clientCpu: median(results.map((r) => r.clientCpu)),
    clientCpuUsPerMessage: median(results.map((r) => (r.clientCpuSeconds / messages) * 1e6)),
    brokerCpu: median(results.map((r) => r.brokerCpu)),
    totalSeconds: results.map((r) => r.totalSeconds),
  };
}

/** Warm-up plus the measured runs of one client on one broker and partition count. */
async function measureClient(ctx, client, policy, partitions) {
  const { opts, broker } = ctx;
  const label = `${client} ${policy} ${partitions}p`;
  const execArgv = [...opts.clientNodeOptions];
  if (opts.profile !== undefined)
    execArgv.push(`--cpu-prof-name=${client}-${policy}-${partitions}p.cpuprofile`);
  const proc = await ClientProcess.start(client, {
    options: {
      weirConsume: opts.weirConsume,
      weirBatchSize: opts.weirBatchSize,
      platformaticProduce: opts.platformaticProduce,
    },
    execArgv,
  });
  ctx.clients[client] = proc.info;
  const measured = { produce: [], consume: [] };
  const bootstrap = `127.0.0.1:${broker.port}`;
  try {
    for (let run = -1; run < opts.runs; run++) {
      const seq = ctx.seq++;
      const topic = `client-bench-${seq}`;
      await createTopics(broker.conn, [{ name: topic, partitions }]);
      await settle();
      let meter = broker.cpuMeter();
      const produced = await proc.request("produce", { bootstrap, topic, messages: opts.messages });
      produced.brokerCpu = meter().process;
      const stored = await storedRecords(broker.conn, topic, partitions);
      if (stored !== opts.messages)
        throw new Error(`${label}: ${stored} records stored, ${opts.messages} produced`);
      await settle();
      meter = broker.cpuMeter();
      const consumed = await proc.request("consume", {
        bootstrap,
        topic,
        messages: opts.messages,
        groupId: `client-bench-group-${seq}`,
      });
      consumed.brokerCpu = meter().process;
      if (consumed.bytes !== opts.messages * VALUE_SIZE)
        throw new Error(
          `${label}: consumed ${consumed.bytes} value bytes, expected ${opts.messages * VALUE_SIZE}`,
        );
      await deleteTopics(broker.conn, [topic]);
      log(
        `  ${label} ${run < 0 ? "warm-up" : `run ${run + 1}/${opts.runs}`}: produce ${int(opts.messages / produced.seconds)} msgs/s (client CPU ${Math.round(produced.clientCpu * 100)}%, broker ${Math.round(produced.brokerCpu * 100)}%), consume ${int(opts.messages / consumed.seconds)} msgs/s (client CPU ${Math.round(consumed.clientCpu * 100)}%, broker ${Math.round(consumed.brokerCpu * 100)}%; ${round(consumed.totalSeconds - consumed.seconds, 2)} s to the first record)`,
      );
      if (run < 0) continue;
      for (const [phase, result] of [
        ["produce", produced],
        ["consume", consumed],
      ]) {
        measured[phase].push(result);
        ctx.windows.push({
          label: `${phase} / ${client} / ${policy} / ${partitions}p`,
          run: run + 1,
          ...result.window,
        });
      }
    }
  } finally {
    await proc.close();
  }
  for (const phase of ["produce", "consume"]) {
    ctx.rows.push(row(client, proc.info.name, phase, policy, partitions, measured[phase], opts.messages));
  }
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`bench:client: ${err.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(HELP);
    process.exit(0);
  }
  await ensureNode();
  for (const built of ["packages/cli/dist/src/main.js", "packages/client/dist/src/index.js"]) {
    if (!existsSync(join(REPO_ROOT, built))) {
      console.error(
        `bench:client: ${built} is missing; run \`npm run build\` first (npm run bench:client does).`,
      );
      process.exit(2);
    }
  }
  installCleanupHandlers();
  if (opts.dir !== undefined) {
    mkdirSync(opts.dir, { recursive: true });
    setTempBase(opts.dir);
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const sourceAtStart = sourceState();
  const ctx = { opts, broker: null, rows: [], windows: [], clients: {}, seq: 0 };
  const background = [];
  const failures = [];
  log(
    `Weir client benchmark${opts.quick ? " (quick)" : ""}: ${opts.clients.join(", ")}; ${opts.messages} messages of ${VALUE_SIZE} bytes, ${opts.runs} runs after a warm-up; ${machine.cores} x ${machine.cpu}, Node ${process.version}`,
  );
  for (const policy of opts.policies) {
    log(`broker with flush policy: ${POLICY_LABELS[policy]}`);
    ctx.broker = new WeirBroker({
      set: { ...POLICY_SETTINGS[policy], "group.initial.rebalance.delay.ms": "0", ...opts.brokerSet },
      label: `client-bench-${policy}`,
    });
    try {
      await ctx.broker.start();
      for (const partitions of opts.partitions) {
        for (const client of opts.clients) {
          // Sampled while nothing of ours runs: someone else's work on the machine.
          const others = await othersShare(1000);
          background.push({ before: `${client} ${policy} ${partitions}p`, othersShare: others });
          if (others > 0.15)
            log(
              `warning: other processes keep ${Math.round(others * 100)}% of the CPUs busy; figures will be noisy`,
            );
          try {
            await measureClient(ctx, client, policy, partitions);
          } catch (err) {
            log(`${client} ${policy} ${partitions}p failed: ${err.stack ?? err}`);
            failures.push({ client, policy, partitions, error: String(err.message ?? err) });
          }
        }
      }
    } finally {
      await ctx.broker.close();
    }
  }
  const finishedAt = new Date();
  const sourceAtEnd = sourceState();
  const sourceChanged =
    sourceAtEnd.clientDistBuiltAt !== sourceAtStart.clientDistBuiltAt ||
    sourceAtEnd.brokerDistBuiltAt !== sourceAtStart.brokerDistBuiltAt;
  if (sourceChanged)
    log(
      `note: packages/client or packages/broker was built again during the run (client dist ${sourceAtStart.clientDistBuiltAt} -> ${sourceAtEnd.clientDistBuiltAt}, broker dist ${sourceAtStart.brokerDistBuiltAt} -> ${sourceAtEnd.brokerDistBuiltAt}); if the code changed, later clients ran it`,
    );
  const targets = printReport(ctx.rows);
  console.log(
    `\nOther processes' CPU use, sampled for 1 s before each client while the benchmark was idle: ${background.map((b) => `${b.before} ${Math.round(b.othersShare * 100)}%`).join(", ")}`,
  );
  for (const info of Object.values(ctx.clients)) {
    console.log(
      `\n${info.name} (${info.settings.version}):\n  produce: ${info.settings.produce}\n  consume: ${info.settings.consume}`,
    );
  }
  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    minutes: Math.round(((finishedAt - startedAt) / 60000) * 10) / 10,
    command: `node bench/client/run.mjs ${process.argv.slice(2).join(" ")}`.trim(),
    node: process.version,
    options: opts,
    machine: { ...machine, node: process.version, loadAverageAtEnd: loadAverage() },
    source: sourceAtStart,
    distRebuiltDuringRun: sourceChanged,
    background,
    clients: ctx.clients,
    rows: ctx.rows,
    ratios: ratios(ctx.rows),
    targets,
    failures,
    windows: ctx.windows,
  };
  finishRun(result, { out: opts.out, prefix: "client-", startedAt, failures });
}

runMain(main);
