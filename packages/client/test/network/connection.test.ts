import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiKey, encodeResponseHeader, Writer } from "@weir/protocol";
import {
  MalformedResponseError,
  NetworkError,
  TimeoutError,
  UnsupportedVersionError,
} from "../../src/errors.js";
import { clientVersionRange } from "../../src/network/api-versions.js";
import { Connection, type ConnectionOptions } from "../../src/network/connection.js";
import { apiVersionsBody, closedPort, FakeBroker } from "../support/fake-broker.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

function options(port: number, overrides: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    host: "127.0.0.1",
    port,
    label: `test broker (127.0.0.1:${port})`,
    clientId: "connection-test",
    connectionTimeoutMs: 2000,
    requestTimeoutMs: 2000,
    maxInFlight: 5,
    ...overrides,
  };
}

const metadataBody = { topics: [], allowAutoTopicCreation: false };

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.destroy();
});

describe("Connection against the Weir broker", () => {
  it("negotiates the highest version both sides know", async () => {
    const c = await Connection.open(options(broker.port));
    try {
      for (const apiKey of [
        ApiKey.Produce,
        ApiKey.Fetch,
        ApiKey.Metadata,
        ApiKey.ListOffsets,
        ApiKey.CreateTopics,
      ]) {
        const theirs = c.versions.broker(apiKey);
        assert.ok(theirs, `the broker serves API ${apiKey}`);
        assert.equal(c.version(apiKey), Math.min(theirs.max, clientVersionRange(apiKey).max));
      }
      assert.equal(c.version(ApiKey.Metadata, 1, 9), 9, "capped by the caller's range");
    } finally {
      c.close();
    }
  });

  it("says which versions each side has when they share none", async () => {
    const fake = await FakeBroker.start();
    try {
      const c = await Connection.open(options(fake.port));
      assert.throws(
        () => c.version(ApiKey.Metadata, 0, 0),
        (err) => {
          assert.ok(err instanceof UnsupportedVersionError);
          assert.equal(err.name, "UNSUPPORTED_VERSION");
          assert.match(err.message, /supports v1–v12; the client needs Metadata v0–v0/);
          return true;
        },
      );
      assert.throws(() => c.version(ApiKey.Produce), /does not support it/);
      c.close();
    } finally {
      await fake.close();
    }
  });

  it("pipelines requests up to max in flight and answers every one in order", async () => {
    const c = await Connection.open(options(broker.port, { maxInFlight: 3 }));
    try {
      const version = c.version(ApiKey.Metadata);
      const all = Array.from({ length: 20 }, () => c.send(ApiKey.Metadata, version, metadataBody));
      assert.equal(c.inFlight, 3);
      assert.equal(c.queued, 17);
      const responses = await Promise.all(all);
      assert.equal(responses.length, 20);
      for (const r of responses) assert.equal(r.brokers[0].nodeId, broker.nodeId);
      assert.equal(c.inFlight + c.queued, 0);
    } finally {
      c.close();
    }
  });
});

describe("Connection failures", () => {
  it("fails with NETWORK_EXCEPTION when nothing listens", async () => {
    const port = await closedPort();
    await assert.rejects(Connection.open(options(port)), (err) => {
      assert.ok(err instanceof NetworkError);
      assert.equal(err.name, "NETWORK_EXCEPTION");
      assert.equal(err.code, 13);
      assert.equal(err.retriable, true);
      assert.match(err.message, /could not connect to test broker .*ECONNREFUSED/);
      return true;
    });
  });

  it("times out a handshake the broker never answers", async () => {
    const fake = await FakeBroker.start(() => "silent");
    try {
      await assert.rejects(Connection.open(options(fake.port, { connectionTimeoutMs: 200 })), (err) => {
        assert.ok(err instanceof TimeoutError);
        assert.equal(err.name, "REQUEST_TIMED_OUT");
        return true;
      });
    } finally {
      await fake.close();
    }
  });

  it("times out a request, closes the connection and fails the requests behind it", async () => {
    const fake = await FakeBroker.start((req) => (req.apiKey === ApiKey.ApiVersions ? undefined : "silent"));
    try {
      const c = await Connection.open(options(fake.port, { requestTimeoutMs: 150 }));
      const first = c.send(ApiKey.Metadata, 12, metadataBody);
      const second = c.send(ApiKey.Metadata, 12, metadataBody);
      await assert.rejects(
        first,
        (err) => err instanceof TimeoutError && /got no response within 150 ms/.test(err.message),
      );
      await assert.rejects(second, (err) => err instanceof NetworkError && err.retriable);
      assert.equal(c.closed, true);
    } finally {
      await fake.close();
    }
  });

  it("fails in-flight requests with NETWORK_EXCEPTION when the broker dies mid-request", async () => {
    const fake = await FakeBroker.start((req) => (req.apiKey === ApiKey.ApiVersions ? undefined : "close"));
    try {
      const c = await Connection.open(options(fake.port));
      let closedWith: unknown;
      c.onClose((err) => {
        closedWith = err;
      });
      await assert.rejects(c.send(ApiKey.Metadata, 12, metadataBody), (err) => {
        assert.ok(err instanceof NetworkError);
        assert.match(err.message, /closed by the broker/);
        return true;
      });
      assert.ok(closedWith instanceof NetworkError);
      await assert.rejects(
        c.send(ApiKey.Metadata, 12, metadataBody),
        NetworkError,
        "a closed connection refuses requests",
      );
    } finally {
      await fake.close();
    }
  });

  it("reports a malformed response as MalformedResponseError and closes the connection", async () => {
    const fake = await FakeBroker.start((req) => {
      if (req.apiKey === ApiKey.ApiVersions) return undefined;
      const w = new Writer();
      w.int32(0);
      encodeResponseHeader(w, 1, { correlationId: req.correlationId });
      w.int32(7); // a truncated Metadata body
      const raw = w.toBuffer();
      raw.writeInt32BE(raw.length - 4, 0);
      return { raw };
    });
    try {
      const c = await Connection.open(options(fake.port));
      await assert.rejects(c.send(ApiKey.Metadata, 12, metadataBody), (err) => {
        assert.ok(err instanceof MalformedResponseError);
        assert.equal(err.name, "NETWORK_EXCEPTION");
        assert.match(err.message, /malformed Metadata v12 response/);
        assert.ok(err.cause instanceof Error);
        return true;
      });
      assert.equal(c.closed, true);
    } finally {
      await fake.close();
    }
  });

  it("rejects a response frame with an impossible size", async () => {
    const fake = await FakeBroker.start((req) => {
      if (req.apiKey === ApiKey.ApiVersions) return undefined;
      const raw = Buffer.alloc(8);
      raw.writeInt32BE(-5, 0);
      return { raw };
    });
    try {
      const c = await Connection.open(options(fake.port));
      await assert.rejects(c.send(ApiKey.Metadata, 12, metadataBody), MalformedResponseError);
    } finally {
      await fake.close();
    }
  });

  it("asks again with an older ApiVersions when the broker answers UNSUPPORTED_VERSION (KIP-511)", async () => {
    const fake = await FakeBroker.start((req) => {
      if (req.apiKey !== ApiKey.ApiVersions) return undefined;
      if (req.version > 2) {
        // An older broker answers in v0, with its own ApiVersions range.
        const w = new Writer();
        w.int32(0).int32(req.correlationId).int16(35).int32(1).int16(18).int16(0).int16(2);
        const raw = w.toBuffer();
        raw.writeInt32BE(raw.length - 4, 0);
        return { raw };
      }
      return { body: apiVersionsBody({ 0: [3, 8], 3: [1, 9], 18: [0, 2] }) };
    });
    try {
      const c = await Connection.open(options(fake.port));
      assert.deepEqual(
        fake.requests.map((r) => r.version),
        [4, 2],
      );
      assert.equal(c.version(ApiKey.Produce), 8);
      c.close();
    } finally {
      await fake.close();
    }
  });
});
