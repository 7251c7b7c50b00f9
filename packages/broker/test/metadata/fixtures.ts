import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrokerConfig, loadBrokerConfig } from "../../src/config/broker-config.js";
import type { ControllerResult } from "../../src/metadata/controller-result.js";
import { MetadataImage } from "../../src/metadata/metadata-image.js";
import { seededRandom } from "../../src/metadata/ports.js";
import { QuorumController } from "../../src/metadata/quorum-controller.js";
import { randomUuid } from "../../src/metadata/random-uuid.js";

/** A config for tests: defaults plus overrides, advertised host "localhost". */
export function testConfig(overrides: Record<string, string> = {}): BrokerConfig {
  return loadBrokerConfig({ overrides, hostname: "localhost" }).config;
}

export function testController(overrides: Record<string, string> = {}, seed = 42): QuorumController {
  return new QuorumController({
    config: testConfig(overrides),
    random: seededRandom(seed),
    clock: { now: () => 0 },
  });
}

/** Applies a controller result to an image, as the metadata manager does after the append. */
export function commit<R>(
  image: MetadataImage,
  result: ControllerResult<R>,
): { image: MetadataImage; response: R } {
  return { image: image.replayAll(result.records), response: result.response };
}

/** An image with the given brokers registered (unfenced). */
export function imageWithBrokers(
  controller: QuorumController,
  nodeIds: readonly number[] = [1],
): MetadataImage {
  const random = seededRandom(7);
  let image = MetadataImage.EMPTY.replayAll(controller.bootstrapRecords());
  for (const nodeId of nodeIds) {
    const result = controller.registerBroker(image, {
      nodeId,
      incarnationId: randomUuid(random),
      endpoints: [
        { name: "PLAINTEXT", host: "localhost", port: 9092 + nodeId, securityProtocol: "PLAINTEXT" },
      ],
      rack: null,
    });
    image = image.replayAll(result.records);
  }
  return image;
}

/** Runs `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "weir-metadata-"));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
