/**
 * Parses the text of a Java .properties file as Kafka's tools read `--command-config`: `key=value`
 * or `key: value` or `key value` lines, `#` and `!` comments, blank lines, and a trailing
 * backslash continuing a line. Escapes other than line continuation are kept as written (Kafka
 * client properties never need them).
 */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trimStart();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (line.endsWith("\\") && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].trimStart();
    }
    const m = /^((?:[^\s=:\\]|\\.)+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m === null) {
      out[line.trim()] = "";
      continue;
    }
    out[m[1]] = m[2].trimEnd();
  }
  return out;
}
