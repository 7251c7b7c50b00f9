/** The line width of the repository's Biome configuration. */
export const LINE_WIDTH = 110;

const INDENT = "  ";

/**
 * Builds TypeScript source line by line, already in the layout Biome's formatter would give it,
 * so generated files pass `biome check` without a formatting pass. Only the few constructs the
 * emitters use know how to wrap; anything else that would overflow the line width is an error
 * in the generator, reported at generation time rather than by a failing lint later.
 */
export class CodeBuilder {
  readonly #lines: string[] = [];
  #depth: number;

  constructor(depth = 0) {
    this.#depth = depth;
  }

  /** Appends a line at the current indentation (an empty line when called without text). */
  line(text = ""): this {
    if (text === "") {
      this.#lines.push("");
      return this;
    }
    const full = INDENT.repeat(this.#depth) + text;
    if (full.length > LINE_WIDTH) throw new Error(`generated line is too long (${full.length}): ${full}`);
    this.#lines.push(full);
    return this;
  }

  /** Appends several lines. */
  lines(texts: readonly string[]): this {
    for (const t of texts) this.line(t);
    return this;
  }

  /** Appends `text` (ending in "{") and indents what follows. */
  open(text: string): this {
    this.line(text);
    this.#depth++;
    return this;
  }

  /** Dedents and appends the closing text. */
  close(text = "}"): this {
    this.#depth--;
    this.line(text);
    return this;
  }

  /** Dedents without writing anything (after a `case x:` body). */
  dedent(): this {
    this.#depth--;
    return this;
  }

  /** Dedents and reopens, for `} else {` and the like. */
  reopen(text: string): this {
    this.#depth--;
    this.line(text);
    this.#depth++;
    return this;
  }

  /** True when `text` fits on one line at the current indentation. */
  fits(text: string): boolean {
    return INDENT.repeat(this.#depth).length + text.length <= LINE_WIDTH;
  }

  /**
   * `head(arg, arg)tail` on one line when it fits, otherwise the way Biome breaks it: one
   * argument per line with a trailing comma, the tail on its own line. Returns this for chaining;
   * when `opens` is set the tail ends in "{" and the following lines are indented.
   */
  call(head: string, args: readonly string[], tail: string, opens = false): this {
    const single = `${head}${args.join(", ")}${tail}`;
    if (this.fits(single)) {
      this.line(single);
    } else {
      this.line(head);
      this.#depth++;
      for (const a of args) this.line(`${a},`);
      this.#depth--;
      this.line(tail);
    }
    if (opens) this.#depth++;
    return this;
  }

  /** `return a && b && c;`, or Biome's broken layout with one operand per line. */
  returnAll(operands: readonly string[]): this {
    if (operands.length === 0) return this.line("return true;");
    const single = `return ${operands.join(" && ")};`;
    if (this.fits(single)) return this.line(single);
    this.line("return (");
    this.#depth++;
    operands.forEach((op, i) => {
      this.line(i === operands.length - 1 ? op : `${op} &&`);
    });
    this.#depth--;
    return this.line(");");
  }

  /** Appends the lines of another builder as they are (it was created at the right depth). */
  append(other: CodeBuilder): this {
    this.#lines.push(...other.#lines);
    return this;
  }

  toString(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}

/** `import { a, type B } from "x";` or the broken form, with names in Biome's sort order. */
export function importLine(names: readonly string[], from: string, typeOnly = false): string[] {
  const sorted = [...names].sort(compareImportNames);
  const keyword = typeOnly ? "import type" : "import";
  const single = `${keyword} { ${sorted.join(", ")} } from "${from}";`;
  if (single.length <= LINE_WIDTH) return [single];
  return [`${keyword} {`, ...sorted.map((n) => `${INDENT}${n},`), `} from "${from}";`];
}

/**
 * Biome's order for named imports: letter by letter ignoring case, except that where two names
 * first differ only in the case of a letter, the upper-case one comes first; `type` is ignored.
 */
export function compareImportNames(a: string, b: string): number {
  const ka = a.replace(/^type /, "");
  const kb = b.replace(/^type /, "");
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const ca = ka[i];
    const cb = kb[i];
    if (ca === cb) continue;
    const la = ca.toLowerCase();
    const lb = cb.toLowerCase();
    if (la !== lb) return la < lb ? -1 : 1;
    return ca < cb ? -1 : 1;
  }
  return ka.length - kb.length;
}
