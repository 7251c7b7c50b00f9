import type { ConfigDefinition, ConfigType } from "./config-definition.js";
import { defineConfig } from "./config-definition.js";

/**
 * A broker property's definition: a config definition plus whether AlterConfigs may change it at
 * runtime on a BROKER resource (cluster-wide with resource name "" or for one node by its id).
 */
export interface BrokerConfigDefinition<
  T extends ConfigType = ConfigType,
  D extends string | null = string | null,
> extends ConfigDefinition<T, D> {
  readonly dynamic: boolean;
}

export function brokerConfig<const T extends ConfigType, const D extends string | null>(
  def: BrokerConfigDefinition<T, D>,
): BrokerConfigDefinition<T, D> {
  defineConfig(def);
  return def;
}

export const atLeast = (min: number) => ({ kind: "atLeast", min }) as const;
