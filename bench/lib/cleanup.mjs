// Everything the suite starts is registered here, so that a normal exit, an error, Ctrl-C or
// SIGTERM stops every child process, runs every finalizer and removes every temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children = new Set();
const dirs = new Set();
const finalizers = new Set();
let baseDir = tmpdir();

/** Where temp dirs are made (default: the OS temp dir; it must be a real disk for fsync to mean anything). */
export function setTempBase(dir) {
  baseDir = dir;
}

/** Registers a child process; it is killed (SIGKILL) if still running when the suite ends. */
export function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export function makeTempDir(prefix = "weir-bench-") {
  const dir = mkdtempSync(join(baseDir, prefix));
  dirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** A synchronous function run once at exit (delete a peer's stream, stop a server). Returns its remover. */
export function addFinalizer(fn) {
  finalizers.add(fn);
  return () => finalizers.delete(fn);
}

let cleaned = false;
export function cleanupNow() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const fn of finalizers) {
    try {
      fn();
    } catch (err) {
      console.error(`bench: cleanup step failed: ${err?.message ?? err}`);
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

export function installCleanupHandlers() {
  process.on("exit", cleanupNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}: stopping child processes and removing temp dirs`);
      cleanupNow();
      process.exit(130);
    });
  }
}
