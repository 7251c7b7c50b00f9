#!/usr/bin/env node
// Regenerates packages/protocol/src/generated/ from Kafka's message specs.
// usage (from the repo root): npm run gen:protocol -- [specDir]
//   specDir defaults to ../shared/kafka-protocol/messages beside the repository;
//   errors.tsv is read from the specDir's parent.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./generate.js";

/** The repository root: this file runs from packages/protocol/dist/generator/. */
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const DEFAULT_SPEC_DIR = resolve(REPO_ROOT, "../shared/kafka-protocol/messages");
const OUTPUT_DIR = join(REPO_ROOT, "packages/protocol/src/generated");

function main(args: string[]): void {
  const specDir = args[0] === undefined ? DEFAULT_SPEC_DIR : resolve(args[0]);
  const files = generate(specDir);
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const [name, content] of files) writeFileSync(join(OUTPUT_DIR, name), content);
  console.log(`generated ${files.size} files in ${OUTPUT_DIR} from ${specDir}`);
}

main(process.argv.slice(2));
