import assert from "node:assert/strict";
import { test } from "node:test";
import { ZERO_UUID } from "@weir/protocol";
import { FetchSessionCache } from "../../src/replication/fetch-session-cache.js";
import { INVALID_SESSION_ID } from "../../src/replication/fetch-session-metadata.js";
import { FetchSessionPartition } from "../../src/replication/fetch-session-partition.js";

/** A deterministic source of [0, 1) numbers. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

function partitions(count: number): () => Map<string, FetchSessionPartition> {
  return () => {
    const map = new Map<string, FetchSessionPartition>();
    for (let i = 0; i < count; i++) {
      const key = `t:${i}`;
      map.set(
        key,
        new FetchSessionPartition(key, "t", ZERO_UUID, i, {
          partition: i,
          fetchOffset: 0,
          partitionMaxBytes: 1,
        }),
      );
    }
    return map;
  };
}

function create(cache: FetchSessionCache, now: number, size: number, privileged = false): number {
  return cache.maybeCreateSession(now, privileged, size, false, partitions(size));
}

function assertCached(cache: FetchSessionCache, ...ids: number[]): void {
  for (const id of ids) assert.ok(cache.get(id) !== undefined, `session ${id} should be cached`);
  assert.equal(cache.size, ids.length);
}

test("session ids are positive, below Int32.MAX and unique even when the random source repeats itself", () => {
  const cache = new FetchSessionCache({ maxSlots: 5, random: () => 0.5 });
  const ids = [1, 2, 3, 4, 5].map((i) => create(cache, i, 1));
  assert.equal(new Set(ids).size, 5);
  for (const id of ids) assert.ok(id > 0 && id < 2 ** 31 - 1);

  const edge = new FetchSessionCache({ maxSlots: 3, random: () => 0.9999999999999999 });
  const edgeIds = [create(edge, 0, 1), create(edge, 0, 1), create(edge, 0, 1)];
  assert.deepEqual(edgeIds, [2 ** 31 - 2, 1, 2], "probing wraps within [1, Int32.MAX - 1]");
});

test("a full cache refuses young sessions, then evicts the least recently used stale one", () => {
  const cache = new FetchSessionCache({ maxSlots: 3, evictionMs: 100, random: seeded(7) });
  const a = create(cache, 0, 10);
  const b = create(cache, 10, 20);
  const c = create(cache, 20, 30);
  assert.equal(
    create(cache, 30, 40),
    INVALID_SESSION_ID,
    "no session is old enough to give way, even to a bigger one",
  );
  assertCached(cache, a, b, c);
  assert.equal(cache.totalPartitions, 60);

  cache.touch(cache.get(a)!, 200);
  // b (last used at 10) and c (20) are stale at 210: the least recently used goes, whatever its size.
  const d = create(cache, 210, 1);
  assertCached(cache, a, c, d);
  assert.equal(cache.evictions, 1);
  assert.equal(cache.totalPartitions, 41);
});

test("without stale sessions, a bigger session evicts the smallest old one; privileged outranks unprivileged", () => {
  const cache = new FetchSessionCache({ maxSlots: 3, evictionMs: 100, random: seeded(11) });
  const a = create(cache, 0, 10);
  const c = create(cache, 20, 30);
  const d = create(cache, 210, 11);
  cache.touch(cache.get(a)!, 400);
  cache.touch(cache.get(c)!, 390);
  cache.touch(cache.get(d)!, 400);
  // Nobody is stale at 410; all three were older than 100 ms when last used. a (10) is the smallest.
  const e = create(cache, 410, 50);
  assertCached(cache, c, d, e);
  // The smallest evictable is now d (11): a 5-partition consumer session is worth less.
  assert.equal(create(cache, 410, 5), INVALID_SESSION_ID);
  // An equally sized one loses the tie too.
  assert.equal(create(cache, 410, 11), INVALID_SESSION_ID);
  // A privileged (follower) session outranks any consumer session, whatever the sizes.
  const f = create(cache, 410, 5, true);
  assertCached(cache, c, e, f);
  assert.equal(cache.evictions, 2);
});

test("young sessions are safe from consumers but a privileged newcomer evicts young consumer sessions", () => {
  const cache = new FetchSessionCache({ maxSlots: 2, evictionMs: 1000, random: seeded(3) });
  const follower = create(cache, 0, 1, true);
  const consumer = create(cache, 0, 100);
  assert.equal(create(cache, 10, 500), INVALID_SESSION_ID);
  const follower2 = create(cache, 10, 1, true);
  assertCached(cache, follower, follower2);
  assert.ok(cache.get(consumer) === undefined);
  // Young privileged sessions are not evictable, not even by another follower.
  assert.equal(create(cache, 20, 1000, true), INVALID_SESSION_ID);
  // Once old (as of their last use), a privileged session yields to a bigger privileged one.
  cache.touch(cache.get(follower)!, 1500);
  cache.touch(cache.get(follower2)!, 1500);
  const follower3 = create(cache, 1600, 2, true);
  // Equally sized and equally old: the lower id goes first.
  assertCached(cache, follower3, Math.max(follower, follower2));
});

test("evictability is judged at the session's last use, as Kafka does", () => {
  const cache = new FetchSessionCache({ maxSlots: 1, evictionMs: 100, random: seeded(5) });
  const a = create(cache, 0, 1);
  cache.touch(cache.get(a)!, 90); // 90 ms old at its last use: not yet evictable by size
  assert.equal(create(cache, 150, 50), INVALID_SESSION_ID, "neither stale (60 ms) nor evictable");
  cache.touch(cache.get(a)!, 150); // now 150 ms old at its last use
  const b = create(cache, 160, 50);
  assertCached(cache, b);
});

test("a cache with no slots creates no sessions", () => {
  const cache = new FetchSessionCache({ maxSlots: 0 });
  assert.equal(create(cache, 0, 1, true), INVALID_SESSION_ID);
  assert.equal(cache.size, 0);
});

test("remove and touch keep the cached partition count in step with the sessions", () => {
  const cache = new FetchSessionCache({ maxSlots: 2, random: seeded(9) });
  const a = create(cache, 0, 2);
  const b = create(cache, 0, 4);
  assert.equal(cache.totalPartitions, 6);
  const session = cache.get(b)!;
  session.partitions.delete("t:0");
  assert.equal(cache.totalPartitions, 6, "re-accounted on the next touch");
  cache.touch(session, 5);
  assert.equal(cache.totalPartitions, 5);
  assert.equal(cache.remove(a)?.id, a);
  assert.equal(cache.remove(a), undefined);
  assert.equal(cache.totalPartitions, 3);
  assert.equal(cache.evictions, 0);
});
