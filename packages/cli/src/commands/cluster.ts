import { connectionSettings } from "../args/common-options.js";
import { parseCommand, withUsage } from "../args/parse-command.js";
import { withSession } from "../client/cluster-session.js";
import { ExitCode } from "../exit-code.js";
import { printJson, printLine } from "../output/output-format.js";
import { renderFields, renderTable } from "../output/table.js";

const CLUSTER = {
  name: "cluster",
  usage: "Usage: weir cluster [options]",
  help: "Shows the cluster id, the controller and every broker with its address and rack.",
  options: {},
  positionals: { min: 0, max: 0, name: "" },
} as const;

export function runCluster(args: string[]): Promise<number> {
  return withUsage(CLUSTER, () => cluster(args));
}

async function cluster(args: string[]): Promise<number> {
  const parsed = parseCommand(args, CLUSTER);
  if (parsed === undefined) return ExitCode.OK;
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    const cluster = await admin.describeCluster();
    if (settings.output === "json") {
      printJson(cluster);
      return ExitCode.OK;
    }
    printLine(
      renderFields([
        ["cluster id", cluster.clusterId],
        ["controller", cluster.controllerId < 0 ? "none" : cluster.controllerId],
        ["brokers", cluster.brokers.length],
      ]),
    );
    printLine();
    printLine(
      renderTable(
        [
          { header: "id", align: "right" },
          { header: "host" },
          { header: "port", align: "right" },
          { header: "rack" },
        ],
        cluster.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack]),
      ),
    );
    return ExitCode.OK;
  });
}
