import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** packages/cli/bin/weir.js, from dist/test/support/ where this file runs. */
export const WEIR_BIN = fileURLToPath(new URL("../../../bin/weir.js", import.meta.url));

export interface WeirResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed (default: empty stdin). */
  readonly input?: string;
  /** Extra environment; WEIR_BOOTSTRAP_SERVER is removed unless given here. */
  readonly env?: Record<string, string>;
  /** Kill the child after this long (default 20 s). */
  readonly timeoutMs?: number;
}

/**
 * Runs `node bin/weir.js ...args` as a child process, asynchronously so an in-process broker keeps
 * serving while the CLI talks to it.
 */
export function runWeir(args: readonly string[], options: RunOptions = {}): Promise<WeirResult> {
  const env = { ...process.env };
  delete env.WEIR_BOOTSTRAP_SERVER;
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WEIR_BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on("error", () => {}); // the child may exit before reading its input
    child.stdin.end(options.input ?? "");
  });
}

/** Whether kcat (librdkafka's command line client) is installed. */
export function hasKcat(): boolean {
  return spawnSync("kcat", ["-V"], { stdio: "ignore" }).status === 0;
}

/** Runs kcat asynchronously (the broker under test runs in this process). */
export function runKcat(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("kcat", [...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
