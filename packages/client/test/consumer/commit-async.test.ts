import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiKey, ErrorCode, type FindCoordinatorRequest } from "@weir/protocol";
import { KafkaError } from "../../src/errors.js";
import { Kafka } from "../../src/kafka.js";
import { apiVersionsBody, FakeBroker, metadataBody } from "../support/fake-broker.js";

describe("commitAsync", () => {
  it("reports a coordinator that cannot be found within default.api.timeout.ms, and close() does not wait forever", async () => {
    let lookups = 0;
    const fake: FakeBroker = await FakeBroker.start((req) => {
      if (req.apiKey === ApiKey.ApiVersions) {
        return { body: apiVersionsBody({ 3: [1, 12], 18: [0, 4], 10: [4, 4], 8: [2, 9] }) };
      }
      if (req.apiKey === ApiKey.Metadata) return { body: metadataBody(fake.port) };
      if (req.apiKey === ApiKey.FindCoordinator) {
        lookups++;
        const keys = (req.body as FindCoordinatorRequest).coordinatorKeys ?? [];
        return {
          body: {
            throttleTimeMs: 0,
            coordinators: keys.map((key) => ({
              key,
              nodeId: -1,
              host: "",
              port: -1,
              errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
              errorMessage: null,
            })),
          },
        };
      }
      return "silent";
    });
    const kafka = new Kafka({ bootstrapServers: [`127.0.0.1:${fake.port}`], retryBackoffMs: 20 });
    const consumer = kafka.consumer({ groupId: "g", defaultApiTimeoutMs: 400, enableAutoCommit: false });
    try {
      consumer.assign([{ topic: "t", partition: 0 }]);
      let hang: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        new Promise<unknown>((resolve) =>
          consumer.commitAsync([{ topic: "t", partition: 0, offset: 5 }], (err) => resolve(err)),
        ),
        new Promise<string>((resolve) => {
          hang = setTimeout(() => resolve("no callback within 10 s"), 10_000);
        }),
      ]);
      clearTimeout(hang);
      assert.ok(outcome instanceof KafkaError, `a KafkaError, got ${String(outcome)}`);
      assert.equal(outcome.name, "COORDINATOR_NOT_AVAILABLE");
      assert.match(outcome.message, /time budget/);
      assert.ok(lookups >= 2, `FindCoordinator was retried (${lookups} lookups)`);
    } finally {
      await consumer.close();
      await fake.close();
    }
  });
});
