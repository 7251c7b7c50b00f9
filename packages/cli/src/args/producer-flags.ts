import type { Acks, CompressionName } from "@weir/client";
import { parseChoice } from "./values.js";

/** The flags produce and perf produce share, for the two settings people change most. */
export const PRODUCER_FLAGS = {
  compression: { type: "string", short: "z" },
  acks: { type: "string", short: "a" },
} as const;

export const PRODUCER_FLAGS_HELP = `  -z, --compression <codec>    none (default), gzip, snappy, lz4 or zstd
  -a, --acks <all|1|0>         wait for every in-sync replica (all, the default), the leader only (1),
                               or nothing (0); idempotence is on only with all`;

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const ACKS = ["all", "-1", "1", "0"] as const;

/** Typed producer options from the flags (they win over -X and --command-config). */
export function producerFlagOptions(values: { compression?: string; acks?: string }): {
  compression?: CompressionName;
  acks?: Acks;
} {
  const out: { compression?: CompressionName; acks?: Acks } = {};
  if (values.compression !== undefined)
    out.compression = parseChoice("--compression", values.compression, CODECS);
  if (values.acks !== undefined) {
    const acks = parseChoice("--acks", values.acks, ACKS);
    out.acks = acks === "all" ? "all" : (Number(acks) as -1 | 0 | 1);
  }
  return out;
}
