/** Naming rules from spec names (PascalCase) to TypeScript and file names. */

/** ProducerId -> producerId, KRaftVersion -> kRaftVersion, V0Host -> v0Host (Kafka's own Java names). */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Upper-cases the first letter, for names that the specs write in camelCase by mistake. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** ProduceRequest -> produce-request, LeaderAndIsrRequest -> leader-and-isr-request, KRaftVersionRecord -> kraft-version-record. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/(?<=.)([A-Z])([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/**
 * The TypeScript name of a struct inside a message: prefixed with the message name so names
 * never collide across files, without repeating the prefix when the spec already has it
 * (MetadataRequest + MetadataRequestTopic -> MetadataRequestTopic).
 */
export function structTypeName(messageName: string, structName: string): string {
  return structName.startsWith(messageName) ? structName : messageName + structName;
}

/** The ApiKey constant name: the request's spec name minus "Request". */
export function apiName(requestName: string): string {
  if (!requestName.endsWith("Request"))
    throw new Error(`request spec ${requestName} does not end in Request`);
  return requestName.slice(0, -"Request".length);
}

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally " +
    "for function if import in instanceof new null return super switch this throw true try typeof var void " +
    "while with implements interface let package private protected public static yield await arguments eval"
  ).split(" "),
);

/** Hands out local variable names that clash neither with each other nor with reserved words. */
export class LocalNames {
  readonly #used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.#used.add(r);
  }

  take(base: string): string {
    let name = RESERVED.has(base) || this.#used.has(base) ? `${base}Value` : base;
    for (let i = 2; this.#used.has(name); i++) name = `${base}Value${i}`;
    this.#used.add(name);
    return name;
  }
}
