import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { type FileSystem, nodeFileSystem } from "../../src/storage/file-system.js";
import { Log } from "../../src/storage/log.js";
import {
  appendUpdates,
  assertExactlyLatest,
  cleanerOver,
  cleanUntilDone,
  compactedConfig,
  type KeyedRecord,
  type LogContent,
  readLog,
} from "./cleaner-test-kit.js";
import { FakeClock, partitionDirs, testDeps } from "./storage-test-kit.js";

/*
 * Crash safety of the segment swap. A file system copies the log directory just before every
 * rename and unlink in it, from the moment the cleaner renames its first complete `.cleaned`
 * segment to `.swap` (before that it only writes `.cleaned` files). Each copy is the directory as
 * a crash at that point leaves it (renames are atomic; the cleaned data was fsynced before the
 * rename); the log reopened from it must hold the old content or the new, and every key's latest
 * value.
 */

const newDir = partitionDirs("crashy-0", "weir-cleaner-crash-");

interface Recording {
  /** Copies of the directory, one before each rename or unlink, in order. */
  readonly states: string[];
}

function recordingFileSystem(dir: string): FileSystem & { recording: Recording } {
  const recording: Recording = { states: [] };
  const snapshot = (path: string, starts: boolean): void => {
    if (dirname(path) !== dir || (recording.states.length === 0 && !starts)) return;
    const copy = newDir();
    cpSync(dir, copy, { recursive: true });
    recording.states.push(copy);
  };
  return {
    ...nodeFileSystem,
    recording,
    rename(from, to) {
      snapshot(from, from.endsWith(".cleaned"));
      nodeFileSystem.rename(from, to);
    },
    unlink(path) {
      snapshot(path, false);
      nodeFileSystem.unlink(path);
    },
  };
}

/** A copy of crash state `k` (or of the final directory), edited by `edit`. */
function crashedCopy(recording: Recording, k: number, edit?: (dir: string) => void): string {
  const dir = newDir();
  cpSync(recording.states[k]!, dir, { recursive: true });
  edit?.(dir);
  return dir;
}

function recordsOf(content: LogContent): string[] {
  return content.records.map((r) => `${r.offset}:${r.key}=${r.value}`);
}

async function reopen(dir: string, clock: FakeClock): Promise<Log> {
  const log = await Log.open(dir, compactedConfig(), testDeps(clock));
  const leftovers = readdirSync(dir).filter((n) => /\.(cleaned|swap|deleted)$/.test(n));
  assert.deepEqual(leftovers, [], "recovery settles every leftover");
  return log;
}

async function cleanRecorded(build: (log: Log) => Map<string, KeyedRecord>): Promise<{
  recording: Recording;
  before: LogContent;
  after: LogContent;
  latest: Map<string, KeyedRecord>;
  clock: FakeClock;
}> {
  const clock = new FakeClock();
  const dir = newDir();
  const fs = recordingFileSystem(dir);
  const log = await Log.open(dir, compactedConfig(), { ...testDeps(clock), fs });
  const latest = build(log);
  log.roll();
  await log.flush();
  const before = readLog(log);
  const cleaner = cleanerOver(() => [{ topic: "crashy", partition: 0, logDir: dirname(dir), log }], clock);
  await cleanUntilDone(cleaner);
  const after = readLog(log);
  await log.close();
  assert.ok(fs.recording.states.length > 0, "a swap happened");
  fs.recording.states.push(dir);
  assert.notDeepEqual(recordsOf(after), recordsOf(before), "the cleaning changed the log");
  return { recording: fs.recording, before, after, latest, clock };
}

describe("LogCleaner crash safety", () => {
  it("a crash at any step of a swap leaves the old segments or the new one, never a mix", async () => {
    const { recording, before, after, latest, clock } = await cleanRecorded((log) => {
      const latest = new Map<string, KeyedRecord>();
      // Three small segments: the cleaner merges them into one cleaned segment (one swap).
      for (let s = 0; s < 3; s++) {
        for (const [k, v] of appendUpdates(log, { keys: 40, updates: 200 })) latest.set(k, v);
        log.roll();
      }
      return latest;
    });
    const outcomes: string[] = [];
    for (let k = 0; k < recording.states.length; k++) {
      const log = await reopen(crashedCopy(recording, k), clock);
      const content = readLog(log);
      const records = recordsOf(content);
      const isOld = JSON.stringify(records) === JSON.stringify(recordsOf(before));
      const isNew = JSON.stringify(records) === JSON.stringify(recordsOf(after));
      assert.ok(isOld || isNew, `crash state ${k} of ${recording.states.length}: neither old nor new`);
      outcomes.push(isOld ? "old" : "new");
      for (const r of latest.values()) {
        assert.ok(
          content.records.some((c) => c.offset === r.offset && c.value === r.value),
          `${r.key} survives`,
        );
      }
      await log.close();
    }
    assert.equal(outcomes[0], "old", "before the .swap rename the old segments stay");
    assert.equal(outcomes.at(-1), "new");
    // Once old, then new from the commit point (the .swap rename) on.
    assert.equal(outcomes.lastIndexOf("old") + 1, outcomes.indexOf("new"));
  });

  it("a half-written .cleaned segment is deleted and the old segments stay", async () => {
    const { recording, before, clock } = await cleanRecorded((log) =>
      appendUpdates(log, { keys: 30, updates: 600 }),
    );
    const dir = crashedCopy(recording, 0, (d) => {
      for (const name of readdirSync(d).filter((n) => n.endsWith(".log.cleaned"))) {
        const path = join(d, name);
        truncateSync(path, Math.floor(readFileSync(path).length / 2));
      }
      // A stray .swap index without its log goes too.
      for (const name of readdirSync(d).filter((n) => n.endsWith(".index.cleaned"))) {
        writeFileSync(join(d, name.replace(".cleaned", ".swap")), readFileSync(join(d, name)));
        unlinkSync(join(d, name));
      }
    });
    const log = await reopen(dir, clock);
    assert.deepEqual(recordsOf(readLog(log)), recordsOf(before));
    await log.close();
  });

  it("with several cleaned segments, every crash point leaves a valid log with every latest value", async () => {
    const { recording, before, latest, clock } = await cleanRecorded((log) =>
      appendUpdates(log, { keys: 300, updates: 8000, perBatch: 10 }),
    );
    const old = new Set(recordsOf(before));
    let swapping = 0;
    for (let k = 0; k < recording.states.length; k++) {
      if (readdirSync(recording.states[k]!).some((n) => n.endsWith(".swap"))) swapping++;
      const log = await reopen(crashedCopy(recording, k), clock);
      const content = readLog(log);
      for (const r of recordsOf(content)) assert.ok(old.has(r), `${r} was in the log before`);
      const seen = new Map(content.records.map((r) => [r.key!, r]));
      for (const r of latest.values())
        assert.equal(seen.get(r.key!)?.offset, r.offset, `${r.key} in state ${k}`);
      await log.close();
    }
    assert.ok(swapping > 1, `${swapping} crash states in the middle of a swap`);
    // And cleaning the fully recovered log again converges to one record per key.
    const dir = crashedCopy(recording, recording.states.length - 1);
    const log = await reopen(dir, clock);
    const cleaner = cleanerOver(() => [{ topic: "crashy", partition: 0, logDir: dirname(dir), log }], clock);
    await cleanUntilDone(cleaner);
    assertExactlyLatest(readLog(log), latest);
    await log.close();
  });
});
