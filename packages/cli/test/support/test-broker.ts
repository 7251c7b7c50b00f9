import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBroker, startBroker } from "@weir/broker";

export interface TestBroker extends RunningBroker {
  readonly dataDir: string;
  /** Closes the broker and removes its data directory. */
  destroy(): Promise<void>;
}

/** An in-process broker on a free port with its own temporary data directory. */
export async function startTestBroker(config: Record<string, string> = {}): Promise<TestBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), "weir-cli-test-"));
  const broker = await startBroker({ port: 0, dataDir, logLevel: "error", config });
  return Object.assign(Object.create(null), broker, {
    dataDir,
    close: () => broker.close(),
    async destroy() {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  }) as TestBroker;
}
