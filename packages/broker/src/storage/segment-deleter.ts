/**
 * The asynchronous deletion of a log's segments (retention, DeleteRecords, truncation): the
 * files are renamed to `<name>.deleted` at once — so a restart finds and removes them — and
 * removed after file.delete.delay.ms, never while an fsync still uses their descriptors.
 */
import type { FileSystem } from "./file-system.js";
import type { LogSegment } from "./log-segment.js";
import { DELETED_FILE_SUFFIX } from "./segment-file-names.js";
import type { StorageLogger } from "./storage-logger.js";

/** Timers for delayed work (file deletion); the default uses unref'd Node timers. */
export interface DelayScheduler {
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeDelayScheduler: DelayScheduler = {
  setTimeout(run, delayMs) {
    const t = setTimeout(run, delayMs);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface PendingDeletion {
  readonly segment: LogSegment;
  timer: unknown;
  /** The `.deleted` files were already unlinked (a newer deletion took their names). */
  unlinked: boolean;
}

export class SegmentDeleter {
  readonly #pending = new Set<PendingDeletion>();

  constructor(
    private readonly fs: FileSystem,
    private readonly scheduler: DelayScheduler,
    private readonly logger: StorageLogger,
    private readonly log: string,
  ) {}

  /** Renames the segment's files to `.deleted` now and removes them after `delayMs`. */
  schedule(segment: LogSegment, delayMs: number): void {
    // A segment with the same base offset may have been deleted before (a truncation, then the
    // same offsets again): its `.deleted` files go now, so the names are free and its later
    // removal cannot hit the new files.
    const targets = new Set(segment.filePaths().map((p) => p + DELETED_FILE_SUFFIX));
    for (const pending of this.#pending) {
      if (pending.unlinked || !pending.segment.filePaths().some((p) => targets.has(p))) continue;
      for (const p of pending.segment.filePaths()) this.fs.unlink(p);
      pending.unlinked = true;
    }
    try {
      segment.renameToDeleted();
    } catch (err) {
      this.logger.warn(
        { log: this.log, err, segment: segment.baseOffset },
        "could not rename a deleted segment",
      );
    }
    const pending: PendingDeletion = { segment, timer: undefined, unlinked: false };
    pending.timer = this.scheduler.setTimeout(() => {
      void this.#finish(pending);
    }, delayMs);
    this.#pending.add(pending);
  }

  /** Removes every pending segment now (on close). */
  async finishAll(): Promise<void> {
    const all = [...this.#pending];
    for (const pending of all) this.scheduler.clearTimeout(pending.timer);
    await Promise.all(all.map((p) => this.#finish(p)));
  }

  async #finish(pending: PendingDeletion): Promise<void> {
    if (!this.#pending.delete(pending)) return;
    await pending.segment.idle();
    try {
      if (pending.unlinked) pending.segment.closeWithoutWriting();
      else pending.segment.deleteFiles();
    } catch (err) {
      this.logger.warn(
        { log: this.log, err, segment: pending.segment.baseOffset },
        "could not delete segment files",
      );
    }
  }
}
