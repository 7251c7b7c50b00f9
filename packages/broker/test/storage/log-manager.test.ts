import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeFileSystem } from "../../src/storage/file-system.js";
import { type IntervalScheduler, LogManager, type LogManagerConfig } from "../../src/storage/log-manager.js";
import { StorageError } from "../../src/storage/storage-error.js";
import { buildBatch, parseBatches } from "./record-batch-fixture.js";
import { FakeClock, immediateScheduler, tempDir, testConfig, waitFor } from "./storage-test-kit.js";

const dirs: { cleanup(): void }[] = [];
after(() => {
  for (const d of dirs) d.cleanup();
});

function managerConfig(logDirs: string[], overrides: Partial<LogManagerConfig> = {}): LogManagerConfig {
  return {
    logDirs,
    defaultLogConfig: testConfig(),
    retentionCheckIntervalMs: 300_000,
    flushSchedulerIntervalMs: 1000,
    flushOffsetCheckpointIntervalMs: 60_000,
    ...overrides,
  };
}

function newDirs(n: number): string[] {
  const d = tempDir("weir-logmanager-");
  dirs.push(d);
  return Array.from({ length: n }, (_, i) => join(d.path, `data${i}`));
}

const deps = (clock = new FakeClock()) => ({ fs: nodeFileSystem, clock, scheduler: immediateScheduler });
const leader = { assignOffsets: true, leaderEpoch: 0 } as const;

describe("LogManager", () => {
  it("creates logs in the dir with the fewest and finds them all again after a restart", async () => {
    const logDirs = newDirs(2);
    const manager = await LogManager.open(managerConfig(logDirs), deps());
    const topics = ["orders", "my-topic-with-dashes", "a.b_c-1", "x"];
    const expected = new Map<string, number>();
    for (const topic of topics) {
      for (let p = 0; p < 3; p++) {
        const log = await manager.getOrCreateLog(topic, p);
        const n = 1 + p + topic.length;
        for (let i = 0; i < n; i++) log.append(buildBatch({ records: 2 }), leader);
        expected.set(`${topic}/${p}`, 2 * n);
      }
    }
    // Concurrent creation of the same partition yields one log.
    const [a, b] = await Promise.all([manager.getOrCreateLog("new", 0), manager.getOrCreateLog("new", 0)]);
    assert.equal(a, b);
    const perDir = manager.describeLogDirs().map((d) => d.partitions.length);
    assert.deepEqual(perDir, [7, 6]);
    assert.ok(
      existsSync(join(logDirs[0]!, "my-topic-with-dashes-0")) ||
        existsSync(join(logDirs[1]!, "my-topic-with-dashes-0")),
    );
    await manager.close();

    const reloaded = await LogManager.open(managerConfig(logDirs), deps());
    for (const [key, leo] of expected) {
      const [topic, p] = key.split("/") as [string, string];
      const log = reloaded.getLog(topic, Number(p));
      assert.ok(log, key);
      assert.equal(log.logEndOffset, leo, key);
      assert.equal(parseBatches(log.read(0, 1 << 20).records).length, leo / 2);
    }
    assert.equal(reloaded.allLogs().length, 13);
    assert.deepEqual(
      reloaded
        .allLogs()
        .filter((l) => l.topic === "my-topic-with-dashes")
        .map((l) => l.partition)
        .sort(),
      [0, 1, 2],
    );
    const described = reloaded.describeLogDirs();
    assert.equal(described.length, 2);
    assert.ok(described.every((d) => d.error === undefined && d.totalBytes > 0));
    const size = described
      .flatMap((d) => d.partitions)
      .find((p) => p.topic === "orders" && p.partition === 0)!.size;
    assert.equal(size, reloaded.getLog("orders", 0)!.size);
    await reloaded.close();
  });

  it("deletes a log by renaming its directory and removing it in the background", async () => {
    const [logDir] = newDirs(1);
    const manager = await LogManager.open(managerConfig([logDir!]), {
      ...deps(),
      uuid: () => "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    });
    const log = await manager.getOrCreateLog("doomed-topic", 4);
    log.append(buildBatch(), leader);
    assert.equal(await manager.deleteLog("doomed-topic", 4), true);
    assert.equal(manager.getLog("doomed-topic", 4), undefined);
    assert.equal(await manager.deleteLog("doomed-topic", 4), false);
    await waitFor(() => readdirSync(logDir!).length === 0);
    assert.throws(
      () => log.append(buildBatch(), leader),
      (err: unknown) => err instanceof StorageError && err.code === "CLOSED",
    );
    // A leftover -delete dir from an earlier run is removed at startup; strange dirs are ignored.
    await manager.close();
    mkdirSync(join(logDir!, "gone-2.0123456789abcdef0123456789abcdef-delete"));
    mkdirSync(join(logDir!, "not a log"));
    const again = await LogManager.open(managerConfig([logDir!]), deps());
    assert.equal(again.allLogs().length, 0);
    await again.close();
    assert.deepEqual(readdirSync(logDir!), ["not a log"]);
  });

  it("runs retention, flush.ms and checkpoints on its timers", async () => {
    const [logDir] = newDirs(1);
    const clock = new FakeClock(100 * 3_600_000);
    const ticks: { run: () => void; ms: number }[] = [];
    const intervals: IntervalScheduler = {
      setInterval(run, ms) {
        ticks.push({ run, ms });
        return ticks.length - 1;
      },
      clearInterval(handle) {
        ticks[handle as number]!.run = () => {};
      },
    };
    const manager = await LogManager.open(
      managerConfig([logDir!], {
        defaultLogConfig: testConfig({
          retentionMs: 3_600_000,
          segmentBytes: 300,
          flushMessages: 1_000_000,
          flushMs: 10,
        }),
      }),
      { ...deps(clock), intervals },
    );
    const log = await manager.getOrCreateLog("t", 0);
    for (let i = 0; i < 10; i++) log.append(buildBatch({ baseTimestamp: clock.now() }), leader);
    manager.startBackgroundTasks();
    assert.deepEqual(
      ticks.map((t) => t.ms),
      [300_000, 1000, 60_000, 15_000],
    );
    clock.advance(2 * 3_600_000);
    for (const t of ticks) t.run();
    await waitFor(() => log.logStartOffset > 0 && log.flushedOffset === log.logEndOffset);
    assert.equal(log.logStartOffset, 10);
    await manager.close();
  });

  it("rejects illegal topic names and opens logs with the default config", async () => {
    const [logDir] = newDirs(1);
    const config = managerConfig([logDir!], { defaultLogConfig: testConfig({ segmentBytes: 2048 }) });
    const manager = await LogManager.open(config, deps());
    await assert.rejects(manager.getOrCreateLog("../escape", 0), StorageError);
    await assert.rejects(manager.getOrCreateLog("ok", -1), StorageError);
    const log = await manager.getOrCreateLog("ok", 0);
    assert.equal(log.config.segmentBytes, 2048);
    await manager.close();
    await assert.rejects(
      manager.getOrCreateLog("ok", 1),
      (err: unknown) => err instanceof StorageError && err.code === "CLOSED",
    );
  });
});
