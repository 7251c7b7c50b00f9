// Child processes: the suite's own workers (one JSON line on stdout) and external commands.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { track } from "./cleanup.mjs";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WORKERS = fileURLToPath(new URL("../workers/", import.meta.url));

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a command; resolves { code, signal, stdout, stderr, seconds } (never rejects on a non-zero
 * exit; rejects when it cannot be started or runs past timeoutMs).
 */
export function runCommand(
  command,
  args,
  { timeoutMs = 600_000, cwd = REPO_ROOT, env, discardStdout = false } = {},
) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const stdio = ["ignore", discardStdout ? "ignore" : "pipe", "pipe"];
    const child = track(spawn(command, args, { cwd, env, stdio }));
    const out = [];
    const err = [];
    child.stdout?.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ran longer than ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

/** Starts one of bench/workers/*.mjs with its parameters; returns { child, result } (result: a promise of its JSON). */
export function startWorker(name, params, { timeoutMs = 600_000 } = {}) {
  let child;
  const result = new Promise((resolve, reject) => {
    child = track(
      spawn(process.execPath, [`${WORKERS}${name}`, JSON.stringify(params)], {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker ${name} ran longer than ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString().trim();
      const stderr = Buffer.concat(err).toString().trim();
      if (code !== 0) {
        reject(new Error(`worker ${name} failed (${code ?? signal}): ${stderr.slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.split("\n").pop()));
      } catch {
        reject(new Error(`worker ${name} printed no result: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
      }
    });
  });
  return { child, result };
}

export function runWorker(name, params, options) {
  return startWorker(name, params, options).result;
}
