// How a benchmark script ends: its JSON results written under bench/results/ (or --out), the path
// printed, every child and temp dir cleaned up, and the exit code saying whether a run failed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupNow } from "./cleanup.mjs";
import { REPO_ROOT } from "./proc.mjs";

/** Writes `result` to `out` (default bench/results/<prefix><startedAt>.json), cleans up and exits. */
export function finishRun(result, { out, prefix = "", startedAt, failures }) {
  const file =
    out ?? join(REPO_ROOT, "bench/results", `${prefix}${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nResults: ${file} (${result.minutes} min)`);
  cleanupNow();
  process.exit(failures.length > 0 ? 1 : 0);
}

/** Runs a script's main(); an error is printed, everything cleaned up, and the exit code is 1. */
export function runMain(main) {
  main().catch((err) => {
    console.error(err);
    cleanupNow();
    process.exit(1);
  });
}
