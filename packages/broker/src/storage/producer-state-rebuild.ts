import { LOG_OVERHEAD, RECORD_BATCH_OVERHEAD, readRecordBatchHeader } from "@weir/protocol";
import type { Log } from "./log.js";
import type { ProducerStateManager } from "./producer-state-manager.js";
import { StorageError } from "./storage-error.js";

/** How much log a producer-state rebuild reads per step. */
const REPLAY_CHUNK_BYTES = 1 << 20;

/**
 * Producer state for a log that was (re)loaded — after a restart, or after an offline log was
 * re-opened and cut back (Log.recoverFromFailure): the newest valid snapshot at or below the log
 * end offset, then every batch after it replayed from the log (Kafka's loadProducerState). A
 * producer whose unacknowledged batches were cut away must not be told later that a retry of them
 * is a duplicate.
 */
export async function rebuildProducerState(
  log: Log,
  state: ProducerStateManager,
  now: number,
): Promise<void> {
  let offset = await state.truncateAndReload(log.logStartOffset, log.logEndOffset, now);
  offset = Math.max(offset, log.logStartOffset);
  let quarantines = 0;
  while (offset < log.logEndOffset) {
    let records: Buffer;
    try {
      records = log.read(offset, REPLAY_CHUNK_BYTES, log.logEndOffset, true).records;
    } catch (err) {
      // A corrupt batch in an older segment: the read quarantined it; go on past the gap.
      const corrupt = err instanceof StorageError && err.code === "CORRUPT";
      if (corrupt && quarantines++ < 10 && (await log.quarantinesSettled())) continue;
      throw err;
    }
    if (records.length === 0) break;
    let pos = 0;
    while (pos + RECORD_BATCH_OVERHEAD <= records.length) {
      const header = readRecordBatchHeader(records, pos);
      const lastOffset = header.baseOffset + header.lastOffsetDelta;
      if (lastOffset >= offset) state.replayBatch(header);
      offset = lastOffset + 1;
      pos += LOG_OVERHEAD + header.batchLength;
    }
  }
  state.updateMapEndOffset(log.logEndOffset);
  // An empty log rebuilds in no time: no snapshot (a new partition skips two fsyncs and a rename).
  if (log.logEndOffset > log.logStartOffset || state.producerIdCount > 0) {
    await state.takeSnapshot(log.logEndOffset);
  }
}
