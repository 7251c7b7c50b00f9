import { type LevelWithSilent, type Logger, pino } from "pino";

/** Structured JSON logs on stderr (stdout stays free for the CLI's own output). */
export function createLogger(level: LevelWithSilent = "info"): Logger {
  return pino({ level, base: { component: "broker" } }, pino.destination(2));
}
