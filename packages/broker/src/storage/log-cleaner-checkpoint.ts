/**
 * The `cleaner-offset-checkpoint` file of a log dir, in Kafka's offset checkpoint layout: a
 * version line (0), a line with the entry count, then one `<topic> <partition> <offset>` line per
 * compacted log. The offset is where the last cleaning stopped — the first dirty offset: the log
 * below it holds at most one record per key (as of that cleaning), so the next cleaning only has
 * to index the keys from there on. A missing or unreadable file means "nothing cleaned yet".
 */
import { CheckpointFile } from "./checkpoint-file.js";
import type { FileSystem } from "./file-system.js";
import { type TopicPartition, topicPartitionKey } from "./log-dir-name.js";
import { StorageError } from "./storage-error.js";
import type { StorageLogger } from "./storage-logger.js";

export const CLEANER_OFFSET_CHECKPOINT_FILE = "cleaner-offset-checkpoint";

export class LogCleanerCheckpoint {
  readonly #file: CheckpointFile;
  readonly #offsets = new Map<string, { tp: TopicPartition; offset: number }>();

  private constructor(file: CheckpointFile) {
    this.#file = file;
  }

  /** Reads the checkpoint of `logDir`; a corrupt file is logged and treated as empty. */
  static load(fs: FileSystem, logDir: string, logger: StorageLogger): LogCleanerCheckpoint {
    const checkpoint = new LogCleanerCheckpoint(
      new CheckpointFile(fs, logDir, CLEANER_OFFSET_CHECKPOINT_FILE),
    );
    try {
      const lines = checkpoint.#file.read();
      if (lines !== undefined) checkpoint.#parse(lines);
    } catch (err) {
      if (!(err instanceof StorageError && err.code === "CORRUPT")) throw err;
      logger.warn({ logDir, err }, "ignoring a corrupt cleaner-offset-checkpoint");
      checkpoint.#offsets.clear();
    }
    return checkpoint;
  }

  #parse(lines: readonly string[]): void {
    const count = Number(lines[0]);
    if (!Number.isSafeInteger(count) || count !== lines.length - 1) {
      throw new StorageError("CORRUPT", `${CLEANER_OFFSET_CHECKPOINT_FILE}: bad entry count ${lines[0]}`);
    }
    for (const line of lines.slice(1)) {
      const m = /^(\S+) (\d+) (\d+)$/.exec(line.trim());
      if (m === null)
        throw new StorageError("CORRUPT", `${CLEANER_OFFSET_CHECKPOINT_FILE}: bad line ${line}`);
      const tp = { topic: m[1]!, partition: Number(m[2]) };
      this.#offsets.set(topicPartitionKey(tp), { tp, offset: Number(m[3]) });
    }
  }

  /** The first dirty offset of a log, if it was cleaned before. */
  get(tp: TopicPartition): number | undefined {
    return this.#offsets.get(topicPartitionKey(tp))?.offset;
  }

  /** Records a log's first dirty offset and writes the file; resolves once it is durable. */
  update(tp: TopicPartition, offset: number): Promise<void> {
    this.#offsets.set(topicPartitionKey(tp), { tp, offset });
    return this.#write();
  }

  /** Forgets a log (it was deleted); resolves once the file is durable. */
  remove(tp: TopicPartition): Promise<void> {
    if (!this.#offsets.delete(topicPartitionKey(tp))) return Promise.resolve();
    return this.#write();
  }

  /** Resolves once every write started so far has finished. */
  settled(): Promise<void> {
    return this.#file.settled();
  }

  #write(): Promise<void> {
    const entries = [...this.#offsets.values()].map((e) => `${e.tp.topic} ${e.tp.partition} ${e.offset}`);
    return this.#file.write([String(entries.length), ...entries]);
  }
}
