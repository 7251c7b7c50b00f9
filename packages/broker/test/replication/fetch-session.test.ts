import assert from "node:assert/strict";
import { test } from "node:test";
import { ZERO_UUID } from "@weir/protocol";
import { FetchSessionCache } from "../../src/replication/fetch-session-cache.js";
import {
  type FetchContext,
  type FetchSessionResponse,
  fetchSessionErrorResponse,
} from "../../src/replication/fetch-session-context.js";
import {
  type FetchSessionError,
  FetchSessionErrorCode,
  INVALID_SESSION_ID,
} from "../../src/replication/fetch-session-metadata.js";
import {
  type FetchPartitionResult,
  type FetchPartitionToRead,
  fetchPartitionErrorResult,
} from "../../src/replication/fetch-session-partition.js";
import type {
  FetchContextOptions,
  FetchSessionRequest,
  FetchSessionRequestPartition,
} from "../../src/replication/fetch-session-request.js";

const INT32_MAX = 2 ** 31 - 1;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const NOT_LEADER_OR_FOLLOWER = 6;

/** A partition to fetch: its index, or [index, fetchOffset]. */
type Part = number | [number, number];

function toPartition(p: Part): FetchSessionRequestPartition {
  const [partition, offset] = typeof p === "number" ? [p, 0] : p;
  // int64 fields arrive as bigint from the codecs.
  return {
    partition,
    fetchOffset: BigInt(offset),
    logStartOffset: -1n,
    partitionMaxBytes: 1 << 20,
    currentLeaderEpoch: 3,
    lastFetchedEpoch: -1,
  };
}

/** A request naming topics (v7–12). */
function byName(
  sessionId: number,
  sessionEpoch: number,
  fetch: Record<string, Part[]> = {},
  forget: Record<string, number[]> = {},
): FetchSessionRequest {
  return {
    sessionId,
    sessionEpoch,
    topics: Object.entries(fetch).map(([topic, parts]) => ({
      topic,
      topicId: ZERO_UUID,
      partitions: parts.map(toPartition),
    })),
    forgottenTopicsData: Object.entries(forget).map(([topic, partitions]) => ({
      topic,
      topicId: ZERO_UUID,
      partitions,
    })),
  };
}

/** A request naming topics by id (v13+). */
function byId(
  sessionId: number,
  sessionEpoch: number,
  fetch: Record<string, Part[]> = {},
  forget: Record<string, number[]> = {},
): FetchSessionRequest {
  return {
    sessionId,
    sessionEpoch,
    topics: Object.entries(fetch).map(([topicId, parts]) => ({
      topic: "",
      topicId,
      partitions: parts.map(toPartition),
    })),
    forgottenTopicsData: Object.entries(forget).map(([topicId, partitions]) => ({
      topic: "",
      topicId,
      partitions,
    })),
  };
}

const NAMES: FetchContextOptions = { usesTopicIds: false, isFromFollower: false, topicName: () => undefined };

function idOptions(names: Map<string, string>, isFromFollower = false): FetchContextOptions {
  return { usesTopicIds: true, isFromFollower, topicName: (id) => names.get(id) };
}

/** 16-byte ids in base64url, distinct per seed. */
function topicId(seed: number): string {
  return Buffer.alloc(16, seed).toString("base64url");
}

interface LogState {
  hw: number;
  lso: number;
  logStart: number;
  error: number;
  preferredReadReplica: number;
}

/** The partitions of a pretend broker; a partition returns 10 bytes per record below its high watermark. */
class Logs {
  readonly #logs = new Map<string, LogState>();

  set(topic: string, partition: number, state: Partial<LogState>): void {
    const key = `${topic}-${partition}`;
    const old = this.#logs.get(key) ?? { hw: 0, lso: 0, logStart: 0, error: 0, preferredReadReplica: -1 };
    this.#logs.set(key, { ...old, ...state });
  }

  read(p: FetchPartitionToRead): FetchPartitionResult {
    if (p.topic === undefined) return fetchPartitionErrorResult(FetchSessionErrorCode.UNKNOWN_TOPIC_ID);
    const s = this.#logs.get(`${p.topic}-${p.partition}`);
    if (s === undefined) return fetchPartitionErrorResult(UNKNOWN_TOPIC_OR_PARTITION);
    // An error result still carries the offsets here, so the session must not rely on them changing.
    return {
      errorCode: s.error,
      highWatermark: s.hw,
      lastStableOffset: s.lso,
      logStartOffset: s.logStart,
      recordsSizeInBytes: s.error === 0 && p.fetchOffset < s.hw ? (s.hw - p.fetchOffset) * 10 : 0,
      preferredReadReplica: s.preferredReadReplica,
    };
  }
}

function ok(context: FetchContext | FetchSessionError): FetchContext {
  if (typeof context === "string") assert.fail(`unexpected session error ${context}`);
  return context;
}

/** What a fetch handler does: read every partition, then build the response. */
function serve(context: FetchContext, logs: Logs, now = 0): FetchSessionResponse<FetchPartitionResult> {
  const results = new Map<FetchPartitionToRead, FetchPartitionResult>();
  for (const p of context.partitionsToRead()) results.set(p, logs.read(p));
  return context.buildResponse(results, now);
}

function label(p: FetchPartitionToRead): string {
  return `${p.topic ?? p.topicId}-${p.partition}`;
}

function toRead(context: FetchContext): string[] {
  return [...context.partitionsToRead()].map(label);
}

function sent(response: FetchSessionResponse<FetchPartitionResult>): string[] {
  return [...response.partitions.keys()].map(label);
}

function threeLogs(): Logs {
  const logs = new Logs();
  logs.set("foo", 0, { hw: 10, lso: 10 });
  logs.set("foo", 1, { hw: 20, lso: 20 });
  logs.set("bar", 0, { hw: 5, lso: 5 });
  return logs;
}

/** Creates a session on foo-0, foo-1 fetching from their high watermarks; returns its id. */
function startSession(cache: FetchSessionCache, logs: Logs, now = 0): number {
  const context = ok(
    cache.newContext(
      byName(0, 0, {
        foo: [
          [0, 10],
          [1, 20],
        ],
      }),
      NAMES,
      now,
    ),
  );
  const response = serve(context, logs, now);
  assert.notEqual(response.sessionId, INVALID_SESSION_ID);
  return response.sessionId;
}

test("epoch -1 with session id 0 is a sessionless full fetch of every requested partition", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const context = ok(cache.newContext(byName(0, -1, { foo: [1, 0, [1, 7]], bar: [0, 9] }), NAMES, 0));
  assert.equal(context.kind, "sessionless");
  assert.deepEqual(
    toRead(context),
    ["foo-1", "foo-0", "bar-0", "bar-9"],
    "request order; a repeat keeps its place",
  );
  assert.equal([...context.partitionsToRead()][0].fetchOffset, 7, "and takes the last parameters");
  const response = serve(context, logs);
  assert.equal(response.errorCode, 0);
  assert.equal(response.sessionId, INVALID_SESSION_ID);
  assert.deepEqual(sent(response), ["foo-1", "foo-0", "bar-0", "bar-9"]);
  assert.equal(
    response.partitions.get([...context.partitionsToRead()][3])?.errorCode,
    UNKNOWN_TOPIC_OR_PARTITION,
  );
  assert.equal(cache.size, 0);
});

test("epoch 0 creates a session; an incremental fetch with nothing new returns no partitions", () => {
  const cache = new FetchSessionCache({ random: () => 0.25 });
  const logs = threeLogs();
  const context = ok(
    cache.newContext(
      byName(0, 0, {
        foo: [
          [0, 10],
          [1, 20],
        ],
      }),
      NAMES,
      0,
    ),
  );
  assert.equal(context.kind, "full");
  const first = serve(context, logs);
  assert.equal(first.errorCode, 0);
  assert.ok(first.sessionId > 0);
  assert.deepEqual(sent(first), ["foo-0", "foo-1"]);
  assert.equal(cache.size, 1);
  assert.equal(cache.totalPartitions, 2);

  const incremental = ok(cache.newContext(byName(first.sessionId, 1), NAMES, 10));
  assert.equal(incremental.kind, "incremental");
  assert.deepEqual(toRead(incremental), ["foo-0", "foo-1"], "every partition of the session");
  assert.equal([...incremental.partitionsToRead()][1].fetchOffset, 20, "with the cached fetch offsets");
  const second = serve(incremental, logs, 10);
  assert.deepEqual(second, { errorCode: 0, sessionId: first.sessionId, partitions: new Map() });
  assert.equal(cache.get(first.sessionId)?.epoch, 2);
});

test("an incremental response carries the partitions whose high watermark, LSO or log start offset moved", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);

  logs.set("foo", 1, { hw: 20, lso: 20, logStart: 0 });
  logs.set("foo", 0, { lso: 8 });
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 1), NAMES, 1)), logs)), ["foo-0"]);
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 2), NAMES, 2)), logs)), [], "sent once");

  logs.set("foo", 1, { logStart: 5 });
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 3), NAMES, 3)), logs)), ["foo-1"]);

  // The high watermark moves while the fetcher asks from an offset it cannot read yet.
  logs.set("foo", 0, { hw: 11 });
  const context = ok(cache.newContext(byName(id, 4, { foo: [[0, 11]] }), NAMES, 4));
  const response = serve(context, logs);
  assert.deepEqual(sent(response), ["foo-0"]);
  assert.equal([...response.partitions.values()][0].recordsSizeInBytes, 0);
});

test("partitions with new records are returned and move to the back of the session", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const context = ok(
    cache.newContext(
      byName(0, 0, {
        foo: [
          [0, 10],
          [1, 20],
        ],
        bar: [[0, 5]],
      }),
      NAMES,
      0,
    ),
  );
  const id = serve(context, logs).sessionId;

  logs.set("foo", 0, { hw: 12, lso: 12 });
  logs.set("foo", 1, { logStart: 3 });
  // The fetcher stays at offset 10 of foo-0, so records keep coming until it moves on.
  const second = serve(ok(cache.newContext(byName(id, 1), NAMES, 1)), logs);
  assert.deepEqual(sent(second), ["foo-0", "foo-1"]);
  assert.equal([...second.partitions.values()][0].recordsSizeInBytes, 20);

  const third = ok(cache.newContext(byName(id, 2), NAMES, 2));
  assert.deepEqual(toRead(third), ["foo-1", "bar-0", "foo-0"], "only the partition with records moved");
  assert.deepEqual(
    sent(serve(third, logs)),
    ["foo-0"],
    "records are always sent, even with unchanged offsets",
  );

  const fourth = ok(cache.newContext(byName(id, 3, { foo: [[0, 12]] }), NAMES, 3));
  assert.deepEqual(toRead(fourth), ["foo-1", "bar-0", "foo-0"], "an updated partition keeps its place");
  assert.equal([...fourth.partitionsToRead()][2].fetchOffset, 12);
  assert.deepEqual(sent(serve(fourth, logs)), []);
});

test("errors, preferred read replicas and diverging epochs are always sent; a cleared error is sent again", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);

  logs.set("foo", 0, { error: NOT_LEADER_OR_FOLLOWER });
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 1), NAMES, 1)), logs)), ["foo-0"]);
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 2), NAMES, 2)), logs)), ["foo-0"]);
  logs.set("foo", 0, { error: 0 });
  const cleared = serve(ok(cache.newContext(byName(id, 3), NAMES, 3)), logs);
  assert.deepEqual(sent(cleared), ["foo-0"], "the offsets did not change, but the fetcher last saw an error");
  assert.equal([...cleared.partitions.values()][0].errorCode, 0);
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 4), NAMES, 4)), logs)), []);

  logs.set("foo", 1, { preferredReadReplica: 2 });
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 5), NAMES, 5)), logs)), ["foo-1"]);
  logs.set("foo", 1, { preferredReadReplica: -1 });

  const context = ok(cache.newContext(byName(id, 6), NAMES, 6));
  const results = new Map<FetchPartitionToRead, FetchPartitionResult>();
  for (const p of context.partitionsToRead()) {
    const result = logs.read(p);
    results.set(p, p.partition === 0 ? { ...result, divergingEpoch: { epoch: 2, endOffset: 7 } } : result);
  }
  assert.deepEqual(sent(context.buildResponse(results, 6)), ["foo-0"]);
});

test("an error in the response that creates a session is sent again when it clears", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  logs.set("foo", 0, { error: NOT_LEADER_OR_FOLLOWER });
  const id = startSession(cache, logs);
  logs.set("foo", 0, { error: 0 });
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 1), NAMES, 1)), logs)), ["foo-0"]);
});

test("incremental requests add partitions, update listed ones and forget others", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);

  const context = ok(
    cache.newContext(byName(id, 1, { bar: [[0, 5]], foo: [[1, 15]] }, { foo: [0, 42] }), NAMES, 1),
  );
  assert.deepEqual(toRead(context), ["foo-1", "bar-0"]);
  const [foo1, bar0] = [...context.partitionsToRead()];
  assert.equal(foo1.fetchOffset, 15);
  assert.equal(foo1.currentLeaderEpoch, 3);
  assert.equal(bar0.maxBytes, 1 << 20);
  assert.equal(cache.totalPartitions, 2);
  // foo-1 returns records from 15; bar-0 is new to the session, so it is sent once.
  assert.deepEqual(sent(serve(context, logs)), ["foo-1", "bar-0"]);
  assert.deepEqual(sent(serve(ok(cache.newContext(byName(id, 2, { foo: [[1, 20]] }), NAMES, 2)), logs)), []);
});

test("an incremental request that forgets every partition closes its session and is served sessionless", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);
  const context = ok(cache.newContext(byName(id, 1, {}, { foo: [0, 1] }), NAMES, 1));
  assert.equal(context.kind, "sessionless");
  assert.deepEqual(toRead(context), []);
  assert.deepEqual(serve(context, logs), { errorCode: 0, sessionId: 0, partitions: new Map() });
  assert.equal(cache.size, 0);
  assert.equal(cache.totalPartitions, 0);
});

test("an unknown session or an unexpected epoch is rejected without touching the session", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);
  assert.equal(cache.newContext(byName(id + 1, 1), NAMES, 1), "FETCH_SESSION_ID_NOT_FOUND");
  assert.equal(cache.newContext(byName(0, 1), NAMES, 1), "FETCH_SESSION_ID_NOT_FOUND");
  assert.equal(cache.newContext(byName(id, 2, { bar: [0] }), NAMES, 1), "INVALID_FETCH_SESSION_EPOCH");
  assert.equal(cache.newContext(byName(id, -2), NAMES, 1), "INVALID_FETCH_SESSION_EPOCH");
  assert.deepEqual(fetchSessionErrorResponse("INVALID_FETCH_SESSION_EPOCH"), {
    errorCode: 71,
    sessionId: 0,
    partitions: new Map(),
  });
  assert.equal(fetchSessionErrorResponse("FETCH_SESSION_ID_NOT_FOUND").errorCode, 70);

  const context = ok(cache.newContext(byName(id, 1), NAMES, 1));
  assert.deepEqual(toRead(context), ["foo-0", "foo-1"], "the rejected request added nothing");
  serve(context, logs);
  assert.equal(cache.newContext(byName(id, 1), NAMES, 2), "INVALID_FETCH_SESSION_EPOCH", "a replayed epoch");
});

test("epoch -1 with a session id closes that session and fetches without one", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);
  const context = ok(cache.newContext(byName(id, -1, { bar: [0] }), NAMES, 1));
  assert.equal(context.kind, "sessionless");
  const response = serve(context, logs);
  assert.equal(response.sessionId, 0);
  assert.deepEqual(sent(response), ["bar-0"]);
  assert.equal(cache.size, 0);
  assert.equal(cache.newContext(byName(id, 1), NAMES, 2), "FETCH_SESSION_ID_NOT_FOUND");
});

test("epoch 0 with a session id closes that session and opens a new one", () => {
  let r = 0.1;
  const cache = new FetchSessionCache({ random: () => (r += 0.1) });
  const logs = threeLogs();
  const id = startSession(cache, logs);
  const response = serve(ok(cache.newContext(byName(id, 0, { bar: [0] }), NAMES, 1)), logs);
  assert.ok(response.sessionId > 0);
  assert.notEqual(response.sessionId, id);
  assert.equal(cache.size, 1);
  assert.equal(cache.get(id), undefined);
  assert.deepEqual(toRead(ok(cache.newContext(byName(response.sessionId, 1), NAMES, 2))), ["bar-0"]);
});

test("a full fetch the cache has no room for is answered in full with session id 0", () => {
  const cache = new FetchSessionCache({ maxSlots: 1, evictionMs: 1000 });
  const logs = threeLogs();
  const first = startSession(cache, logs, 0);
  const context = ok(cache.newContext(byName(0, 0, { foo: [0, 1], bar: [0] }), NAMES, 500));
  const response = serve(context, logs, 500);
  assert.equal(response.sessionId, INVALID_SESSION_ID);
  assert.deepEqual(sent(response), ["foo-0", "foo-1", "bar-0"]);
  assert.ok(cache.get(first) !== undefined);

  // Once the first session has gone unused past the eviction time, it gives way.
  const later = serve(ok(cache.newContext(byName(0, 0, { bar: [0] }), NAMES, 1001)), logs, 1001);
  assert.ok(later.sessionId > 0);
  assert.equal(cache.get(first), undefined);
  assert.equal(cache.evictions, 1);
});

test("a follower's full fetch evicts a young consumer session", () => {
  const cache = new FetchSessionCache({ maxSlots: 1, evictionMs: 1000 });
  const logs = threeLogs();
  const consumer = startSession(cache, logs, 0);
  const follower: FetchContextOptions = { ...NAMES, isFromFollower: true };
  const response = serve(ok(cache.newContext(byName(0, 0, { foo: [0] }), follower, 10)), logs, 10);
  assert.ok(response.sessionId > 0);
  assert.equal(cache.get(consumer), undefined);
  assert.equal(cache.get(response.sessionId)?.privileged, true);
});

test("a response built after another request advanced the session answers INVALID_FETCH_SESSION_EPOCH", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);
  const slow = ok(cache.newContext(byName(id, 1), NAMES, 1));
  const fast = ok(cache.newContext(byName(id, 2, {}, { foo: [0] }), NAMES, 2));
  logs.set("foo", 1, { hw: 30, lso: 30 });
  assert.deepEqual(sent(serve(fast, logs)), ["foo-1"]);
  assert.deepEqual(serve(slow, logs), {
    errorCode: FetchSessionErrorCode.INVALID_FETCH_SESSION_EPOCH,
    sessionId: id,
    partitions: new Map(),
  });
  assert.equal(slow.throttledResponse().errorCode, FetchSessionErrorCode.INVALID_FETCH_SESSION_EPOCH);
  assert.deepEqual(ok(cache.newContext(byName(id, 3), NAMES, 3)).throttledResponse(), {
    errorCode: 0,
    sessionId: id,
    partitions: new Map(),
  });
});

test("a throttled full fetch creates no session", () => {
  const cache = new FetchSessionCache();
  const context = ok(cache.newContext(byName(0, 0, { foo: [0] }), NAMES, 0));
  assert.deepEqual(context.throttledResponse(), { errorCode: 0, sessionId: 0, partitions: new Map() });
  assert.equal(cache.size, 0);
});

test("session epochs wrap from Int32.MAX to 1", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const id = startSession(cache, logs);
  const session = cache.get(id)!;
  session.epoch = INT32_MAX;
  assert.equal(cache.newContext(byName(id, 1), NAMES, 1), "INVALID_FETCH_SESSION_EPOCH");
  const context = ok(cache.newContext(byName(id, INT32_MAX), NAMES, 1));
  assert.equal(session.epoch, 1);
  assert.equal(serve(context, logs).errorCode, 0, "the response sees the wrapped epoch as the right one");
  assert.equal(ok(cache.newContext(byName(id, 1), NAMES, 2)).kind, "incremental");
  assert.equal(session.epoch, 2);
});

test("sessions of v13+ requests key partitions by topic id and resolve names through the broker", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const foo = topicId(1);
  const bar = topicId(2);
  const names = new Map([[foo, "foo"]]);
  const options = idOptions(names);

  const full = ok(cache.newContext(byId(0, 0, { [foo]: [[0, 10]], [bar]: [[0, 5]] }), options, 0));
  const [foo0, bar0] = [...full.partitionsToRead()];
  assert.equal(foo0.topic, "foo");
  assert.equal(foo0.topicId, foo);
  assert.equal(bar0.topic, undefined, "an id the broker does not know");
  const first = serve(full, logs);
  assert.equal(first.partitions.get(bar0)?.errorCode, FetchSessionErrorCode.UNKNOWN_TOPIC_ID);
  assert.equal(first.partitions.size, 2);
  const id = first.sessionId;

  // The unknown partition stays in the session and keeps reporting its error.
  const second = serve(ok(cache.newContext(byId(id, 1), options, 1)), logs);
  assert.deepEqual(sent(second), [`${bar}-0`]);

  // Once the broker learns the id, the partition is read under its name.
  names.set(bar, "bar");
  const third = ok(cache.newContext(byId(id, 2), options, 2));
  assert.deepEqual(toRead(third), ["foo-0", "bar-0"]);
  const response = serve(third, logs);
  assert.deepEqual(sent(response), ["bar-0"]);
  assert.equal([...response.partitions.values()][0].errorCode, 0);

  // A resolved name is kept even if the broker forgets the id (deleted topic): the read path
  // answers for it, as in Kafka.
  names.delete(bar);
  assert.deepEqual(toRead(ok(cache.newContext(byId(id, 3), options, 3))), ["foo-0", "bar-0"]);

  // Forgetting by id works whether or not the id is known.
  const forgot = ok(cache.newContext(byId(id, 4, {}, { [bar]: [0] }), options, 4));
  assert.deepEqual(toRead(forgot), ["foo-0"]);
});

test("a topic recreated under a new id is a different partition of the session", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const oldId = topicId(1);
  const newId = topicId(9);
  const names = new Map([[oldId, "foo"]]);
  const options = idOptions(names);
  const id = serve(ok(cache.newContext(byId(0, 0, { [oldId]: [[0, 10]] }), options, 0)), logs).sessionId;

  // The topic is deleted and created again; the client adds the new id before forgetting the old.
  names.delete(oldId);
  names.set(newId, "foo");
  const context = ok(cache.newContext(byId(id, 1, { [newId]: [[0, 0]] }), options, 1));
  const parts = [...context.partitionsToRead()];
  assert.deepEqual(
    parts.map((p) => [p.topic, p.topicId, p.fetchOffset]),
    [
      ["foo", oldId, 10],
      ["foo", newId, 0],
    ],
  );
  // The handler checks each partition's id against the log's, as Kafka's read path does.
  const results = new Map<FetchPartitionToRead, FetchPartitionResult>();
  for (const p of parts) {
    const current = [...names].find(([, name]) => name === p.topic)?.[0];
    results.set(
      p,
      current === p.topicId
        ? logs.read(p)
        : fetchPartitionErrorResult(FetchSessionErrorCode.INCONSISTENT_TOPIC_ID),
    );
  }
  const response = context.buildResponse(results, 1);
  assert.deepEqual(
    [...response.partitions.entries()].map(([p, r]) => [p.topicId, r.errorCode]),
    [
      [oldId, FetchSessionErrorCode.INCONSISTENT_TOPIC_ID],
      [newId, 0],
    ],
  );
  assert.deepEqual(
    [...ok(cache.newContext(byId(id, 2, {}, { [oldId]: [0] }), options, 2)).partitionsToRead()].map(
      (p) => p.topicId,
    ),
    [newId],
  );
});

test("a session answers FETCH_SESSION_TOPIC_ID_ERROR to requests that switch between names and ids", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const byNames = startSession(cache, logs);
  const foo = topicId(1);
  const options = idOptions(new Map([[foo, "foo"]]));
  assert.equal(cache.newContext(byId(byNames, 1), options, 1), "FETCH_SESSION_TOPIC_ID_ERROR");
  const byIds = serve(ok(cache.newContext(byId(0, 0, { [foo]: [0] }), options, 1)), logs).sessionId;
  assert.equal(cache.newContext(byName(byIds, 1), NAMES, 2), "FETCH_SESSION_TOPIC_ID_ERROR");
  assert.equal(fetchSessionErrorResponse("FETCH_SESSION_TOPIC_ID_ERROR").errorCode, 106);
});

test("results for partitions the context did not hand out are not cached", () => {
  const cache = new FetchSessionCache();
  const logs = threeLogs();
  const other = ok(cache.newContext(byName(0, -1, { bar: [0] }), NAMES, 0));
  const [stranger] = [...other.partitionsToRead()];
  const full = ok(cache.newContext(byName(0, 0, { foo: [0] }), NAMES, 0));
  const results = new Map<FetchPartitionToRead, FetchPartitionResult>();
  for (const p of full.partitionsToRead()) results.set(p, logs.read(p));
  results.set(stranger, logs.read(stranger));
  const id = full.buildResponse(results, 0).sessionId;
  assert.deepEqual(toRead(ok(cache.newContext(byName(id, 1), NAMES, 1))), ["foo-0"]);

  const incremental = ok(cache.newContext(byName(id, 2), NAMES, 2));
  const more = new Map<FetchPartitionToRead, FetchPartitionResult>([[stranger, logs.read(stranger)]]);
  assert.deepEqual(sent(incremental.buildResponse(more, 2)), []);
});
