/**
 * Kafka's message specs are JSON with `//` line comments (and the parser Kafka uses would also
 * take `/* *\/` blocks). Comments are blanked out, leaving string literals untouched, and the rest
 * goes to JSON.parse.
 */
export function stripJsonComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      out += text.slice(start, i);
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new Error("unterminated block comment");
      // Keep line breaks so JSON.parse errors still point at the right line.
      out += text.slice(i, end + 2).replace(/[^\n]/g, " ");
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function parseJsonWithComments(text: string, source: string): unknown {
  try {
    return JSON.parse(stripJsonComments(text));
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`, { cause: err });
  }
}
