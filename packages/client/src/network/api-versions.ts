import { API_SPECS, type ApiKeyValue, type ApiVersionsResponseApiVersion } from "@weir/protocol";

/** The version range of one API, inclusive. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** Versions this client can encode and decode: every version of the generated codecs, stable ones only. */
export function clientVersionRange(apiKey: ApiKeyValue): VersionRange {
  const spec = API_SPECS.find((s) => s.apiKey === apiKey);
  if (spec === undefined) return { min: 0, max: -1 };
  return { min: spec.minVersion, max: spec.latestVersionUnstable ? spec.maxVersion - 1 : spec.maxVersion };
}

/**
 * What one broker answered to ApiVersions. `pick` chooses the highest version both sides know,
 * within the range an operation can work with.
 */
export class ApiVersionTable {
  readonly #ranges = new Map<number, VersionRange>();

  constructor(apiKeys: readonly ApiVersionsResponseApiVersion[]) {
    for (const k of apiKeys) this.#ranges.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
  }

  /** The broker's range for an API, undefined when it does not serve it. */
  broker(apiKey: number): VersionRange | undefined {
    return this.#ranges.get(apiKey);
  }

  /**
   * The highest version in client ∩ broker ∩ [min, max], or -1 when they do not overlap.
   */
  pick(apiKey: ApiKeyValue, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const broker = this.#ranges.get(apiKey);
    if (broker === undefined) return -1;
    const client = clientVersionRange(apiKey);
    const lo = Math.max(broker.min, client.min, min);
    const hi = Math.min(broker.max, client.max, max);
    return hi >= lo ? hi : -1;
  }
}
