import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Writer } from "@weir/protocol";
import { subscribedTopicsOf } from "../../../src/coordinator/group/consumer-protocol.js";
import { subscription } from "./harness.js";

describe("ConsumerProtocolSubscription topics", () => {
  it("reads the topic list of any version", () => {
    assert.deepEqual(subscribedTopicsOf(subscription(["a", "b"])), ["a", "b"]);
    // v3 carries more fields after the topics (user data, owned partitions, generation, rack).
    const v3 = new Writer()
      .int16(3)
      .arrayLength(1)
      .string("x")
      .nullableBytes(null)
      .arrayLength(0)
      .int32(5)
      .toBuffer();
    assert.deepEqual(subscribedTopicsOf(v3), ["x"]);
  });

  it("returns null for bytes that are not a subscription", () => {
    assert.equal(subscribedTopicsOf(Buffer.from([0, 0, 0x7f, 0, 0, 0])), null);
    assert.equal(subscribedTopicsOf(Buffer.alloc(0)), null);
  });
});
