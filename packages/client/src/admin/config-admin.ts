import { ApiKey } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import type { AdminConfig } from "../config/options-table.js";
import { type Outcomes, outcomesOf, runAdminCall, sendPerTarget } from "./admin-call.js";
import type {
  AlterConfigsResource,
  ConfigDescription,
  ConfigResource,
  DescribeConfigsOptions,
  IncrementalAlterConfigsResource,
  ValidateOnlyOptions,
} from "./admin-types.js";
import { configEntry, configResourceType, configTarget, OPERATION_CODES } from "./config-codes.js";

/** An answer about one config resource, as the three config APIs give it. */
interface ResourceAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: number;
  readonly resourceName: string;
}

/**
 * Configs of topics, brokers and other resources: DescribeConfigs, AlterConfigs and
 * IncrementalAlterConfigs. A broker's own configs go to that broker, everything else to any
 * broker; one request per target.
 */
export class ConfigAdmin {
  readonly #cluster: Cluster;
  readonly #config: AdminConfig;

  constructor(cluster: Cluster, config: AdminConfig) {
    this.#cluster = cluster;
    this.#config = config;
  }

  describeConfigs(
    resources: readonly ConfigResource[],
    options: DescribeConfigsOptions,
  ): Promise<ConfigDescription[]> {
    for (const r of resources) configResourceType(r.type);
    return this.#perTarget(resources, "DescribeConfigs", options.timeoutMs, async (target, indexes) => {
      const { version, response } = await this.#cluster.send(target, ApiKey.DescribeConfigs, () => ({
        resources: indexes.map((i) => ({
          resourceType: configResourceType(resources[i].type),
          resourceName: resources[i].name,
          configurationKeys: options.keys === undefined ? null : [...options.keys],
        })),
        includeSynonyms: options.includeSynonyms ?? false,
        includeDocumentation: options.includeDocumentation ?? false,
      }));
      return resourceOutcomes(resources, indexes, response.results, "describing configs", (r, i) => ({
        ...resources[i],
        entries: r.configs.map((c) => configEntry(c, version)),
      }));
    });
  }

  /** AlterConfigs: what a resource does not list is reset. */
  async alterConfigs(
    resources: readonly AlterConfigsResource[],
    options: ValidateOnlyOptions,
  ): Promise<void> {
    await this.#perTarget(resources, "AlterConfigs", options.timeoutMs, async (target, indexes) => {
      const { response } = await this.#cluster.send(target, ApiKey.AlterConfigs, () => ({
        resources: indexes.map((i) => ({
          resourceType: configResourceType(resources[i].type),
          resourceName: resources[i].name,
          configs: Object.entries(resources[i].configs).map(([name, value]) => ({ name, value })),
        })),
        validateOnly: options.validateOnly ?? false,
      }));
      return resourceOutcomes(resources, indexes, response.responses, "altering configs", () => true);
    });
  }

  async incrementalAlterConfigs(
    resources: readonly IncrementalAlterConfigsResource[],
    options: ValidateOnlyOptions,
  ): Promise<void> {
    await this.#perTarget(
      resources,
      "IncrementalAlterConfigs",
      options.timeoutMs,
      async (target, indexes) => {
        const { response } = await this.#cluster.send(target, ApiKey.IncrementalAlterConfigs, () => ({
          resources: indexes.map((i) => ({
            resourceType: configResourceType(resources[i].type),
            resourceName: resources[i].name,
            configs: resources[i].operations.map((op) => ({
              name: op.name,
              configOperation: OPERATION_CODES[op.op],
              value: op.value ?? null,
            })),
          })),
          validateOnly: options.validateOnly ?? false,
        }));
        return resourceOutcomes(
          resources,
          indexes,
          response.responses,
          "altering configs incrementally",
          () => true,
        );
      },
    );
  }

  #perTarget<R>(
    resources: readonly ConfigResource[],
    what: string,
    timeoutMs: number | undefined,
    send: (target: number | "any", indexes: readonly number[]) => Promise<Outcomes<R>>,
  ): Promise<R[]> {
    return runAdminCall(
      this.#cluster,
      this.#config,
      what,
      resources.length,
      (pending) => {
        const targets = new Map<number | "any", number[]>();
        for (const i of pending) {
          const target = configTarget(resources[i]);
          const list = targets.get(target) ?? [];
          list.push(i);
          targets.set(target, list);
        }
        return sendPerTarget(targets, send);
      },
      timeoutMs,
    );
  }
}

/** Outcomes of the resources at `indexes` from a response's answers (matched by type and name). */
function resourceOutcomes<A extends ResourceAnswer, R>(
  resources: readonly ConfigResource[],
  indexes: readonly number[],
  answers: readonly A[],
  what: string,
  result: (answer: A, i: number) => R,
): Outcomes<R> {
  return outcomesOf(
    indexes,
    (i) =>
      answers.find(
        (x) =>
          x.resourceName === resources[i].name && x.resourceType === configResourceType(resources[i].type),
      ),
    (i) => ({ what: `${what} of ${resources[i].type} ${resources[i].name}` }),
    result,
  );
}
