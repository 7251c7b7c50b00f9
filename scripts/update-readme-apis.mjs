#!/usr/bin/env node
// Rewrites the supported-APIs table in README.md from the broker's handler registry.
import { readFileSync, writeFileSync } from "node:fs";
import { SUPPORTED_APIS_BEGIN, SUPPORTED_APIS_END, supportedApisMarkdown } from "@weir/broker";

const readme = readFileSync("README.md", "utf8");
const start = readme.indexOf(SUPPORTED_APIS_BEGIN);
const end = readme.indexOf(SUPPORTED_APIS_END);
if (start < 0 || end < 0) {
  console.error("README.md has no supported-apis markers");
  process.exit(1);
}
writeFileSync(
  "README.md",
  readme.slice(0, start) + supportedApisMarkdown() + readme.slice(end + SUPPORTED_APIS_END.length),
);
console.log("README.md: supported APIs table updated");
