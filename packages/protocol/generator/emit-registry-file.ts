import { CodeBuilder, importLine } from "./code-builder.js";
import type { ApiPair } from "./emit-api-keys-file.js";
import { compareModuleNames } from "./emit-index-file.js";
import { generatedHeader } from "./generated-header.js";
import type { MessageModel } from "./model.js";

/**
 * messages.ts: the typed registry from API key to request/response types, and body codecs
 * dispatched by an exhaustive switch over the key.
 */
export function emitRegistryFile(apis: readonly ApiPair[]): string {
  const out = new CodeBuilder();
  out.lines(generatedHeader("*Request.json, *Response.json"));
  out.line();
  out.line('import { ProtocolError } from "../codec/protocol-error.js";');
  out.line('import type { Reader } from "../codec/reader.js";');
  out.line('import type { Writer } from "../codec/writer.js";');
  const local: [string, string[]][] = [["api-keys", importLine(["ApiKeyValue"], "./api-keys.js", true)]];
  for (const m of apis.flatMap((a) => [a.request, a.response])) {
    const names = [`decode${m.specName}`, `encode${m.specName}`, `type ${m.specName}`];
    local.push([m.fileName, importLine(names, `./${m.fileName}.js`)]);
  }
  local.sort((a, b) => compareModuleNames(a[0], b[0]));
  for (const [, lines] of local) out.lines(lines);
  out.line();
  out.line("/** Request and response body types by API key. */");
  out.open("export interface ApiMessages {");
  for (const a of apis) {
    out.line(`${a.apiKey}: { request: ${a.request.specName}; response: ${a.response.specName} };`);
  }
  out.close();
  out.line();
  out.line('export type RequestBody<K extends ApiKeyValue> = ApiMessages[K]["request"];');
  out.line('export type ResponseBody<K extends ApiKeyValue> = ApiMessages[K]["response"];');
  out.line();
  out.line("/** A decoded request of any API, discriminated by apiKey. */");
  out.open("export type AnyRequest = {");
  out.line("[K in ApiKeyValue]: { apiKey: K; version: number; body: RequestBody<K> };");
  out.close("}[ApiKeyValue];");
  out.line();
  out.line("/** A response of any API, discriminated by apiKey. */");
  out.open("export type AnyResponse = {");
  out.line("[K in ApiKeyValue]: { apiKey: K; version: number; body: ResponseBody<K> };");
  out.close("}[ApiKeyValue];");
  out.line();
  out.open("function unknownApiKey(apiKey: never): never {");
  out.line(`throw new ProtocolError(\`unknown API key \${String(apiKey)}\`, "UNSUPPORTED_VERSION");`);
  out.close();

  const emitDecode = (side: "request" | "response"): void => {
    const Side = side === "request" ? "Request" : "Response";
    const bodyType = `${Side}Body`;
    out.line();
    out.line(
      `/** Decodes a ${side} body (after its header); throws ProtocolError on bad input or versions. */`,
    );
    out.call(
      `export function decode${Side}Body<K extends ApiKeyValue>(`,
      ["apiKey: K", "version: number", "r: Reader"],
      `): ${bodyType}<K>;`,
    );
    out.call(
      `export function decode${Side}Body(`,
      ["apiKey: ApiKeyValue", "version: number", "r: Reader"],
      `): ${bodyType}<ApiKeyValue> {`,
      true,
    );
    out.open("switch (apiKey) {");
    for (const a of apis) {
      const m: MessageModel = a[side];
      out.open(`case ${a.apiKey}:`);
      out.line(`return decode${m.specName}(r, version);`);
      out.dedent();
    }
    out.open("default:");
    out.line("return unknownApiKey(apiKey);");
    out.dedent();
    out.close();
    out.close();
  };
  const emitEncode = (side: "request" | "response"): void => {
    const Side = side === "request" ? "Request" : "Response";
    const bodyType = `${Side}Body`;
    out.line();
    out.line(`/** Encodes a ${side} body (after its header). */`);
    out.call(
      `export function encode${Side}Body<K extends ApiKeyValue>(`,
      ["apiKey: K", "version: number", "w: Writer", `body: ${bodyType}<K>`],
      "): void;",
    );
    out.call(
      `export function encode${Side}Body(`,
      ["apiKey: ApiKeyValue", "version: number", "w: Writer", `body: ${bodyType}<ApiKeyValue>`],
      "): void {",
      true,
    );
    out.open("switch (apiKey) {");
    for (const a of apis) {
      const m: MessageModel = a[side];
      out.open(`case ${a.apiKey}:`);
      out.call(`encode${m.specName}(`, ["w", "version", `body as ${m.specName}`], ");");
      out.line("return;");
      out.dedent();
    }
    out.open("default:");
    out.line("unknownApiKey(apiKey);");
    out.dedent();
    out.close();
    out.close();
  };
  emitDecode("request");
  emitEncode("request");
  emitDecode("response");
  emitEncode("response");
  return out.toString();
}
