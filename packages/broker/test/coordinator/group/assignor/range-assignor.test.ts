import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RangeAssignor } from "../../../../src/coordinator/group/assignor/range-assignor.js";
import { assignedOnce, byName, describer, groupSpec, type MemberInput } from "./assignor-kit.js";

const assignor = new RangeAssignor();

function assign(members: Record<string, MemberInput>, partitions: Record<string, number>) {
  const result = assignor.assign(groupSpec(members), describer(partitions));
  assert.ok(assignedOnce(result, partitions), "every partition exactly once");
  return result;
}

describe("range assignor", () => {
  it("cuts each topic into contiguous ranges, the first members getting one more", () => {
    const result = assign({ a: { topics: ["t"] }, b: { topics: ["t"] }, c: { topics: ["t"] } }, { t: 7 });
    assert.deepEqual(byName(result.get("a")!, ["t"]), { t: [0, 1, 2] });
    assert.deepEqual(byName(result.get("b")!, ["t"]), { t: [3, 4] });
    assert.deepEqual(byName(result.get("c")!, ["t"]), { t: [5, 6] });
  });

  it("co-partitions topics with the same partition count", () => {
    const result = assign({ m0: { topics: ["t1", "t2"] }, m1: { topics: ["t1", "t2"] } }, { t1: 3, t2: 3 });
    assert.deepEqual(byName(result.get("m0")!, ["t1", "t2"]), { t1: [0, 1], t2: [0, 1] });
    assert.deepEqual(byName(result.get("m1")!, ["t1", "t2"]), { t1: [2], t2: [2] });
  });

  it("splits each topic among its own subscribers only", () => {
    const result = assign({ a: { topics: ["t1"] }, b: { topics: ["t1", "t2"] } }, { t1: 2, t2: 2 });
    assert.deepEqual(byName(result.get("a")!, ["t1", "t2"]), { t1: [0] });
    assert.deepEqual(byName(result.get("b")!, ["t1", "t2"]), { t1: [1], t2: [0, 1] });
  });

  it("orders static members by instance id, so a static member keeps its range under a new member id", () => {
    const before = assign(
      { "member-z": { topics: ["t"], instanceId: "i-1" }, "member-a": { topics: ["t"], instanceId: "i-2" } },
      { t: 4 },
    );
    assert.deepEqual(byName(before.get("member-z")!, ["t"]), { t: [0, 1] });
    const after = assign(
      { "member-b": { topics: ["t"], instanceId: "i-1" }, "member-a": { topics: ["t"], instanceId: "i-2" } },
      { t: 4 },
    );
    assert.deepEqual(byName(after.get("member-b")!, ["t"]), { t: [0, 1] });
    assert.deepEqual(byName(after.get("member-a")!, ["t"]), { t: [2, 3] });
  });

  it("gives nothing to the members beyond the partition count", () => {
    const result = assign({ a: { topics: ["t"] }, b: { topics: ["t"] } }, { t: 1 });
    assert.deepEqual(byName(result.get("b")!, ["t"]), {});
  });
});
