/** Shared helpers for the storage tests: temp dirs, a fake clock, counting/faulty file systems. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { type FileSystem, nodeFileSystem } from "../../src/storage/file-system.js";
import type { DelayScheduler, LogDeps } from "../../src/storage/log.js";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "../../src/storage/log-config.js";

/** A fresh directory under the OS temp dir; `cleanup()` removes it. */
export function tempDir(prefix = "weir-storage-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * For a test file: a function that makes a fresh temp dir on each call and returns the path of a
 * partition directory `name` inside it (not created yet). All of them are removed after the file's
 * tests.
 */
export function partitionDirs(name: string, prefix?: string): () => string {
  const dirs: { cleanup(): void }[] = [];
  after(() => {
    for (const d of dirs) d.cleanup();
  });
  return () => {
    const d = tempDir(prefix);
    dirs.push(d);
    return join(d.path, name);
  };
}

/** Append options of a leader in epoch 0: offsets assigned by the log. */
export const LEADER_APPEND = { assignOffsets: true, leaderEpoch: 0 } as const;

export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Runs delayed work at once (file deletion after file.delete.delay.ms). */
export const immediateScheduler: DelayScheduler = {
  setTimeout(run) {
    queueMicrotask(run);
    return undefined;
  },
  clearTimeout() {},
};

export interface CountingFileSystem extends FileSystem {
  readonly counts: {
    fsync: number;
    fdatasync: number;
    write: number;
    read: number;
    bytesRead: number;
    syncDir: number;
  };
}

/** The real file system, counting syncs, writes and reads. */
export function countingFileSystem(base: FileSystem = nodeFileSystem): CountingFileSystem {
  const counts = { fsync: 0, fdatasync: 0, write: 0, read: 0, bytesRead: 0, syncDir: 0 };
  return {
    ...base,
    counts,
    write: (...args) => {
      counts.write++;
      return base.write(...args);
    },
    read: (...args) => {
      counts.read++;
      const n = base.read(...args);
      counts.bytesRead += n;
      return n;
    },
    fsync: (fd) => {
      counts.fsync++;
      return base.fsync(fd);
    },
    fdatasync: (fd) => {
      counts.fdatasync++;
      return base.fdatasync(fd);
    },
    syncDir: (path) => {
      counts.syncDir++;
      return base.syncDir(path);
    },
  };
}

/** A LogConfig for tests: defaults, no delay before deleting files, then `overrides`. */
export function testConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, fileDeleteDelayMs: 0, ...overrides };
}

export function testDeps(
  clock = new FakeClock(),
  fs: FileSystem = nodeFileSystem,
): LogDeps & { clock: FakeClock } {
  return { fs, clock, scheduler: immediateScheduler };
}

/** Lets queued microtasks and immediates (group commit start, delayed deletions) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` until it holds (or fails after `timeoutMs`). */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 1));
  }
}
