import { usageError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";
import { withUsage } from "./parse-command.js";

/** One verb of a command group (`topics create`). */
export interface Subcommand {
  readonly summary: string;
  /** Its name and synopsis, shown under usage errors. */
  readonly spec?: { readonly name: string; readonly usage: string };
  readonly run: (args: string[]) => Promise<number>;
}

/** The help of a command group: its synopsis and one line per verb. */
export function groupHelp(
  group: string,
  description: string,
  subcommands: Record<string, Subcommand>,
): string {
  const names = Object.keys(subcommands);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${subcommands[n].summary}`);
  return `Usage: weir ${group} <${names.join("|")}> [options]

${description}

Commands:
${lines.join("\n")}

Run 'weir ${group} <command> --help' for a command's options.`;
}

/** Runs the verb named by the first argument; a missing or unknown verb is a usage error. */
export async function dispatchSubcommand(
  group: string,
  description: string,
  args: readonly string[],
  subcommands: Record<string, Subcommand>,
): Promise<number> {
  const [verb, ...rest] = args;
  const help = groupHelp(group, description, subcommands);
  if (verb === "--help" || verb === "-h" || verb === "help") {
    console.log(help);
    return ExitCode.OK;
  }
  if (verb === undefined) throw usageError(`'weir ${group}' needs a command`, help);
  if (!Object.hasOwn(subcommands, verb)) throw usageError(`unknown command 'weir ${group} ${verb}'`, help);
  const { spec, run } = subcommands[verb];
  return spec === undefined ? run(rest) : withUsage(spec, () => run(rest));
}
