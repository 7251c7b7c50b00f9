import assert from "node:assert/strict";
import { test } from "node:test";
import { ZERO_UUID } from "@weir/protocol";
import { seededRandom } from "../../src/metadata/ports.js";
import {
  isReservedUuid,
  isUuidString,
  METADATA_TOPIC_ID,
  randomUuid,
} from "../../src/metadata/random-uuid.js";
import {
  findCollision,
  invalidTopicNameReason,
  isInternalTopic,
  validateTopicName,
} from "../../src/metadata/topic-name.js";

test("Kafka's topic name rules", () => {
  assert.equal(invalidTopicNameReason("orders-v1.EU_2"), null);
  assert.equal(invalidTopicNameReason(""), "the empty string is not allowed");
  assert.equal(invalidTopicNameReason("."), "'.' is not allowed");
  assert.equal(invalidTopicNameReason(".."), "'..' is not allowed");
  assert.equal(invalidTopicNameReason("..."), null);
  assert.match(invalidTopicNameReason("x".repeat(250))!, /longer than the max allowed length 249/);
  assert.equal(invalidTopicNameReason("x".repeat(249)), null);
  assert.match(
    validateTopicName("a*b")!,
    /^Topic name is invalid: 'a\*b' contains one or more characters other than/,
  );
  assert.ok(isInternalTopic("__consumer_offsets"));
  assert.ok(isInternalTopic("__transaction_state"));
  assert.ok(!isInternalTopic("__other"));
});

test("'.'/'_' collisions, deterministic choice", () => {
  assert.equal(findCollision("a_b", ["a.b", "c"]), "a.b");
  assert.equal(findCollision("a.b", ["a.b"]), undefined, "a name does not collide with itself");
  assert.equal(findCollision("ab", ["ab"]), undefined);
  assert.equal(findCollision("a_b_c", ["a.b_c", "a_b.c"]), "a.b_c");
});

test("random UUIDs: 22-char base64url, version 4, never reserved or starting with '-'", () => {
  const random = seededRandom(123);
  for (let i = 0; i < 2000; i++) {
    const id = randomUuid(random);
    assert.ok(isUuidString(id), id);
    assert.notEqual(id, ZERO_UUID);
    assert.ok(!id.startsWith("-"));
    assert.ok(!isReservedUuid(id));
    const bytes = Buffer.from(id, "base64url");
    assert.equal(bytes[6]! >> 4, 4);
    assert.equal(bytes[8]! >> 6, 2);
  }
  assert.ok(isReservedUuid(ZERO_UUID));
  assert.ok(isReservedUuid(METADATA_TOPIC_ID));
  assert.equal(randomUuid(seededRandom(5)), randomUuid(seededRandom(5)));
  assert.ok(!isUuidString("short"));
});

test("a Random whose bytes would give a reserved or '-' id is asked again", () => {
  let calls = 0;
  const scripted = {
    nextBytes: (n: number) => {
      calls++;
      // first: 0xf8 leads to a '-' first character (62 << 2); then a normal id
      return calls === 1 ? Buffer.alloc(n, 0xf8) : Buffer.alloc(n, 0x11);
    },
    nextInt: () => 0,
  };
  const id = randomUuid(scripted);
  assert.equal(calls, 2);
  assert.ok(!id.startsWith("-"));
});
