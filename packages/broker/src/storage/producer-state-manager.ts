/**
 * Producer state of one partition (Kafka's ProducerStateManager): which idempotent/transactional
 * producers wrote to it, their epochs, their last batches and their ongoing transactions.
 *
 * The in-memory part is sans-I/O: the log calls `check` before an append, `update` (or
 * `prepareAppend`/`commit`) after it, and `replayBatch` while rebuilding. The snapshot part
 * persists the state in `<offset>.snapshot` files of the partition directory through an
 * injectable {@link ProducerSnapshotFileSystem}, so a restart replays only the log after the
 * newest snapshot.
 *
 * `mapEndOffset` is the offset the state is complete up to (exclusive): every batch below it has
 * been applied. It follows the log end offset while appending; a snapshot is taken at it.
 *
 * Not safe against interleaving: the log must not start a check before the previous append's
 * `update` (its appends to one partition are serialized), and must not append while
 * `truncateAndReload` runs. The async snapshot operations are serialized among themselves.
 */
import { join } from "node:path";
import { Attributes } from "@weir/protocol";
import { WeirError } from "../errors.js";
import {
  applyDataBatch,
  CHECK_OK,
  checkDataBatch,
  type ProducerBatch,
  type ProducerBatchHeader,
  type ProducerCheckResult,
  ProducerStateAppend,
  producerBatchFromHeader,
} from "./producer-state-append.js";
import {
  NO_PRODUCER_ID,
  ProducerStateEntry,
  type ReadonlyProducerStateEntry,
} from "./producer-state-entry.js";
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  nodeProducerSnapshotFileSystem,
  type ProducerSnapshotFileSystem,
  parseSnapshotFileName,
  SNAPSHOT_TEMP_SUFFIX,
  snapshotFileName,
  snapshotTempFileName,
} from "./producer-state-snapshot.js";

/** Kafka's default `producer.id.expiration.ms`: one day. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** Kafka's default `producer.id.expiration.check.interval.ms`: how often to call `removeExpiredProducers`. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000;
/** Snapshots kept by `takeSnapshot`: the newest two (typically the last segment roll and shutdown). */
export const DEFAULT_SNAPSHOTS_TO_RETAIN = 2;

export interface ProducerStateManagerOptions {
  /** The partition directory; snapshot files live in it. */
  dir: string;
  /** `producer.id.expiration.ms`. */
  producerIdExpirationMs?: number;
  /** How many of the newest snapshot files `takeSnapshot` keeps; at least 1. */
  snapshotsToRetain?: number;
  fs?: ProducerSnapshotFileSystem;
  /** Told about each corrupt snapshot file skipped (and deleted) while loading. */
  onCorruptSnapshot?: (file: string, reason: string) => void;
}

/** One producer as DescribeProducers reports it. */
export interface ActiveProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** -1 when the producer has no retained batch. */
  readonly lastSequence: number;
  readonly lastTimestamp: number;
  readonly coordinatorEpoch: number;
  /** -1 when no transaction is ongoing. */
  readonly currentTxnStartOffset: number;
}

/** A COMMIT or ABORT marker written for a producer. */
export interface ProducerEndTxnMarker {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  /** Offset of the marker batch. */
  readonly offset: number;
  readonly timestamp: number;
}

/** A transaction a marker ended: the range the transaction index will record. */
export interface CompletedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export class ProducerStateManager {
  #dir: string;
  readonly #fs: ProducerSnapshotFileSystem;
  readonly #expirationMs: number;
  readonly #snapshotsToRetain: number;
  readonly #onCorruptSnapshot: ((file: string, reason: string) => void) | undefined;
  readonly #producers = new Map<number, ProducerStateEntry>();
  /** Offsets of the snapshot files on disk, ascending. */
  #snapshots: number[] = [];
  #mapEndOffset = 0;
  #ioTail: Promise<unknown> = Promise.resolve();

  private constructor(options: ProducerStateManagerOptions) {
    this.#dir = options.dir;
    this.#fs = options.fs ?? nodeProducerSnapshotFileSystem;
    this.#expirationMs = options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.#snapshotsToRetain = Math.max(1, options.snapshotsToRetain ?? DEFAULT_SNAPSHOTS_TO_RETAIN);
    this.#onCorruptSnapshot = options.onCorruptSnapshot;
  }

  /**
   * A manager with empty state that knows the snapshot files in `options.dir` (and deletes
   * half-written ones). Load state with `truncateAndReload` (or `loadLatestSnapshot`).
   */
  static async open(options: ProducerStateManagerOptions): Promise<ProducerStateManager> {
    const manager = new ProducerStateManager(options);
    await manager.#scanSnapshots();
    return manager;
  }

  get dir(): string {
    return this.#dir;
  }

  /** The partition directory was renamed (e.g. for deletion); snapshot names stay the same. */
  updateParentDir(dir: string): void {
    this.#dir = dir;
  }

  get mapEndOffset(): number {
    return this.#mapEndOffset;
  }

  /** Sets the offset the state is complete up to (after appends without producer ids, on roll). */
  updateMapEndOffset(offset: number): void {
    this.#mapEndOffset = offset;
  }

  get producerIdCount(): number {
    return this.#producers.size;
  }

  lastEntry(producerId: number): ReadonlyProducerStateEntry | undefined {
    return this.#producers.get(producerId);
  }

  /** Every producer's full state (with retained batches), in no particular order. */
  entries(): ReadonlyProducerStateEntry[] {
    return [...this.#producers.values()];
  }

  /** The producers of this partition for DescribeProducers. */
  activeProducers(): ActiveProducer[] {
    const out: ActiveProducer[] = [];
    for (const e of this.#producers.values()) {
      out.push({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        lastSequence: e.lastSeq,
        lastTimestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnStartOffset: e.currentTxnFirstOffset,
      });
    }
    return out;
  }

  // ---- append path -------------------------------------------------------------------------

  /**
   * Checks one client batch before its offsets are assigned: ok, a duplicate of a batch already in
   * the log (answer with its offsets, do not append), or the Kafka error to answer with.
   * Batches without a producer id are always ok.
   */
  check(batch: ProducerBatch): ProducerCheckResult {
    if (batch.producerId === NO_PRODUCER_ID) return CHECK_OK;
    const current = this.#producers.get(batch.producerId);
    return checkDataBatch(current, current, batch);
  }

  /** Records a batch once it is in the log at `firstOffset..lastOffset`. Does not validate. */
  update(batch: ProducerBatch, firstOffset: number, lastOffset: number): void {
    if (lastOffset + 1 > this.#mapEndOffset) this.#mapEndOffset = lastOffset + 1;
    if (batch.producerId === NO_PRODUCER_ID) return;
    applyDataBatch(this.#entryFor(batch.producerId), batch, firstOffset, lastOffset);
  }

  /**
   * For an append of several batches: check and record each through the returned object, write
   * them to the log, then `commit` it. Until the commit nothing here changes.
   */
  prepareAppend(): ProducerStateAppend {
    return new ProducerStateAppend((producerId) => this.#producers.get(producerId));
  }

  commit(append: ProducerStateAppend): void {
    for (const [producerId, entry] of append.stagedEntries) this.#producers.set(producerId, entry);
    if (append.lastOffset + 1 > this.#mapEndOffset) this.#mapEndOffset = append.lastOffset + 1;
  }

  /** Checks a COMMIT/ABORT marker from the transaction coordinator before it is appended. */
  checkEndTxnMarker(marker: ProducerEndTxnMarker): ProducerCheckResult {
    const entry = this.#producers.get(marker.producerId);
    if (entry === undefined) return CHECK_OK;
    if (marker.producerEpoch < entry.producerEpoch) {
      return {
        kind: "error",
        error: "INVALID_PRODUCER_EPOCH",
        message: `marker epoch ${marker.producerEpoch} of producer ${marker.producerId} is older than ${entry.producerEpoch}`,
      };
    }
    if (entry.coordinatorEpoch > marker.coordinatorEpoch) {
      return {
        kind: "error",
        error: "TRANSACTION_COORDINATOR_FENCED",
        message: `coordinator epoch ${marker.coordinatorEpoch} for producer ${marker.producerId} is older than ${entry.coordinatorEpoch}`,
      };
    }
    return CHECK_OK;
  }

  /**
   * Records an appended COMMIT/ABORT marker. Returns the transaction it ended, if the producer
   * had data in one. (Transaction bookkeeping beyond this — LSO, aborted index — comes later.)
   */
  updateEndTxnMarker(marker: ProducerEndTxnMarker): CompletedTxn | undefined {
    if (marker.offset + 1 > this.#mapEndOffset) this.#mapEndOffset = marker.offset + 1;
    const entry = this.#entryFor(marker.producerId);
    const completed = entry.hasOngoingTxn
      ? { producerId: marker.producerId, firstOffset: entry.currentTxnFirstOffset, lastOffset: marker.offset }
      : undefined;
    entry.endTxn(marker.producerEpoch, marker.coordinatorEpoch, marker.timestamp);
    return completed;
  }

  /**
   * Rebuild: applies one batch read back from the log, without validation (as Kafka replays with
   * the replication origin). Call it for every batch from `mapEndOffset` to the log end, in order.
   * A control batch changes state only when its marker's coordinator epoch is given (a control
   * batch whose marker was cleaned away carries none); batches without producer id only move
   * `mapEndOffset`.
   */
  replayBatch(header: ProducerBatchHeader, endTxnMarker?: { readonly coordinatorEpoch: number }): void {
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    if (header.producerId !== NO_PRODUCER_ID) {
      if ((header.attributes & Attributes.control) === 0) {
        this.update(producerBatchFromHeader(header), header.baseOffset, lastOffset);
      } else if (endTxnMarker !== undefined) {
        this.updateEndTxnMarker({
          producerId: header.producerId,
          producerEpoch: header.producerEpoch,
          coordinatorEpoch: endTxnMarker.coordinatorEpoch,
          offset: header.baseOffset,
          timestamp: header.maxTimestamp,
        });
      }
    }
    if (lastOffset + 1 > this.#mapEndOffset) this.#mapEndOffset = lastOffset + 1;
  }

  #entryFor(producerId: number): ProducerStateEntry {
    let entry = this.#producers.get(producerId);
    if (entry === undefined) {
      entry = ProducerStateEntry.empty(producerId);
      this.#producers.set(producerId, entry);
    }
    return entry;
  }

  // ---- expiry and truncation ---------------------------------------------------------------

  #isExpired(entry: ReadonlyProducerStateEntry, nowMs: number): boolean {
    // As Kafka: a producer in a transaction never expires here (the coordinator times it out).
    return !entry.hasOngoingTxn && nowMs - entry.lastTimestamp >= this.#expirationMs;
  }

  /**
   * Drops producers idle for `producer.id.expiration.ms` (by their last batch timestamp, as Kafka).
   * Call it every `producer.id.expiration.check.interval.ms`. Returns how many were dropped.
   */
  removeExpiredProducers(nowMs: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.#producers) {
      if (this.#isExpired(entry, nowMs)) {
        this.#producers.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  /**
   * The log start offset moved forward (retention, DeleteRecords). Producer state is kept: since
   * KIP-360 Kafka retains a producer whose data is gone until it expires, so that it can go on
   * with its next sequence instead of failing. Only `mapEndOffset` is brought forward.
   * Snapshot files below the new start are removed by `deleteSnapshotsBefore` with the segments.
   */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    if (this.#mapEndOffset < logStartOffset) this.#mapEndOffset = logStartOffset;
  }

  /**
   * After the log was truncated (or on load): deletes snapshots outside [logStartOffset,
   * logEndOffset] and, unless the state already ends at `logEndOffset`, drops the state and
   * loads the newest valid snapshot left. Resolves to `mapEndOffset`: the log then replays its
   * batches from there to `logEndOffset` with `replayBatch`, and takes a snapshot.
   *
   * Kafka also deletes a snapshot exactly at the log start offset; Weir keeps it, because it is
   * complete (no batch below it is needed to replay) and keeps the producers whose data retention
   * removed, which is what KIP-360 asks for.
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number, nowMs: number): Promise<number> {
    return this.#serial(async () => {
      for (const offset of this.#snapshots.slice()) {
        if (offset > logEndOffset || offset < logStartOffset) await this.#deleteSnapshot(offset);
      }
      if (logEndOffset !== this.#mapEndOffset) {
        await this.#loadLatest(nowMs, logStartOffset);
      } else {
        this.onLogStartOffsetIncremented(logStartOffset);
      }
      return this.#mapEndOffset;
    });
  }

  /** Drops all state and all snapshots; the log now starts at `offset`. */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.#serial(async () => {
      this.#producers.clear();
      this.#mapEndOffset = offset;
      for (const s of this.#snapshots.slice()) await this.#deleteSnapshot(s);
    });
  }

  // ---- snapshots ---------------------------------------------------------------------------

  /** Offsets of the snapshot files, ascending. */
  get snapshotOffsets(): readonly number[] {
    return this.#snapshots;
  }

  latestSnapshotOffset(): number | undefined {
    return this.#snapshots.at(-1);
  }

  /**
   * Writes the current state as the snapshot at `mapEndOffset` (first moved to `offset` when
   * given, as on a segment roll to the new segment's base offset): temp file, fsync, rename,
   * directory fsync. Keeps the newest `snapshotsToRetain` snapshots. Resolves to the file path,
   * or undefined when a snapshot at that offset already exists.
   */
  takeSnapshot(offset?: number): Promise<string | undefined> {
    if (offset !== undefined) {
      if (offset < this.#mapEndOffset) {
        const message = `cannot snapshot at ${offset}: producer state already covers up to ${this.#mapEndOffset}`;
        return Promise.reject(new WeirError("PRODUCER_SNAPSHOT_OFFSET", message));
      }
      this.#mapEndOffset = offset;
    }
    return this.#serial(async () => {
      // State and offset are captured together, before any await.
      const at = this.#mapEndOffset;
      if (this.#snapshots.includes(at)) return undefined;
      const data = encodeProducerSnapshot(
        at,
        [...this.#producers.values()].map((e) => e.toData()),
      );
      const path = join(this.#dir, snapshotFileName(at));
      const temp = join(this.#dir, snapshotTempFileName(at));
      try {
        await this.#fs.writeAndSync(temp, data);
        await this.#fs.rename(temp, path);
      } catch (err) {
        await this.#fs.remove(temp).catch(() => undefined);
        throw err;
      }
      this.#addSnapshot(at);
      await this.#fs.syncDir(this.#dir);
      while (this.#snapshots.length > this.#snapshotsToRetain) await this.#deleteSnapshot(this.#snapshots[0]);
      return path;
    });
  }

  /**
   * Drops the in-memory state and loads the newest valid snapshot, deleting corrupt ones on the
   * way; producers already expired at `nowMs` are left out. Resolves to the snapshot's offset
   * (now `mapEndOffset`), or undefined when none is valid (`mapEndOffset` is then `fallbackOffset`,
   * normally the log start offset).
   */
  loadLatestSnapshot(nowMs: number, fallbackOffset = 0): Promise<number | undefined> {
    return this.#serial(() => this.#loadLatest(nowMs, fallbackOffset));
  }

  /** Deletes the snapshot files below `offset` (with the segments retention deletes). */
  deleteSnapshotsBefore(offset: number): Promise<void> {
    return this.#serial(async () => {
      for (const s of this.#snapshots.slice()) if (s < offset) await this.#deleteSnapshot(s);
    });
  }

  async #loadLatest(nowMs: number, fallbackOffset: number): Promise<number | undefined> {
    this.#producers.clear();
    for (;;) {
      const offset = this.#snapshots.at(-1);
      if (offset === undefined) {
        this.#mapEndOffset = fallbackOffset;
        return undefined;
      }
      const path = join(this.#dir, snapshotFileName(offset));
      const bytes = await this.#fs.read(path);
      if (bytes === undefined) {
        this.#snapshots.pop();
        continue;
      }
      const decoded = decodeProducerSnapshot(bytes, offset);
      if (!decoded.ok) {
        this.#onCorruptSnapshot?.(path, decoded.reason);
        await this.#deleteSnapshot(offset);
        continue;
      }
      for (const data of decoded.producers) {
        const entry = ProducerStateEntry.fromData(data);
        if (!this.#isExpired(entry, nowMs)) this.#producers.set(entry.producerId, entry);
      }
      this.#mapEndOffset = offset;
      return offset;
    }
  }

  async #scanSnapshots(): Promise<void> {
    const offsets: number[] = [];
    for (const name of await this.#fs.list(this.#dir)) {
      const offset = parseSnapshotFileName(name);
      if (offset !== undefined) offsets.push(offset);
      else if (name.endsWith(SNAPSHOT_TEMP_SUFFIX)) await this.#fs.remove(join(this.#dir, name));
    }
    this.#snapshots = offsets.sort((a, b) => a - b);
  }

  #addSnapshot(offset: number): void {
    let i = this.#snapshots.length;
    while (i > 0 && this.#snapshots[i - 1] > offset) i--;
    this.#snapshots.splice(i, 0, offset);
  }

  async #deleteSnapshot(offset: number): Promise<void> {
    const i = this.#snapshots.indexOf(offset);
    if (i >= 0) this.#snapshots.splice(i, 1);
    await this.#fs.remove(join(this.#dir, snapshotFileName(offset)));
  }

  /** Runs async snapshot operations one at a time, in call order. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#ioTail.then(op);
    this.#ioTail = run.catch(() => undefined);
    return run;
  }
}
