/**
 * A small application for process-lifetime tests, run as a child process:
 * `node pending-operation.js <scenario> [bootstrap]`. It starts one client operation and, like a
 * careless script, keeps no handle of its own open: whether the process lives until the operation
 * settles is up to the client. A failure is printed as `NAME: message` with exit code 1, a success
 * as `resolved` with exit code 0.
 */
import { Kafka } from "../../src/index.js";
import { startTestBroker } from "./test-broker.js";

const [scenario, bootstrap] = process.argv.slice(2);
const budgetMs = 1_500;

async function run(): Promise<unknown> {
  if (scenario === "leader-gone") return sendAfterTheBrokerStopped();
  const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: "pending-operation" });
  switch (scenario) {
    case "admin-create-topics":
      return kafka.admin().createTopics([{ name: "t" }], { timeoutMs: budgetMs });
    case "producer-connect":
      return kafka.producer({ maxBlockMs: budgetMs }).connect();
    case "producer-send":
      return kafka.producer({ maxBlockMs: budgetMs }).send({ topic: "t", value: "v" });
    case "consumer-committed":
      return kafka
        .consumer({ groupId: "g" })
        .committed([{ topic: "t", partition: 0 }], { timeoutMs: budgetMs });
    case "idle-clients": {
      // Clients that were used and never closed: their background work must not hold the process.
      const producer = kafka.producer({ maxBlockMs: 200 });
      await producer.send({ topic: "t", value: "v" }).catch(() => undefined);
      kafka.consumer({ groupId: "g" }).subscribe(["t"]);
      kafka.admin();
      return "idle";
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

/** A record accepted while its partition's only broker is gone: it waits for delivery.timeout.ms. */
async function sendAfterTheBrokerStopped(): Promise<unknown> {
  const broker = await startTestBroker();
  const kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "pending-operation" });
  const admin = kafka.admin();
  await admin.createTopics([{ name: "t", numPartitions: 1 }]);
  await admin.close();
  const producer = kafka.producer({ lingerMs: 0, requestTimeoutMs: 500, deliveryTimeoutMs: budgetMs });
  await producer.send({ topic: "t", value: "first" });
  await broker.destroy();
  return producer.send({ topic: "t", value: "second" });
}

// No top-level await: Node would keep an unsettled one from exiting 0, which is what is tested.
run().then(
  (value) => console.log("resolved", JSON.stringify(value) ?? ""),
  (err: Error) => {
    console.error(`${err.name}: ${err.message}`);
    process.exitCode = 1;
  },
);
