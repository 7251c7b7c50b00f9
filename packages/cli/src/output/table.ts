/** A column of a table: its header and how its cells line up. */
export interface Column {
  readonly header: string;
  /** Numbers read best right-aligned; the default is left. */
  readonly align?: "left" | "right";
}

export type Cell = string | number | boolean | null | undefined;

/** What an absent value (null, undefined, "") shows as, so columns never look shifted. */
export const EMPTY_CELL = "-";

function text(cell: Cell): string {
  if (cell === null || cell === undefined || cell === "") return EMPTY_CELL;
  return String(cell);
}

/**
 * Renders rows under upper-case headers with columns separated by two spaces, without trailing
 * spaces, so the output reads well on a terminal and still splits cleanly with awk or cut.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((row) => columns.map((_, i) => text(row[i])));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const last = i === values.length - 1;
        if (columns[i].align === "right") return v.padStart(widths[i]);
        return last ? v : v.padEnd(widths[i]);
      })
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}

/** Renders `label value` pairs with the values aligned: the header block of a describe. */
export function renderFields(fields: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${text(value)}`.trimEnd()).join("\n");
}
