import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBroker, type StartBrokerOptions, startBroker } from "../../src/index.js";

export interface TestBroker extends RunningBroker {
  readonly dataDir: string;
  /** Closes the broker and removes its data directory. */
  destroy(): Promise<void>;
}

/** Starts an in-process broker on an ephemeral port with its own temporary data directory. */
export async function startTestBroker(options: StartBrokerOptions = {}): Promise<TestBroker> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "weir-test-"));
  const broker = await startBroker({ port: 0, logLevel: "warn", ...options, dataDir });
  return Object.assign(Object.create(null), broker, {
    dataDir,
    close: () => broker.close(),
    async destroy() {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  }) as TestBroker;
}
