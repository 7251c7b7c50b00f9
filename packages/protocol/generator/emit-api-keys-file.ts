import { CodeBuilder } from "./code-builder.js";
import { generatedHeader } from "./generated-header.js";
import type { MessageModel } from "./model.js";
import { apiName } from "./names.js";
import { isEmpty, type VersionRange } from "./version-range.js";

/** One API: its request and response specs (same key). */
export interface ApiPair {
  readonly apiKey: number;
  readonly name: string;
  readonly request: MessageModel;
  readonly response: MessageModel;
}

/** Pairs request and response specs by API key, sorted by key; refuses inconsistent pairs. */
export function pairApis(messages: readonly MessageModel[]): ApiPair[] {
  const requests = new Map<number, MessageModel>();
  const responses = new Map<number, MessageModel>();
  for (const m of messages) {
    if (m.kind !== "request" && m.kind !== "response") continue;
    if (m.apiKey === undefined) throw new Error(`${m.specName}: ${m.kind} without apiKey`);
    const into = m.kind === "request" ? requests : responses;
    if (into.has(m.apiKey)) throw new Error(`${m.specName}: api key ${m.apiKey} used twice`);
    into.set(m.apiKey, m);
  }
  const pairs: ApiPair[] = [];
  for (const [apiKey, request] of [...requests].sort((a, b) => a[0] - b[0])) {
    const response = responses.get(apiKey);
    if (!response) throw new Error(`${request.specName}: no response spec for api key ${apiKey}`);
    const same = (a: VersionRange, b: VersionRange): boolean => a.min === b.min && a.max === b.max;
    if (!same(request.validVersions, response.validVersions)) {
      throw new Error(`api key ${apiKey}: request and response valid versions differ`);
    }
    if (firstFlexible(request) !== firstFlexible(response)) {
      throw new Error(`api key ${apiKey}: request and response flexible versions differ`);
    }
    pairs.push({ apiKey, name: apiName(request.specName), request, response });
  }
  for (const key of responses.keys()) {
    if (!requests.has(key)) throw new Error(`api key ${key}: response without request`);
  }
  return pairs;
}

export function firstFlexible(m: MessageModel): number {
  return isEmpty(m.flexibleVersions) ? -1 : m.flexibleVersions.min;
}

/** api-keys.ts: the ApiKey constants, the per-API version table and the header version rules. */
export function emitApiKeysFile(apis: readonly ApiPair[]): string {
  const out = new CodeBuilder();
  out.lines(generatedHeader("*Request.json"));
  out.line();
  out.line('import { ProtocolError } from "../codec/protocol-error.js";');
  out.line();
  out.line("/** Kafka API keys by name (the request spec name without Request). */");
  out.open("export const ApiKey = {");
  for (const api of apis) out.line(`${api.name}: ${api.apiKey},`);
  out.close("} as const;");
  out.line();
  out.line("export type ApiKeyName = keyof typeof ApiKey;");
  out.line("export type ApiKeyValue = (typeof ApiKey)[ApiKeyName];");
  out.line();
  out.lines([
    "export interface ApiSpec {",
    "  readonly apiKey: ApiKeyValue;",
    "  readonly name: ApiKeyName;",
    "  /** Oldest and newest version in the spec (validVersions). */",
    "  readonly minVersion: number;",
    "  readonly maxVersion: number;",
    "  /** First version with compact encodings and tagged fields (KIP-482), -1 if none. */",
    "  readonly firstFlexibleVersion: number;",
    '  /** The listeners Kafka serves this API on: "broker", "controller", "zkBroker". */',
    "  readonly listeners: readonly string[];",
    "  /** Kafka marks the newest version as still unstable (not advertised by default). */",
    "  readonly latestVersionUnstable: boolean;",
    "}",
  ]);
  out.line();
  out.line("/** Every API, by ascending key. */");
  out.open("export const API_SPECS: readonly ApiSpec[] = [");
  for (const api of apis) {
    const m = api.request;
    out.open("{");
    out.line(`apiKey: ${api.apiKey},`);
    out.line(`name: "${api.name}",`);
    out.line(`minVersion: ${m.validVersions.min},`);
    out.line(`maxVersion: ${m.validVersions.max},`);
    out.line(`firstFlexibleVersion: ${firstFlexible(m)},`);
    out.line(`listeners: [${m.listeners.map((l) => JSON.stringify(l)).join(", ")}],`);
    out.line(`latestVersionUnstable: ${m.latestVersionUnstable},`);
    out.close("},");
  }
  out.close("];");
  out.line();
  out.line("const BY_KEY: (ApiSpec | undefined)[] = [];");
  out.line("for (const spec of API_SPECS) BY_KEY[spec.apiKey] = spec;");
  out.line();
  out.line("/** The spec of an API key, or undefined for a key this protocol does not know. */");
  out.open("export function apiSpec(apiKey: number): ApiSpec | undefined {");
  out.line("return BY_KEY[apiKey];");
  out.close();
  out.line();
  out.open("export function isApiKey(apiKey: number): apiKey is ApiKeyValue {");
  out.line("return BY_KEY[apiKey] !== undefined;");
  out.close();
  out.line();
  out.open("function knownApi(apiKey: number): ApiSpec {");
  out.line("const spec = BY_KEY[apiKey];");
  out.line(`if (!spec) throw new ProtocolError(\`unknown API key \${apiKey}\`, "UNSUPPORTED_VERSION");`);
  out.line("return spec;");
  out.close();
  out.line();
  out.line("/** Whether a version of an API uses the flexible (compact, tagged) encoding. */");
  out.open("export function isFlexibleVersion(apiKey: number, version: number): boolean {");
  out.line("const first = knownApi(apiKey).firstFlexibleVersion;");
  out.line("return first >= 0 && version >= first;");
  out.close();
  out.line();
  out.line("/** Request header version: 2 for flexible versions, else 1 (0 for ControlledShutdown v0). */");
  out.open("export function requestHeaderVersion(apiKey: number, version: number): number {");
  out.line("if (apiKey === ApiKey.ControlledShutdown && version === 0) return 0;");
  out.line("return isFlexibleVersion(apiKey, version) ? 2 : 1;");
  out.close();
  out.line();
  out.line("/**");
  out.line(" * Response header version: 1 for flexible versions, else 0. ApiVersions responses always use");
  out.line(" * v0, so a client that does not know the broker's versions yet can read the header.");
  out.line(" */");
  out.open("export function responseHeaderVersion(apiKey: number, version: number): number {");
  out.line("if (apiKey === ApiKey.ApiVersions) return 0;");
  out.line("return isFlexibleVersion(apiKey, version) ? 1 : 0;");
  out.close();
  return out.toString();
}
