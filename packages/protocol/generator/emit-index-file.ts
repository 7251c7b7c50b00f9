import { CodeBuilder } from "./code-builder.js";
import { generatedHeader } from "./generated-header.js";

/** index.ts: re-exports every generated module (not support.ts, which is internal). */
export function emitIndexFile(moduleNames: readonly string[]): string {
  const out = new CodeBuilder();
  out.lines(generatedHeader("all specs"));
  out.line();
  for (const name of [...moduleNames].sort(compareModuleNames)) out.line(`export * from "./${name}.js";`);
  return out.toString();
}

/** Biome's order for module paths. */
export function compareModuleNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
