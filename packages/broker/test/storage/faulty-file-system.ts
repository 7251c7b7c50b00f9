/**
 * A FileSystem for fault-injection tests: the real file system, with faults switched on and off
 * by the test — short writes, a full disk (ENOSPC after a byte budget), failing fsyncs, failing
 * reads and opens, and a process crash in the middle of a write (a torn write: a prefix of the
 * bytes reaches the file, then every later call fails, as if the process had died).
 *
 * Faults apply to the files whose path passes `scope` (every file by default), so one log dir
 * can fail while another works.
 */
import { type FileSystem, nodeFileSystem, type OpenFlags } from "../../src/storage/file-system.js";

/** What a simulated crash throws; after it, every call of the file system throws it too. */
export class SimulatedCrash extends Error {
  constructor() {
    super("simulated process crash");
    this.name = "SimulatedCrash";
  }
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOSPC: "no space left on device",
    EIO: "i/o error",
    EDQUOT: "disk quota exceeded",
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? code}, ${syscall}`), { code, syscall });
}

export class FaultyFileSystem implements FileSystem {
  /** Which paths the faults apply to. */
  scope: (path: string) => boolean = () => true;
  /** Bytes that may still be written before ENOSPC (Infinity: no limit). */
  spaceLeft = Number.POSITIVE_INFINITY;
  /** At most this many bytes per write call (short writes). */
  maxBytesPerWrite = Number.POSITIVE_INFINITY;
  /** When set, fsync, fdatasync and directory syncs fail with this errno code. */
  failSyncs: string | undefined;
  /** When set, reads fail with this errno code. */
  failReads: string | undefined;
  /** When set, opening a file fails with this errno code. */
  failOpens: string | undefined;
  /** When set, ftruncate fails with this errno code. */
  failTruncates: string | undefined;
  /** When set, the process "crashes" once this many more bytes were written (a torn write). */
  crashAfterBytes: number | undefined;
  crashed = false;
  readonly counts = { writes: 0, bytesWritten: 0, syncs: 0, failedSyncs: 0 };
  readonly #paths = new Map<number, string>();

  constructor(private readonly base: FileSystem = nodeFileSystem) {}

  /** Every descriptor still open, as the kernel would close them when the process dies. */
  closeAllDescriptors(): void {
    for (const fd of this.#paths.keys()) {
      try {
        this.base.close(fd);
      } catch {
        // already closed
      }
    }
    this.#paths.clear();
  }

  /** Switches every fault off (the crash stays: a dead process stays dead). */
  heal(): void {
    this.spaceLeft = Number.POSITIVE_INFINITY;
    this.maxBytesPerWrite = Number.POSITIVE_INFINITY;
    this.failSyncs = undefined;
    this.failReads = undefined;
    this.failOpens = undefined;
    this.failTruncates = undefined;
    this.crashAfterBytes = undefined;
  }

  #alive(): void {
    if (this.crashed) throw new SimulatedCrash();
  }

  #inScopeFd(fd: number): boolean {
    const path = this.#paths.get(fd);
    return path !== undefined && this.scope(path);
  }

  open(path: string, flags: OpenFlags): number {
    this.#alive();
    if (this.scope(path)) {
      if (this.failOpens !== undefined) throw errno(this.failOpens, "open");
      if (flags !== "r" && flags !== "r+" && this.spaceLeft <= 0 && this.base.stat(path) === undefined) {
        throw errno("ENOSPC", "open");
      }
    }
    const fd = this.base.open(path, flags);
    this.#paths.set(fd, path);
    return fd;
  }

  close(fd: number): void {
    this.#alive();
    this.#paths.delete(fd);
    this.base.close(fd);
  }

  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number {
    this.#alive();
    if (!this.#inScopeFd(fd)) return this.base.write(fd, buffer, offset, length, position);
    this.counts.writes++;
    let n = Math.min(length, this.maxBytesPerWrite);
    if (this.spaceLeft <= 0 && n > 0) throw errno("ENOSPC", "write");
    n = Math.min(n, this.spaceLeft);
    let crash = false;
    if (this.crashAfterBytes !== undefined && n >= this.crashAfterBytes) {
      n = this.crashAfterBytes;
      crash = true;
    }
    const written = n > 0 ? this.base.write(fd, buffer, offset, n, position) : 0;
    this.counts.bytesWritten += written;
    if (Number.isFinite(this.spaceLeft)) this.spaceLeft -= written;
    if (this.crashAfterBytes !== undefined) this.crashAfterBytes -= written;
    if (crash) {
      this.crashed = true;
      throw new SimulatedCrash();
    }
    return written;
  }

  writev(fd: number, buffers: readonly Uint8Array[], position: number | null): number {
    // Gathering writes as one write of the concatenation, so every fault applies to them too.
    const all = Buffer.concat(buffers);
    return this.write(fd, all, 0, all.length, position);
  }

  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#alive();
    if (this.failReads !== undefined && this.#inScopeFd(fd)) throw errno(this.failReads, "read");
    return this.base.read(fd, buffer, offset, length, position);
  }

  async fsync(fd: number): Promise<void> {
    return this.#sync(fd, () => this.base.fsync(fd), "fsync");
  }

  async fdatasync(fd: number): Promise<void> {
    return this.#sync(fd, () => this.base.fdatasync(fd), "fdatasync");
  }

  async #sync(fd: number, run: () => Promise<void>, syscall: string): Promise<void> {
    this.#alive();
    this.counts.syncs++;
    if (this.failSyncs !== undefined && this.#inScopeFd(fd)) {
      this.counts.failedSyncs++;
      throw errno(this.failSyncs, syscall);
    }
    await run();
  }

  ftruncate(fd: number, length: number): void {
    this.#alive();
    if (this.failTruncates !== undefined && this.#inScopeFd(fd)) throw errno(this.failTruncates, "ftruncate");
    this.base.ftruncate(fd, length);
  }

  fstat(fd: number) {
    this.#alive();
    return this.base.fstat(fd);
  }

  stat(path: string) {
    this.#alive();
    return this.base.stat(path);
  }

  rename(from: string, to: string): void {
    this.#alive();
    this.base.rename(from, to);
  }

  async renameInBackground(from: string, to: string): Promise<void> {
    this.#alive();
    return this.base.renameInBackground(from, to);
  }

  unlink(path: string): void {
    this.#alive();
    this.base.unlink(path);
  }

  readdir(path: string): string[] {
    this.#alive();
    if (this.failReads !== undefined && this.scope(path)) throw errno(this.failReads, "scandir");
    return this.base.readdir(path);
  }

  mkdir(path: string): void {
    this.#alive();
    this.base.mkdir(path);
  }

  async rm(path: string): Promise<void> {
    this.#alive();
    return this.base.rm(path);
  }

  async syncDir(path: string): Promise<void> {
    this.#alive();
    this.counts.syncs++;
    if (this.failSyncs !== undefined && this.scope(path)) {
      this.counts.failedSyncs++;
      throw errno(this.failSyncs, "fsync");
    }
    return this.base.syncDir(path);
  }

  statfs(path: string) {
    return this.base.statfs(path);
  }
}
