import { CodeBuilder } from "./code-builder.js";
import { generatedHeader } from "./generated-header.js";
import type { RawErrorSpec } from "./spec-files.js";

/** error-codes.ts: Kafka's error codes as constants and a table of names and retriability. */
export function emitErrorCodesFile(errors: readonly RawErrorSpec[]): string {
  const names = new Set<string>();
  const codes = new Set<number>();
  for (const e of errors) {
    if (names.has(e.name) || codes.has(e.code))
      throw new Error(`errors.tsv: duplicate ${e.name} / ${e.code}`);
    names.add(e.name);
    codes.add(e.code);
  }
  const out = new CodeBuilder();
  out.lines(generatedHeader("errors.tsv"));
  out.line();
  out.line("/** Kafka protocol error codes by name. */");
  out.open("export const ErrorCode = {");
  for (const e of errors) out.line(`${e.name}: ${e.code},`);
  out.close("} as const;");
  out.line();
  out.line("export type ErrorCodeName = keyof typeof ErrorCode;");
  out.line("export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];");
  out.line();
  out.open("export interface ErrorInfo {");
  out.line("readonly code: number;");
  out.line("readonly name: ErrorCodeName;");
  out.line("/** Whether clients treat the error as transient and retry. */");
  out.line("readonly retriable: boolean;");
  out.close();
  out.line();
  out.line("/** Every known error code with its name and whether it is retriable. */");
  out.open("export const ERRORS: ReadonlyMap<number, ErrorInfo> = new Map<number, ErrorInfo>([");
  for (const e of errors) {
    out.line(`[${e.code}, { code: ${e.code}, name: "${e.name}", retriable: ${e.retriable} }],`);
  }
  out.close("]);");
  out.line();
  out.line(
    "/** The name of an error code, e.g. NOT_LEADER_OR_FOLLOWER; UNKNOWN(<code>) for unknown codes. */",
  );
  out.open("export function errorName(code: number): string {");
  out.line(`return ERRORS.get(code)?.name ?? \`UNKNOWN(\${code})\`;`);
  out.close();
  out.line();
  out.line("/** Whether clients retry on this error code (false for unknown codes). */");
  out.open("export function isRetriable(code: number): boolean {");
  out.line("return ERRORS.get(code)?.retriable ?? false;");
  out.close();
  return out.toString();
}
