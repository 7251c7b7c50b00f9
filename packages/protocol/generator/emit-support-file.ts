import { CodeBuilder } from "./code-builder.js";
import { generatedHeader } from "./generated-header.js";

/** support.ts: the little runtime the generated codecs share. */
export function emitSupportFile(): string {
  const out = new CodeBuilder();
  out.lines(generatedHeader("shared codec support"));
  out.line();
  out.line('import type { Reader } from "../codec/reader.js";');
  out.line();
  out.line("/** The default of bytes fields; zero-length, so sharing one instance is safe. */");
  out.line("export const EMPTY_BYTES: Buffer = Buffer.alloc(0);");
  out.line();
  out.line("/** Skips a tagged-field section (KIP-482) whose tags this struct does not know. */");
  out.open("export function skipTaggedFields(r: Reader): void {");
  out.line("const count = r.unsignedVarint();");
  out.open("for (let i = 0; i < count; i++) {");
  out.line("r.unsignedVarint();");
  out.line("r.skip(r.unsignedVarint());");
  out.close();
  out.close();
  return out.toString();
}
