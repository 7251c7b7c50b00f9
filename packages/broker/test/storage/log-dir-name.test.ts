import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deleteDirName,
  isDeleteDirName,
  isLegalTopicName,
  logDirName,
  parseLogDirName,
} from "../../src/storage/log-dir-name.js";

describe("log dir names", () => {
  it("round-trips topics with dashes and dots", () => {
    for (const topic of ["a", "my-topic", "a-b-c-12", "__consumer_offsets", "x.y-z", "-lead", "trail-"]) {
      for (const partition of [0, 7, 123456]) {
        assert.deepEqual(parseLogDirName(logDirName({ topic, partition })), { topic, partition });
      }
    }
  });

  it("rejects what is not a live log directory", () => {
    for (const name of [
      "topic",
      "topic-",
      "-1",
      "topic-x",
      "topic-1.5",
      "topic-99999999999",
      "t-0-delete",
      "t-0-future",
    ]) {
      assert.equal(parseLogDirName(name), undefined, name);
    }
    const del = deleteDirName({ topic: "my-topic", partition: 3 }, "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
    assert.equal(del, "my-topic-3.1b4e28ba2fa111d2883f0016d3cca427-delete");
    assert.ok(isDeleteDirName(del));
    assert.equal(parseLogDirName(del), undefined);
    assert.ok(!isLegalTopicName(".."));
    assert.ok(!isLegalTopicName("a/b"));
    assert.ok(!isLegalTopicName("x".repeat(250)));
  });
});
