import { parseArgs } from "node:util";
import { CliError, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";
import { COMMON_HELP, COMMON_OPTIONS, type OptionConfig } from "./common-options.js";

/** What a command declares about its command line. */
export interface CommandSpec<O extends Record<string, OptionConfig>> {
  /** The command's words, e.g. "topics create". */
  readonly name: string;
  /** The synopsis line(s), starting with "Usage: weir ...". */
  readonly usage: string;
  /** What the command does and its own options; the common options are appended. */
  readonly help: string;
  /** The command's own flags (the common ones are added). */
  readonly options: O;
  /** How many positional arguments it takes, and what they are called in error messages. */
  readonly positionals: { readonly min: number; readonly max: number; readonly name: string };
}

/** The value parseArgs gives for a flag: a string or boolean, a list of them when repeatable. */
type OptionValue<C extends OptionConfig> = C["type"] extends "boolean"
  ? C["multiple"] extends true
    ? boolean[]
    : boolean
  : C["multiple"] extends true
    ? string[]
    : string;

/** Parsed flags by long name; absent flags are undefined. */
export type OptionValues<O extends Record<string, OptionConfig>> = {
  readonly [K in keyof O]?: OptionValue<O[K]>;
};

/** A parsed command line. */
export interface ParsedCommand<O extends Record<string, OptionConfig>> {
  readonly values: OptionValues<O & typeof COMMON_OPTIONS>;
  readonly positionals: string[];
}

/** The full --help text of a command. */
export function helpText(spec: CommandSpec<Record<string, OptionConfig>>): string {
  return `${spec.usage}\n\n${spec.help}\n\n${COMMON_HELP}`;
}

/** The synopsis and a pointer to --help: what a usage error prints after its message. */
export function shortUsage(spec: { readonly name: string; readonly usage: string }): string {
  return `${spec.usage}\nRun 'weir ${spec.name} --help' for its options.`;
}

/**
 * Parses a command's arguments strictly (unknown flags, missing values and extra positionals are
 * usage errors, exit code 2). Returns undefined after printing the help when --help was given.
 */
export function parseCommand<const O extends Record<string, OptionConfig>>(
  args: readonly string[],
  spec: CommandSpec<O>,
): ParsedCommand<O> | undefined {
  const options = { ...COMMON_OPTIONS, ...spec.options };
  let parsed: ParsedCommand<O>;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: true,
    }) as ParsedCommand<O>;
  } catch (err) {
    throw usageError(parseErrorMessage(err), shortUsage(spec));
  }
  if (parsed.values.help === true) {
    console.log(helpText(spec));
    return undefined;
  }
  const { min, max, name } = spec.positionals;
  const count = parsed.positionals.length;
  if (count < min) throw usageError(`missing ${name}`, shortUsage(spec));
  if (count > max) {
    const extra = parsed.positionals.slice(max).map((p) => `'${p}'`);
    throw usageError(
      `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.join(" ")}`,
      shortUsage(spec),
    );
  }
  return parsed;
}

/** node:util's messages, shortened to what a person needs. */
function parseErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) return `unknown option '${unknown[1]}'`;
  const missing = /^Option '([^']+)' argument missing/.exec(message);
  if (missing !== null) return `option '${missing[1]}' needs a value`;
  const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(message);
  if (ambiguous !== null) return `option '${ambiguous[1]}' needs a value (write it as --option=value)`;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * Runs a command so that a usage error found while checking its values (a malformed number, an
 * unknown choice) shows the command's synopsis like a parse error does.
 */
export async function withUsage<T>(
  spec: { readonly name: string; readonly usage: string },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CliError && err.exitCode === ExitCode.USAGE && err.usage === undefined) {
      throw err.withUsage(shortUsage(spec));
    }
    throw err;
  }
}
