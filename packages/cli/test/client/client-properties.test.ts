import assert from "node:assert/strict";
import { test } from "node:test";
import { splitProperties } from "../../src/client/client-properties.js";

test("client properties are sorted by the client that uses them; unknown names are reported", () => {
  assert.deepEqual(
    splitProperties({
      "client.id": "x",
      "request.timeout.ms": "1000",
      "linger.ms": "10",
      "compression.type": "lz4",
      "default.api.timeout.ms": "5000",
      "group.id": "g",
      "sasl.mechanism": "PLAIN",
    }),
    {
      client: { "client.id": "x", "request.timeout.ms": "1000" },
      producer: { "linger.ms": "10", "compression.type": "lz4" },
      consumer: { "default.api.timeout.ms": "5000", "group.id": "g" },
      admin: { "default.api.timeout.ms": "5000" },
      unknown: ["sasl.mechanism"],
    },
  );
});
