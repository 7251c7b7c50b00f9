import assert from "node:assert/strict";
import { test } from "node:test";
import { renderFields, renderTable } from "../../src/output/table.js";

test("renderTable aligns columns under upper-case headers, numbers to the right, no trailing spaces", () => {
  const text = renderTable(
    [{ header: "topic" }, { header: "partitions", align: "right" }, { header: "note" }],
    [
      ["orders", 12, "busy"],
      ["a", 3, null],
    ],
  );
  assert.equal(
    text,
    ["TOPIC   PARTITIONS  NOTE", "orders          12  busy", "a                3  -"].join("\n"),
  );
});

test("renderTable with no rows prints the header line only", () => {
  assert.equal(renderTable([{ header: "id" }, { header: "host" }], []), "ID  HOST");
});

test("renderFields aligns values after their labels", () => {
  assert.equal(
    renderFields([
      ["topic", "orders"],
      ["replication factor", 3],
      ["rack", undefined],
    ]),
    ["topic               orders", "replication factor  3", "rack                -"].join("\n"),
  );
});
