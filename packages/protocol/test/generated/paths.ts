import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from this file's compiled location (packages/protocol/dist/test/generated/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

/** Kafka's message specs, which live beside the repository (shared/kafka-protocol). */
export const SPEC_DIR = resolve(REPO_ROOT, "../shared/kafka-protocol/messages");

/** The committed generated sources. */
export const GENERATED_DIR = join(REPO_ROOT, "packages/protocol/src/generated");
