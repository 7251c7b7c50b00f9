import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { SUPPORTED_APIS_BEGIN, SUPPORTED_APIS_END, supportedApisMarkdown } from "../../src/index.js";

test("the README's table of supported APIs matches the handler registry (npm run docs:apis)", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../../../../README.md", import.meta.url)), "utf8");
  const start = readme.indexOf(SUPPORTED_APIS_BEGIN);
  const end = readme.indexOf(SUPPORTED_APIS_END);
  assert.ok(start >= 0 && end > start, "README.md has the supported-apis markers");
  assert.equal(readme.slice(start, end + SUPPORTED_APIS_END.length), supportedApisMarkdown());
});
