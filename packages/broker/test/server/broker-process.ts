import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { ApiKey } from "@weir/protocol";
import { within } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";

/**
 * A Weir broker in a child process, for tests that kill it. It runs `weir start` when the CLI is
 * built (packages/cli/dist), otherwise a small inline script calling startBroker; set
 * WEIR_TEST_BROKER=inline to force the script.
 */

const CLI_BIN = fileURLToPath(new URL("../../../../cli/bin/weir.js", import.meta.url));
const CLI_MAIN = fileURLToPath(new URL("../../../../cli/dist/src/main.js", import.meta.url));
const BROKER_MODULE = new URL("../../src/index.js", import.meta.url).href;

const INLINE_SCRIPT = `
const { startBroker } = await import(process.env.WEIR_BROKER_MODULE);
const broker = await startBroker({
  dataDir: process.env.WEIR_DATA_DIR,
  host: "localhost",
  port: Number(process.env.WEIR_PORT),
  logLevel: "warn",
  config: JSON.parse(process.env.WEIR_CONFIG),
});
process.on("SIGTERM", () => {
  broker.close().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
});
`;

export interface BrokerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BrokerProcess {
  readonly bootstrap: string;
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<BrokerExit>;
  kill(signal: NodeJS.Signals): void;
  /** The last lines the process wrote (for failure messages). */
  output(): string;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every broker process still running (for `after` hooks: nothing outlives the test). */
export function killAllBrokerProcesses(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}
process.on("exit", killAllBrokerProcesses);

/** A TCP port free right now (listen on 0, close, reuse the number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "localhost", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function launcher(): "cli" | "inline" {
  return process.env.WEIR_TEST_BROKER !== "inline" && existsSync(CLI_MAIN) ? "cli" : "inline";
}

/**
 * Starts a broker process on `dataDir` and `port` with Kafka properties `config`, and resolves
 * once it answers ApiVersions. Rejects (and kills it) if it exits or is not ready in time.
 */
export async function spawnBroker(options: {
  dataDir: string;
  port: number;
  config?: Readonly<Record<string, string>>;
  readyTimeoutMs?: number;
}): Promise<BrokerProcess> {
  const config = { ...options.config };
  let child: ChildProcess;
  if (launcher() === "cli") {
    const sets = Object.entries({
      ...config,
      "log.dirs": options.dataDir,
      listeners: `PLAINTEXT://localhost:${options.port}`,
    }).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
    child = spawn(process.execPath, [CLI_BIN, "start", "--log-level", "warn", ...sets], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  } else {
    child = spawn(process.execPath, ["--input-type=module", "-e", INLINE_SCRIPT], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WEIR_BROKER_MODULE: BROKER_MODULE,
        WEIR_DATA_DIR: options.dataDir,
        WEIR_PORT: String(options.port),
        WEIR_CONFIG: JSON.stringify(config),
      },
    });
  }
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let hasExited = false;
  const exited = new Promise<BrokerExit>((resolve) => {
    child.once("exit", (code, signal) => {
      hasExited = true;
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const bootstrap = `localhost:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (hasExited) {
      const exit = await exited;
      throw new Error(`broker process exited (${exit.code ?? exit.signal}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`broker process not ready on ${bootstrap}:\n${output}`);
    }
    if (await answersApiVersions(bootstrap)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    bootstrap,
    pid: child.pid!,
    exited,
    kill: (signal) => {
      child.kill(signal);
    },
    output: () => output,
  };
}

async function answersApiVersions(bootstrap: string): Promise<boolean> {
  let client: RawKafkaClient | undefined;
  try {
    client = await RawKafkaClient.connect(bootstrap);
    const response = await within(
      client.send(ApiKey.ApiVersions, 3, { clientSoftwareName: "weir-test", clientSoftwareVersion: "1" }),
      5_000,
      "ApiVersions",
    );
    return response.errorCode === 0;
  } catch {
    return false;
  } finally {
    client?.close();
  }
}
