import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonWithComments } from "./json-with-comments.js";

/** A field as written in a message spec file (only the keys that matter for the wire). */
export interface RawFieldSpec {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: RawFieldSpec[];
  ignorable?: boolean;
  mapKey?: boolean;
  entityType?: string;
  zeroCopy?: boolean;
  about?: string;
}

export interface RawStructSpec {
  name: string;
  versions: string;
  fields: RawFieldSpec[];
}

/** One `messages/*.json` file. */
export interface RawMessageSpec {
  apiKey?: number;
  type: "request" | "response" | "header" | "data" | "metadata";
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: RawFieldSpec[];
  commonStructs?: RawStructSpec[];
  listeners?: string[];
  latestVersionUnstable?: boolean;
  deprecatedVersions?: string;
}

export interface RawErrorSpec {
  code: number;
  name: string;
  retriable: boolean;
}

/** Every spec in the directory, sorted by file name so the output does not depend on readdir. */
export function loadMessageSpecs(dir: string): RawMessageSpec[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (files.length === 0) throw new Error(`no message specs (*.json) in ${dir}`);
  return files.map((f) => {
    const spec = parseJsonWithComments(readFileSync(join(dir, f), "utf8"), f) as RawMessageSpec;
    if (typeof spec.name !== "string" || !Array.isArray(spec.fields)) {
      throw new Error(`${f}: not a message spec (needs "name" and "fields")`);
    }
    return spec;
  });
}

/** errors.tsv: a header line, then `code<TAB>name<TAB>yes|no`. */
export function loadErrorSpecs(path: string): RawErrorSpec[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const errors: RawErrorSpec[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line.trim() === "") continue;
    const [code, name, retriable] = line.split("\t").map((s) => s.trim());
    if (!/^-?\d+$/.test(code) || !/^[A-Z0-9_]+$/.test(name) || !/^(yes|no)$/.test(retriable)) {
      throw new Error(`${path}:${i + 1}: cannot parse "${line}"`);
    }
    errors.push({ code: Number(code), name, retriable: retriable === "yes" });
  }
  return errors.sort((a, b) => a.code - b.code);
}
