// The machine: what it is, whether something else is using it, and keeping the page cache in a
// comparable state between runs.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { sleep } from "./proc.mjs";

/** The first line of a command's output (matching `pattern` when given), or null. */
function firstLine(command, args, pattern) {
  try {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 5000 });
    const lines = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n");
    const line = pattern === undefined ? lines[0] : lines.find((l) => pattern.test(l));
    return line?.trim() || null;
  } catch {
    return null;
  }
}

export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    kcat: firstLine("kcat", ["-V"], /^Version/),
    natsServer: firstLine("nats-server", ["--version"]),
    redisServer: firstLine("redis-server", ["--version"]),
    go: firstLine("go", ["version"]),
  };
}

function cpuTimes() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Share of all cores busy over `ms` (0–1): other work on the machine makes every figure noisier. */
export async function busyShare(ms = 1000) {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

/** CPU seconds used so far by every user-space process except this one, with their reaped children (kernel threads left out). */
function userProcessSeconds() {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid || entry === "2") continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) === 2) continue; // a kernel thread (child of kthreadd)
      // utime + stime, and cutime + cstime: a child that ran and exited within the interval shows
      // up there once its parent reaps it.
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/**
 * Share of all cores (0–1) that other processes used over `ms`, while the suite itself is idle:
 * someone else's work, unlike busyShare, which also counts the kernel writing back the suite's
 * own data.
 */
export async function othersShare(ms = 1000) {
  const a = userProcessSeconds();
  const started = performance.now();
  await sleep(ms);
  const b = userProcessSeconds();
  const seconds = (performance.now() - started) / 1000;
  return Math.max(0, (b - a) / (seconds * cpus().length));
}

export function loadAverage() {
  return loadavg()[0];
}

export function dirtyBytes() {
  const m = /Dirty:\s+(\d+) kB/.exec(readFileSync("/proc/meminfo", "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Waits (up to timeoutMs) until the kernel holds less than `limit` bytes of dirty page cache, so
 * that a run does not start under the writeback throttling that earlier runs' data would cause.
 */
export async function settle(limit = 256 * 2 ** 20, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (dirtyBytes() > limit && performance.now() < deadline) await sleep(100);
  await sleep(100);
}
