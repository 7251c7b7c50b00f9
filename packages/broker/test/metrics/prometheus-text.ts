import assert from "node:assert/strict";

/** One sample line of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
// Prometheus parses values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
const VALUE = "[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[nN][aA][nN]|[iI][nN][fF])";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (${VALUE})(?: -?[0-9]+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses Prometheus text exposition format (version 0.0.4) strictly: every line must be a sample,
 * a HELP or TYPE comment, or blank; a metric's TYPE comes before its samples and only once.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  text.split("\n").forEach((line, i) => {
    if (line === "") return;
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith("#")) {
      const type = TYPE.exec(line);
      if (type !== null) {
        assert.ok(!typed.has(type[1]!), `${where}: a second TYPE for ${type[1]}`);
        typed.set(type[1]!, type[2]!);
        return;
      }
      assert.match(line, HELP, `${where}: neither HELP nor TYPE`);
      return;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m !== null, `${where}: not a sample line`);
    const name = m[1]!;
    const family = name.replace(/_(bucket|sum|count)$/, "");
    assert.ok(typed.has(name) || typed.has(family), `${where}: no TYPE before the sample`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? "").matchAll(LABEL_PAIR)) labels[key!] = value!;
    const raw = m[3]!.toLowerCase();
    const value = raw === "nan" ? Number.NaN : Number(raw.replace("inf", "Infinity"));
    samples.push({ name, labels, value });
  });
  return samples;
}

/** The value of the one sample named `name` with exactly `labels`, or undefined. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const wanted = Object.entries(labels);
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === wanted.length &&
      wanted.every(([k, v]) => s.labels[k] === v),
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} appears ${found.length} times`);
  return found[0]?.value;
}

/** Scrapes `url` and parses the answer, checking the status and content type. */
export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}
