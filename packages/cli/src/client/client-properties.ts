import { ADMIN_OPTIONS, CLIENT_OPTIONS, CONSUMER_OPTIONS, PRODUCER_OPTIONS } from "@weir/client";

/** The clients a property can configure besides all of them ("client"). */
export type ClientRole = "producer" | "consumer" | "admin";

const CLIENT_KEYS = new Set(Object.values(CLIENT_OPTIONS).map((spec) => spec.key));
const ROLE_KEYS: Readonly<Record<ClientRole, ReadonlySet<string>>> = {
  producer: new Set(Object.values(PRODUCER_OPTIONS).map((spec) => spec.key)),
  consumer: new Set(Object.values(CONSUMER_OPTIONS).map((spec) => spec.key)),
  admin: new Set(Object.values(ADMIN_OPTIONS).map((spec) => spec.key)),
};

/** Client properties sorted by the client they configure; `unknown` are names no client knows. */
export interface SplitProperties {
  readonly client: Record<string, string>;
  readonly producer: Record<string, string>;
  readonly consumer: Record<string, string>;
  readonly admin: Record<string, string>;
  readonly unknown: readonly string[];
}

/**
 * Splits Kafka-named client properties by the clients that use them (one name may serve several,
 * e.g. default.api.timeout.ms), as one --command-config file commonly holds settings for several
 * tools: a producer setting is simply not used by `weir topics`.
 */
export function splitProperties(properties: Readonly<Record<string, string>>): SplitProperties {
  const out: SplitProperties = { client: {}, producer: {}, consumer: {}, admin: {}, unknown: [] };
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (CLIENT_KEYS.has(key)) {
      out.client[key] = value;
      continue;
    }
    let known = false;
    for (const role of ["producer", "consumer", "admin"] as const) {
      if (ROLE_KEYS[role].has(key)) {
        out[role][key] = value;
        known = true;
      }
    }
    if (!known) unknown.push(key);
  }
  return { ...out, unknown };
}
