import { Cluster } from "../../src/cluster/cluster.js";
import { resolveClientConfig } from "../../src/config/resolve-config.js";

/** A bare Cluster (connection and metadata layer) for reading data back in tests. */
export function testCluster(bootstrap: string): Cluster {
  return new Cluster(resolveClientConfig({ bootstrapServers: [bootstrap], clientId: "test-reader" }));
}
