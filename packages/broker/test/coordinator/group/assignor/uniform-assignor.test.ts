import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UniformAssignor } from "../../../../src/coordinator/group/assignor/uniform-assignor.js";
import { assignedOnce, byName, counts, describer, groupSpec, type MemberInput } from "./assignor-kit.js";

const assignor = new UniformAssignor();

function assign(members: Record<string, MemberInput>, partitions: Record<string, number>) {
  const result = assignor.assign(groupSpec(members), describer(partitions));
  assert.ok(assignedOnce(result, partitions), "every partition exactly once");
  return result;
}

describe("uniform assignor", () => {
  it("balances a homogeneous group to within one partition", () => {
    const result = assign(
      { a: { topics: ["t", "u"] }, b: { topics: ["t", "u"] }, c: { topics: ["t", "u"] } },
      { t: 4, u: 3 },
    );
    assert.deepEqual(counts(result).sort(), [2, 2, 3]);
  });

  it("is sticky: a new member takes partitions only from those above their quota", () => {
    const result = assign(
      {
        a: { topics: ["t"], owns: { t: [0, 1, 2, 3] } },
        b: { topics: ["t"], owns: { t: [4, 5, 6, 7] } },
        c: { topics: ["t"] },
      },
      { t: 8 },
    );
    assert.deepEqual(counts(result), [3, 3, 2]);
    // a and b keep three of their own each; c gets one from each.
    for (const [member, owned] of [
      ["a", [0, 1, 2, 3]],
      ["b", [4, 5, 6, 7]],
    ] as const) {
      const kept = byName(result.get(member)!, ["t"]).t!;
      assert.ok(
        kept.every((p) => owned.includes(p as never)),
        `${member} keeps its own`,
      );
    }
  });

  it("is sticky when a member leaves: the others keep theirs and share its partitions", () => {
    const result = assign(
      { a: { topics: ["t"], owns: { t: [0, 3] } }, c: { topics: ["t"], owns: { t: [2, 5] } } },
      { t: 6 },
    );
    assert.deepEqual(counts(result), [3, 3]);
    assert.ok([0, 3].every((p) => byName(result.get("a")!, ["t"]).t!.includes(p)));
    assert.ok([2, 5].every((p) => byName(result.get("c")!, ["t"]).t!.includes(p)));
  });

  it("drops partitions of topics that shrank or were unsubscribed", () => {
    const result = assign(
      { a: { topics: ["t"], owns: { t: [0, 9], gone: [0] } }, b: { topics: ["t"] } },
      { t: 2 },
    );
    assert.deepEqual(byName(result.get("a")!, ["t", "gone"]), { t: [0] });
    assert.deepEqual(byName(result.get("b")!, ["t"]), { t: [1] });
  });

  it("balances a heterogeneous group as far as the subscriptions allow", () => {
    const result = assign(
      {
        a: { topics: ["t1"] },
        b: { topics: ["t1", "t2"] },
        c: { topics: ["t1", "t2", "t3"] },
      },
      { t1: 3, t2: 3, t3: 3 },
    );
    assert.deepEqual(counts(result), [3, 3, 3]);
    assert.deepEqual(byName(result.get("a")!, ["t1", "t2", "t3"]), { t1: [0, 1, 2] });
    assert.deepEqual(byName(result.get("c")!, ["t1", "t2", "t3"]), { t3: [0, 1, 2] });
  });

  it("keeps a heterogeneous member's partitions when it can and moves the fewest when not", () => {
    const result = assign(
      {
        a: { topics: ["t1", "t2"], owns: { t1: [0, 1, 2, 3], t2: [0, 1] } },
        b: { topics: ["t2"] },
      },
      { t1: 4, t2: 2 },
    );
    // b can only take t2: a keeps all of t1 and gives b both of t2.
    assert.deepEqual(byName(result.get("a")!, ["t1", "t2"]), { t1: [0, 1, 2, 3] });
    assert.deepEqual(byName(result.get("b")!, ["t1", "t2"]), { t2: [0, 1] });
  });

  it("gives every member an entry, and nothing when there are no partitions", () => {
    const result = assign({ a: { topics: ["t"] }, b: { topics: ["t"] }, c: { topics: ["t"] } }, { t: 1 });
    assert.deepEqual(counts(result), [1, 0, 0]);
    assert.deepEqual(counts(assign({ a: { topics: ["missing"] } }, {})), [0]);
  });
});
