import type { ConsumerRecord } from "@weir/client";
import { usageError } from "../cli-error.js";
import { type BytesEncoding, encodeBytes } from "./bytes-encoding.js";

/** What a null key, value or header value prints as, as in Kafka's console consumer. */
const NULL_TEXT = "null";

type Field = (record: ConsumerRecord, encoding: BytesEncoding) => string;

const FIELDS: Readonly<Record<string, Field>> = {
  topic: (r) => r.topic,
  partition: (r) => String(r.partition),
  offset: (r) => String(r.offset),
  timestamp: (r) => String(r.timestamp),
  time: (r) => new Date(r.timestamp).toISOString(),
  timestampType: (r) => r.timestampType,
  key: (r, e) => encodeBytes(r.key, e) ?? NULL_TEXT,
  value: (r, e) => encodeBytes(r.value, e) ?? NULL_TEXT,
  headers: (r, e) => r.headers.map((h) => `${h.key}=${encodeBytes(h.value, e) ?? NULL_TEXT}`).join(","),
};

/** The placeholders a template may use, for help texts. */
export const TEMPLATE_PLACEHOLDERS = [...Object.keys(FIELDS).map((f) => `{${f}}`), "{header:NAME}"];

/**
 * A compiled record format such as `{partition}:{offset} {key}={value}`: placeholders name record
 * fields, `{header:NAME}` the first value of a header (empty when absent), `\n`, `\t` and `\\` are
 * escapes and `{{` / `}}` literal braces. Compiled once, so printing a record is a few string
 * concatenations.
 */
export class FormatTemplate {
  readonly #parts: readonly (string | Field)[];

  constructor(template: string) {
    this.#parts = compile(template);
  }

  /** The record's text (without a trailing newline). */
  render(record: ConsumerRecord, encoding: BytesEncoding): string {
    let out = "";
    for (const part of this.#parts) out += typeof part === "string" ? part : part(record, encoding);
    return out;
  }
}

function compile(template: string): (string | Field)[] {
  const parts: (string | Field)[] = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    const next = template[i + 1];
    if (c === "\\" && (next === "n" || next === "t" || next === "\\")) {
      text += next === "n" ? "\n" : next === "t" ? "\t" : "\\";
      i++;
    } else if ((c === "{" && next === "{") || (c === "}" && next === "}")) {
      text += c;
      i++;
    } else if (c === "{") {
      const end = template.indexOf("}", i);
      if (end < 0)
        throw usageError(`--format: '{' at position ${i + 1} is not closed (write '{{' for a brace)`);
      const name = template.slice(i + 1, end);
      if (text !== "") parts.push(text);
      text = "";
      parts.push(field(name));
      i = end;
    } else if (c === "}") {
      throw usageError(`--format: '}' at position ${i + 1} has no '{' (write '}}' for a brace)`);
    } else {
      text += c;
    }
  }
  if (text !== "") parts.push(text);
  return parts;
}

function field(name: string): Field {
  if (name.startsWith("header:")) {
    const header = name.slice("header:".length);
    return (r, e) => {
      const h = r.headers.find((x) => x.key === header);
      return h === undefined ? "" : (encodeBytes(h.value, e) ?? NULL_TEXT);
    };
  }
  const f = FIELDS[name];
  if (f === undefined) {
    throw usageError(`--format: unknown placeholder {${name}}; use ${TEMPLATE_PLACEHOLDERS.join(" ")}`);
  }
  return f;
}
