import assert from "node:assert/strict";
import { after, test } from "node:test";
import { killAllBrokerProcesses, launcher } from "./broker-process.js";
import { runCrashTorture, tortureSeed } from "./crash-torture.js";

/*
 * The CI part of the crash torture (see crash-torture.ts): 30 SIGKILL/restart cycles under
 * acks=all load. The seed is printed; WEIR_TORTURE_SEED=<seed> replays the kill schedule, and
 * WEIR_TORTURE_CYCLES changes the count (scripts/crash-torture.mjs runs long ones).
 */

const CYCLES = Number(process.env.WEIR_TORTURE_CYCLES ?? 30);

after(() => killAllBrokerProcesses());

test(`crash torture: ${CYCLES} SIGKILLs under acks=all load lose nothing acknowledged (broker via ${launcher()})`, async (t) => {
  const seed = tortureSeed();
  t.diagnostic(`seed ${seed} (replay with WEIR_TORTURE_SEED=${seed})`);
  const result = await runCrashTorture({ seed, cycles: CYCLES, log: (line) => t.diagnostic(line) });
  t.diagnostic(
    `${result.cycles} cycles in ${(result.elapsedMs / 1000).toFixed(1)} s: ${result.acked} + ${result.ackedCompacted} ` +
      `messages and ${result.commits} commits acknowledged; kills ${JSON.stringify(result.kills)}, ` +
      `${result.killsMidCleaning} mid-cleaning; ${result.batchesScanned} batches in ${result.segmentsScanned} ` +
      `segment files CRC-scanned, ${result.tornTails} torn tail(s)`,
  );
  assert.equal(result.cycles, CYCLES);
  assert.ok(result.acked > 0 && result.ackedCompacted > 0 && result.commits > 0);
});
