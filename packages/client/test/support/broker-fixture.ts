import { after, before } from "node:test";
import type { Admin } from "../../src/admin/admin.js";
import type { Cluster } from "../../src/cluster/cluster.js";
import { Kafka } from "../../src/kafka.js";
import { testCluster } from "./clients.js";
import { startTestBroker, type TestBroker } from "./test-broker.js";

export interface BrokerFixture {
  readonly broker: TestBroker;
  /** An admin client on the broker, for creating topics. */
  readonly admin: Admin;
  /** A bare Cluster on the broker, for reading partitions back (readPartition). */
  readonly reader: Cluster;
}

/**
 * The broker of a test file: started before its tests (without automatic topic creation) and
 * destroyed after them, with an admin client and a reader. Its fields are set once `before` ran.
 */
export function brokerFixture(): BrokerFixture {
  const fixture = {} as { broker: TestBroker; admin: Admin; reader: Cluster };
  before(async () => {
    fixture.broker = await startTestBroker({ config: { "auto.create.topics.enable": "false" } });
    fixture.admin = new Kafka({ bootstrapServers: [fixture.broker.bootstrap] }).admin();
    fixture.reader = testCluster(fixture.broker.bootstrap);
  });
  after(async () => {
    await fixture.admin.close();
    fixture.reader.close();
    await fixture.broker.destroy();
  });
  return fixture;
}
