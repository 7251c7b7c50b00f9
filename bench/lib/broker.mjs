// Runs a Weir broker as its own child process (`weir start`), with its own data dir.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, removeTempDir, track } from "./cleanup.mjs";
import { freePort, REPO_ROOT, sleep } from "./proc.mjs";
import { metadata, WireConnection } from "./wire.mjs";

/** Kafka's default flush policy: acknowledge from the page cache (Weir's default fsyncs before acknowledging). */
export const PAGE_CACHE_POLICY = { "log.flush.interval.messages": "9223372036854775807" };

/** Suite-wide broker settings: extra properties (--set) and node options (--broker-node-options). */
export const brokerDefaults = { set: {}, nodeOptions: [] };

let profileSeq = 0;

/** Resident set size of a process in bytes (VmRSS), or NaN once it is gone. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** User and system CPU seconds of one thread (the main thread when tid = pid), or NaN once it is gone. */
export function threadCpu(pid, tid = pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** CPU seconds (user + system) a process has used so far, or NaN once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function tail(path, lines = 20) {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * A broker over one data dir. start() spawns it and resolves once it answers Metadata; stop()
 * sends SIGTERM (clean shutdown) and waits; close() stops it and removes its dir.
 */
export class WeirBroker {
  dir;
  port = 0;
  child = null;
  /** An admin connection, open while the broker runs. */
  conn = null;
  #set;
  #nodeOptions;
  #label;

  #maxOpenFiles;

  /**
   * `label` names the broker's CPU profile when the node options include --cpu-prof;
   * `maxOpenFiles` raises the broker's descriptor limit (ulimit -n; raising the hard limit needs root).
   */
  constructor({ set = {}, nodeOptions, label = "broker", maxOpenFiles } = {}) {
    this.dir = makeTempDir("weir-bench-broker-");
    this.#maxOpenFiles = maxOpenFiles;
    this.#set = { ...brokerDefaults.set, ...set };
    this.#nodeOptions = nodeOptions ?? brokerDefaults.nodeOptions;
    this.#label = label.replace(/[^A-Za-z0-9_.-]+/g, "-");
  }

  get pid() {
    return this.child?.pid;
  }

  get logPath() {
    return join(this.dir, "broker.log");
  }

  rss() {
    return this.child === null ? Number.NaN : rssBytes(this.child.pid);
  }

  cpuSeconds() {
    return this.child === null ? Number.NaN : cpuSeconds(this.child.pid);
  }

  /**
   * A meter of the broker's CPU use between start() and the call it returns: { process, main,
   * mainSystem } as shares of one core (the process with its thread pool and GC threads; its main
   * thread, the event loop; the main thread's time in the kernel).
   */
  cpuMeter() {
    const pid = this.child?.pid;
    const t0 = performance.now();
    const p0 = cpuSeconds(pid);
    const m0 = threadCpu(pid);
    return () => {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = threadCpu(pid);
      return {
        process: (cpuSeconds(pid) - p0) / seconds,
        main: (m1.user + m1.system - m0.user - m0.system) / seconds,
        mainSystem: (m1.system - m0.system) / seconds,
      };
    };
  }

  /** Starts the broker; resolves with the milliseconds from spawn until it answered a Metadata request. */
  async start({ timeoutMs = 120_000, ready } = {}) {
    if (this.port === 0) this.port = await freePort();
    const profileName = this.#nodeOptions.includes("--cpu-prof")
      ? [`--cpu-prof-name=${String(++profileSeq).padStart(3, "0")}-${this.#label}.cpuprofile`]
      : [];
    const args = [
      ...this.#nodeOptions,
      ...profileName,
      join(REPO_ROOT, "packages/cli/bin/weir.js"),
      "start",
      "--log-level",
      "warn",
      "--set",
      `listeners=PLAINTEXT://127.0.0.1:${this.port}`,
      "--set",
      `log.dirs=${join(this.dir, "data")}`,
      ...Object.entries(this.#set).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
    ];
    const log = openSync(this.logPath, "a");
    const started = performance.now();
    const [command, commandArgs] =
      this.#maxOpenFiles === undefined
        ? [process.execPath, args]
        : ["sh", ["-c", `ulimit -n ${this.#maxOpenFiles} && exec "$0" "$@"`, process.execPath, ...args]];
    const child = track(spawn(command, commandArgs, { cwd: REPO_ROOT, stdio: ["ignore", log, log] }));
    closeSync(log);
    this.child = child;
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    for (;;) {
      if (exited) throw new Error(`broker exited during startup:\n${tail(this.logPath)}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`broker not serving after ${timeoutMs} ms`);
      let conn = null;
      try {
        conn = await WireConnection.open(this.port, "127.0.0.1", 1000);
        await metadata(conn, []);
        if (ready !== undefined) await ready(conn);
        this.conn = conn;
        return performance.now() - started;
      } catch {
        conn?.close();
        await sleep(10);
      }
    }
  }

  /** SIGTERM and wait for a clean exit; resolves with the shutdown milliseconds. */
  async stop(timeoutMs = 60_000) {
    const child = this.child;
    this.conn?.close();
    this.conn = null;
    if (child === null) return 0;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return 0;
    const started = performance.now();
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
    return performance.now() - started;
  }

  /** Errors the broker logged (pino level 50 and up): { count, first }. */
  loggedErrors() {
    let count = 0;
    let first = null;
    for (const line of tail(this.logPath, 100_000).split("\n")) {
      const m = /"level":(\d+)/.exec(line);
      if (m === null || Number(m[1]) < 50) continue;
      count++;
      first ??= /"message":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 300);
    }
    return { count, first };
  }

  /** Stops the broker and removes its dir; says so when the broker logged errors. */
  async close() {
    await this.stop();
    const { count, first } = this.loggedErrors();
    if (count > 0)
      console.error(`  (the broker logged ${count} error${count > 1 ? "s" : ""}, the first: ${first})`);
    if (existsSync(this.dir)) removeTempDir(this.dir);
  }
}
