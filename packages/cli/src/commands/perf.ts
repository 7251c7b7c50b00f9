import { dispatchSubcommand, type Subcommand } from "../args/subcommands.js";
import { PERF_CONSUME, runPerfConsume } from "./perf-consume.js";
import { PERF_PRODUCE, runPerfProduce } from "./perf-produce.js";

const SUBCOMMANDS: Record<string, Subcommand> = {
  produce: {
    summary: "producer throughput and latency (like kafka-producer-perf-test)",
    spec: PERF_PRODUCE,
    run: runPerfProduce,
  },
  consume: {
    summary: "consumer throughput (like kafka-consumer-perf-test)",
    spec: PERF_CONSUME,
    run: runPerfConsume,
  },
};

export function runPerf(args: string[]): Promise<number> {
  return dispatchSubcommand("perf", "Performance tests against a cluster.", args, SUBCOMMANDS);
}
