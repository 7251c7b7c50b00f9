import { dirname, join } from "node:path";
import { emitApiKeysFile, pairApis } from "./emit-api-keys-file.js";
import { emitErrorCodesFile } from "./emit-error-codes-file.js";
import { emitIndexFile } from "./emit-index-file.js";
import { emitMessageFile } from "./emit-message-file.js";
import { emitRegistryFile } from "./emit-registry-file.js";
import { emitSupportFile } from "./emit-support-file.js";
import { buildMessageModel, type MessageModel } from "./model.js";
import { loadErrorSpecs, loadMessageSpecs } from "./spec-files.js";

/** Loads and models every message spec in a directory, sorted by spec name. */
export function loadMessageModels(specDir: string): MessageModel[] {
  const models = loadMessageSpecs(specDir).map(buildMessageModel);
  const files = new Set<string>();
  const types = new Map<string, string>();
  for (const m of models) {
    if (files.has(m.fileName)) throw new Error(`two specs map to ${m.fileName}.ts`);
    files.add(m.fileName);
    for (const s of [m.root, ...m.structs]) {
      const other = types.get(s.typeName);
      if (other !== undefined) throw new Error(`type ${s.typeName} is defined by ${other} and ${m.specName}`);
      types.set(s.typeName, m.specName);
    }
  }
  return models;
}

/**
 * Generates every file from the specs: a map from file name (in src/generated/) to contents.
 * Pure and deterministic; main.ts writes the result and the tests compare it with the repo.
 */
export function generate(
  specDir: string,
  errorsPath = join(dirname(specDir), "errors.tsv"),
): Map<string, string> {
  const models = loadMessageModels(specDir);
  const apis = pairApis(models);
  const files = new Map<string, string>();
  for (const m of models) files.set(`${m.fileName}.ts`, emitMessageFile(m));
  files.set("api-keys.ts", emitApiKeysFile(apis));
  files.set("messages.ts", emitRegistryFile(apis));
  files.set("error-codes.ts", emitErrorCodesFile(loadErrorSpecs(errorsPath)));
  files.set("support.ts", emitSupportFile());
  const modules = [...files.keys()].filter((f) => f !== "support.ts").map((f) => f.replace(/\.ts$/, ""));
  files.set("index.ts", emitIndexFile(modules));
  return new Map([...files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
