import assert from "node:assert/strict";
import { after } from "node:test";

/**
 * Fails the test file if any promise rejection went unhandled or anything was thrown uncaught
 * while it ran: the client must never leave either behind, whatever the broker does.
 */
export function failOnUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", onRejection);
  after(() => {
    process.off("unhandledRejection", onRejection);
    assert.deepEqual(seen, [], "unhandled promise rejections");
  });
}
