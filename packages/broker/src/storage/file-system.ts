/**
 * The FileSystem port: every file operation of the storage layer goes through it, so tests can
 * inject short writes, torn writes, fsync failures and ENOSPC, and a simulator can run the
 * storage engine on a fake disk.
 *
 * Appends and reads are synchronous: they hit the page cache, cost microseconds, and keep the
 * order of operations trivial (nothing interleaves inside an append or a read). fsync and
 * fdatasync are asynchronous (libuv's thread pool), so the event loop keeps accepting appends
 * while a sync runs — that is what makes group commit work.
 */
import * as fs from "node:fs";
import { join } from "node:path";
import { errnoCode, ioError, StorageError } from "./storage-error.js";

/** How a file is opened (node:fs flag strings). */
export type OpenFlags =
  /** Read only; the file must exist. */
  | "r"
  /** Read and write; the file must exist. */
  | "r+"
  /** Read and write; created if missing, truncated if present. */
  | "w+"
  /** Read and write; created, failing with EEXIST if present. */
  | "wx+";

export interface FileStats {
  readonly size: number;
  readonly mtimeMs: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

export interface FileSystem {
  /** Opens a file and returns its descriptor. */
  open(path: string, flags: OpenFlags): number;
  close(fd: number): void;
  /**
   * Writes `length` bytes of `buffer` from `offset` at file `position` (null: at the current
   * file position). Returns the bytes written, which may be fewer than asked (a short write).
   */
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  /** Gathering write at `position`; may also be short. */
  writev(fd: number, buffers: readonly Uint8Array[], position: number | null): number;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns the bytes read (0 at end of file). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Data and metadata to stable storage (thread pool). */
  fsync(fd: number): Promise<void>;
  /** Data (and the metadata needed to read it back, such as the size) to stable storage (thread pool). */
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): void;
  fstat(fd: number): FileStats;
  /** Stats of `path`, or undefined when it does not exist. */
  stat(path: string): FileStats | undefined;
  rename(from: string, to: string): void;
  /**
   * rename in the thread pool, for checkpoints: on ext4 a rename that replaces a file can wait
   * for the journal (milliseconds while other threads sync the directory), which would stall the
   * event loop when thousands of partitions write their checkpoints.
   */
  renameInBackground(from: string, to: string): Promise<void>;
  /** Deletes a file; a missing file is not an error. */
  unlink(path: string): void;
  /** Names in a directory; empty when it does not exist. */
  readdir(path: string): string[];
  /** Creates a directory and its parents; an existing one is fine. */
  mkdir(path: string): void;
  /** Removes a file or a directory tree, asynchronously; a missing path is not an error. */
  rm(path: string): Promise<void>;
  /** Makes the creations, renames and deletions of entries in directory `path` durable. */
  syncDir(path: string): Promise<void>;
  /** Capacity of the file system holding `path`, or undefined when it cannot be known. */
  statfs(path: string): { totalBytes: number; usableBytes: number } | undefined;
}

function toStats(s: fs.Stats): FileStats {
  return { size: s.size, mtimeMs: s.mtimeMs, isFile: s.isFile(), isDirectory: s.isDirectory() };
}

function callbackToPromise(run: (cb: (err: NodeJS.ErrnoException | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}

/** The real file system, over node:fs. A plain object, so tests can wrap it with `{ ...nodeFileSystem, … }`. */
export const nodeFileSystem: FileSystem = {
  open: (path, flags) => fs.openSync(path, flags),
  close: (fd) => fs.closeSync(fd),
  write: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  writev: (fd, buffers, position) =>
    position === null
      ? fs.writevSync(fd, buffers as NodeJS.ArrayBufferView[])
      : fs.writevSync(fd, buffers as NodeJS.ArrayBufferView[], position),
  read: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  fsync: (fd) => callbackToPromise((cb) => fs.fsync(fd, cb)),
  fdatasync: (fd) => callbackToPromise((cb) => fs.fdatasync(fd, cb)),
  ftruncate: (fd, length) => fs.ftruncateSync(fd, length),
  fstat: (fd) => toStats(fs.fstatSync(fd)),
  stat: (path) => {
    try {
      return toStats(fs.statSync(path));
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw err;
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  renameInBackground: (from, to) => callbackToPromise((cb) => fs.rename(from, to, cb)),
  unlink: (path) => {
    try {
      fs.unlinkSync(path);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
  },
  readdir: (path) => {
    try {
      return fs.readdirSync(path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return [];
      throw err;
    }
  },
  mkdir: (path) => {
    fs.mkdirSync(path, { recursive: true });
  },
  rm: (path) => fs.promises.rm(path, { recursive: true, force: true }),
  syncDir: async (path) => {
    let fd: number | undefined;
    try {
      fd = fs.openSync(path, "r");
      await callbackToPromise((cb) => fs.fsync(fd!, cb));
    } catch (err) {
      // Some platforms cannot open or fsync a directory; renames are still atomic there.
      if (!["EISDIR", "EPERM", "EINVAL", "EACCES"].includes(errnoCode(err) ?? "")) throw err;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
  statfs: (path) => {
    try {
      const s = fs.statfsSync(path);
      return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
    } catch {
      return undefined;
    }
  },
};

/**
 * Runs `step` (a read or write of what is left after `done` bytes, returning how many bytes it
 * moved) until `length` bytes moved, or until a step moves nothing: then `stalled` decides.
 */
function untilDone(
  length: number,
  step: (done: number) => number,
  stalled: (done: number) => number,
): number {
  let done = 0;
  while (done < length) {
    const n = step(done);
    if (n <= 0) return stalled(done);
    done += n;
  }
  return done;
}

/**
 * Writes all of `buffer[offset, offset+length)` at `position`, continuing after short writes. A
 * write that makes no progress, or throws, ends in an IO StorageError; the caller undoes what
 * was written (the file may hold a prefix of the bytes).
 */
export function writeFully(
  files: FileSystem,
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
  what: string,
): void {
  untilDone(
    length,
    (done) => {
      try {
        return files.write(fd, buffer, offset + done, length - done, position + done);
      } catch (err) {
        throw ioError(`write to ${what} failed after ${done} of ${length} bytes`, err);
      }
    },
    (done) => {
      throw new StorageError("IO", `write to ${what} made no progress after ${done} of ${length} bytes`);
    },
  );
}

/**
 * Reads exactly `length` bytes at `position` unless the file ends first; returns the bytes read.
 */
export function readFully(
  files: FileSystem,
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
  what: string,
): number {
  return untilDone(
    length,
    (done) => {
      try {
        return files.read(fd, buffer, offset + done, length - done, position + done);
      } catch (err) {
        throw ioError(`read of ${what} failed`, err);
      }
    },
    (done) => done,
  );
}

/** The whole content of a (small) file, or undefined when it does not exist. */
export function readWholeFile(files: FileSystem, path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = files.open(path, "r");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw ioError(`open ${path}`, err);
  }
  try {
    const size = files.fstat(fd).size;
    const buf = Buffer.allocUnsafe(size);
    const n = readFully(files, fd, buf, 0, size, 0, path);
    return buf.subarray(0, n);
  } finally {
    files.close(fd);
  }
}

/**
 * Replaces the content of `path` atomically and durably: write `path.tmp`, fsync it, rename it
 * over `path`, fsync the directory. A crash leaves either the old or the new content.
 */
export async function writeFileAtomically(
  files: FileSystem,
  dir: string,
  name: string,
  content: Buffer,
): Promise<void> {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  let fd: number;
  try {
    fd = files.open(tmp, "w+");
  } catch (err) {
    throw ioError(`open ${tmp}`, err);
  }
  try {
    writeFully(files, fd, content, 0, content.length, 0, tmp);
    await files.fsync(fd);
  } catch (err) {
    throw ioError(`write ${tmp}`, err);
  } finally {
    try {
      files.close(fd);
    } catch {
      // closing a descriptor only fails when it is already invalid
    }
  }
  try {
    await files.renameInBackground(tmp, path);
    await files.syncDir(dir);
  } catch (err) {
    throw ioError(`rename ${tmp} to ${path}`, err);
  }
}
