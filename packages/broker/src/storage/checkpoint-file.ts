/**
 * A small text checkpoint file in a partition directory (`log-start-offset`, `recovery-point`,
 * `leader-epoch-checkpoint`), in Kafka's checkpoint layout: a version line, then the content
 * lines. Writes are atomic and durable (temp file, fsync, rename, directory fsync), serialized,
 * and coalesced: callers that write while a write runs share one following write of the latest
 * content. A write of what the file already holds (as read or last written) is skipped: with
 * thousands of partitions, rewriting unchanged checkpoints at every close and interval would
 * cost four syscalls and two fsyncs each.
 */
import { join } from "node:path";
import { type FileSystem, readWholeFile, writeFileAtomically } from "./file-system.js";
import { ioError, StorageError } from "./storage-error.js";

export const CHECKPOINT_VERSION = 0;
export const CHECKPOINT_TEMP_SUFFIX = ".tmp";

export class CheckpointFile {
  #latest: readonly string[] | undefined;
  #version = 0;
  #writtenVersion = 0;
  #chain: Promise<void> = Promise.resolve();
  /** The whole file content known to be on disk, if any. */
  #onDisk: string | undefined;

  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly name: string,
  ) {}

  /**
   * The content lines after the version line, or undefined when the file does not exist. A file
   * with another version or no version line throws CORRUPT.
   */
  read(): string[] | undefined {
    let buf: Buffer | undefined;
    try {
      buf = readWholeFile(this.fs, join(this.dir, this.name));
    } catch (err) {
      throw ioError(`read checkpoint ${this.name} in ${this.dir}`, err);
    }
    if (buf === undefined) return undefined;
    const text = buf.toString("utf8");
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (lines.length === 0 || lines[0]!.trim() !== String(CHECKPOINT_VERSION)) {
      throw new StorageError(
        "CORRUPT",
        `checkpoint ${this.name} in ${this.dir} has no version ${CHECKPOINT_VERSION} line`,
      );
    }
    this.#onDisk = text;
    return lines.slice(1);
  }

  /** Replaces the content with `lines`; resolves once these (or later) lines are durable. */
  write(lines: readonly string[]): Promise<void> {
    const version = ++this.#version;
    this.#latest = lines;
    const run = this.#chain.then(async () => {
      if (this.#writtenVersion >= version) return;
      const writing = this.#version;
      const content = [String(CHECKPOINT_VERSION), ...(this.#latest ?? []), ""].join("\n");
      if (content !== this.#onDisk) {
        this.#onDisk = undefined;
        await writeFileAtomically(this.fs, this.dir, this.name, Buffer.from(content, "utf8"));
        this.#onDisk = content;
      }
      this.#writtenVersion = writing;
    });
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Resolves once every write started so far has finished (successfully or not). */
  settled(): Promise<void> {
    return this.#chain;
  }
}

/** Parses a checkpoint holding one offset; CORRUPT when it does not. */
export function parseSingleOffset(lines: readonly string[], what: string): number {
  if (lines.length !== 1 || !/^-?\d+$/.test(lines[0]!.trim())) {
    throw new StorageError("CORRUPT", `${what} checkpoint does not hold one offset`);
  }
  const n = Number(lines[0]!.trim());
  if (!Number.isSafeInteger(n)) throw new StorageError("CORRUPT", `${what} checkpoint offset out of range`);
  return n;
}
