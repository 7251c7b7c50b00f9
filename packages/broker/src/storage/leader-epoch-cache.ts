/**
 * The leader epoch cache of a partition (`leader-epoch-checkpoint`): for each leader epoch, the
 * first offset written in it. It answers OffsetForLeaderEpoch (where did epoch N end?), which
 * followers use to truncate a diverged log. The file has Kafka's layout: a version line, a count
 * line, then one `epoch startOffset` line per entry. Every change is written at once (atomic,
 * in the background; a lost write is repaired from the batches' partitionLeaderEpoch on recovery).
 */

import { CheckpointFile } from "./checkpoint-file.js";
import type { FileSystem } from "./file-system.js";
import { StorageError } from "./storage-error.js";

export const LEADER_EPOCH_CHECKPOINT_FILE = "leader-epoch-checkpoint";
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

export class LeaderEpochCache {
  #entries: EpochEntry[];
  readonly #file: CheckpointFile;
  #writeError: unknown;

  private constructor(file: CheckpointFile, entries: EpochEntry[]) {
    this.#file = file;
    this.#entries = entries;
  }

  /**
   * Loads the checkpoint. `loaded` is false when the file is missing or unreadable, so the
   * caller rebuilds the cache from the log's batches.
   */
  static load(fs: FileSystem, dir: string): { cache: LeaderEpochCache; loaded: boolean } {
    const file = new CheckpointFile(fs, dir, LEADER_EPOCH_CHECKPOINT_FILE);
    let lines: string[] | undefined;
    try {
      lines = file.read();
    } catch (err) {
      if (err instanceof StorageError && err.code === "CORRUPT")
        return { cache: new LeaderEpochCache(file, []), loaded: false };
      throw err;
    }
    if (lines === undefined) return { cache: new LeaderEpochCache(file, []), loaded: false };
    const entries = parseEntries(lines);
    return { cache: new LeaderEpochCache(file, entries ?? []), loaded: entries !== undefined };
  }

  /** All entries, oldest first. */
  entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  get latestEpoch(): number {
    return this.#entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset` (a batch of that epoch was appended there). A
   * repeat of the latest epoch changes nothing; an entry that contradicts later ones (a lower or
   * equal epoch, or an earlier offset) removes them first, as Kafka does. Negative epochs are ignored.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0 || startOffset < 0) return false;
    const last = this.#entries.at(-1);
    if (last !== undefined && epoch === last.epoch && startOffset >= last.startOffset) return false;
    while (this.#entries.length > 0) {
      const e = this.#entries.at(-1)!;
      if (e.epoch >= epoch || e.startOffset >= startOffset) this.#entries.pop();
      else break;
    }
    this.#entries.push({ epoch, startOffset });
    this.#persist();
    return true;
  }

  /**
   * Kafka's OffsetForLeaderEpoch answer: for the latest epoch, (epoch, logEndOffset); for an older
   * epoch, the largest known epoch at or below it and the start offset of the next higher one; for
   * an epoch below every entry, (requested, start of the first entry); for an unknown higher
   * epoch or an empty cache, (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH || this.#entries.length === 0) return undefinedAnswer;
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.#entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return undefinedAnswer;
    if (higher === 0) return { epoch: requestedEpoch, endOffset: this.#entries[0]!.startOffset };
    return { epoch: this.#entries[higher - 1]!.epoch, endOffset: this.#entries[higher]!.startOffset };
  }

  /** The epoch `offset` was written in, or UNDEFINED_EPOCH when it precedes every entry. */
  epochForOffset(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const e of this.#entries) {
      if (e.startOffset <= offset) epoch = e.epoch;
      else break;
    }
    return epoch;
  }

  /** Drops the entries that start at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.startOffset < endOffset);
    if (this.#entries.length !== before) this.#persist();
  }

  /**
   * The log now starts at `startOffset`: drops the entries wholly before it and moves the start
   * of the epoch holding it there.
   */
  truncateFromStart(startOffset: number): void {
    let keepFrom = -1;
    for (let i = 0; i < this.#entries.length; i++) {
      if (this.#entries[i]!.startOffset <= startOffset) keepFrom = i;
      else break;
    }
    if (keepFrom < 0) return;
    const holder = this.#entries[keepFrom]!;
    if (keepFrom === 0 && holder.startOffset === startOffset) return;
    this.#entries = [{ epoch: holder.epoch, startOffset }, ...this.#entries.slice(keepFrom + 1)];
    this.#persist();
  }

  /** Replaces every entry (a rebuild from the log). */
  replaceAll(entries: readonly EpochEntry[]): void {
    this.#entries = [...entries];
    this.#persist();
  }

  clear(): void {
    if (this.#entries.length === 0) return;
    this.#entries = [];
    this.#persist();
  }

  /**
   * Resolves once every change so far is durable. When a background write failed, the current
   * entries are written again (a storage fault may be over); rejects when that fails too.
   */
  async flush(): Promise<void> {
    await this.#file.settled();
    if (this.#writeError !== undefined) {
      this.#writeError = undefined;
      await this.#file.write(this.#lines());
    }
  }

  #lines(): string[] {
    return [String(this.#entries.length), ...this.#entries.map((e) => `${e.epoch} ${e.startOffset}`)];
  }

  #persist(): void {
    const lines = this.#lines();
    this.#file.write(lines).then(
      () => {},
      (err: unknown) => {
        this.#writeError = err;
      },
    );
  }
}

function parseEntries(lines: readonly string[]): EpochEntry[] | undefined {
  if (lines.length === 0) return undefined;
  const count = Number(lines[0]);
  if (!Number.isInteger(count) || count < 0 || lines.length !== count + 1) return undefined;
  const entries: EpochEntry[] = [];
  for (let i = 1; i <= count; i++) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(lines[i]!);
    if (m === null) return undefined;
    const entry = { epoch: Number(m[1]), startOffset: Number(m[2]) };
    const prev = entries.at(-1);
    if (prev !== undefined && (entry.epoch <= prev.epoch || entry.startOffset < prev.startOffset))
      return undefined;
    entries.push(entry);
  }
  return entries;
}
