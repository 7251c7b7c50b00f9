import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CompressionType, readRecordBatches } from "@weir/protocol";

export interface StoredRecord {
  readonly offset: number;
  readonly compression: CompressionType;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: readonly { key: string; value: string | null }[];
}

/**
 * Every record of a partition as the broker stored it, read straight from its segment files: the
 * batches are kept as the producer sent them, so this shows the codec the CLI used.
 */
export function storedRecords(dataDir: string, topic: string, partition: number): StoredRecord[] {
  const dir = join(dataDir, `${topic}-${partition}`);
  const out: StoredRecord[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort()) {
    for (const batch of readRecordBatches(readFileSync(join(dir, file)))) {
      for (const r of batch.records()) {
        out.push({
          offset: r.offset,
          compression: batch.compression,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          headers: r.headers.map((h) => ({ key: h.key, value: h.value?.toString() ?? null })),
        });
      }
    }
  }
  return out;
}
