import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/config-error.js";
import { parseOverride, parseProperties } from "../../src/config/properties-parser.js";

test("comments, blank lines and the three separators", () => {
  const props = parseProperties(
    [
      "# a comment",
      "   ! another comment",
      "",
      "   ",
      "node.id=2",
      "num.partitions : 3",
      "log.dirs   /tmp/a,/tmp/b",
      "listeners = PLAINTEXT://:9092",
      "empty.value=",
      "key.only",
    ].join("\n"),
  );
  assert.deepEqual(
    [...props],
    [
      ["node.id", "2"],
      ["num.partitions", "3"],
      ["log.dirs", "/tmp/a,/tmp/b"],
      ["listeners", "PLAINTEXT://:9092"],
      ["empty.value", ""],
      ["key.only", ""],
    ],
  );
});

test("leading blanks are dropped, trailing blanks kept (as Java), CRLF line ends", () => {
  const props = parseProperties("  a=1  \r\n\tb:\t2\r\nc=3");
  assert.equal(props.get("a"), "1  ");
  assert.equal(props.get("b"), "2");
  assert.equal(props.get("c"), "3");
});

test("line continuation joins lines and drops the next line's leading blanks", () => {
  const props = parseProperties("listeners=PLAINTEXT://:9092,\\\n    SSL://:9093\nnext=x");
  assert.equal(props.get("listeners"), "PLAINTEXT://:9092,SSL://:9093");
  assert.equal(props.get("next"), "x");
  // an even number of backslashes is an escaped backslash, not a continuation
  const even = parseProperties("path=C:\\\\\nother=y");
  assert.equal(even.get("path"), "C:\\");
  assert.equal(even.get("other"), "y");
});

test("escapes: separators in keys, \\t \\n \\uXXXX, other characters stand for themselves", () => {
  const props = parseProperties("a\\=b\\:c=1\nx=tab\\there\\nnew\\u0041\\q");
  assert.equal(props.get("a=b:c"), "1");
  assert.equal(props.get("x"), "tab\there\nnewAq");
});

test("a comment marker after the start of a line is part of the value", () => {
  assert.equal(parseProperties("a=b # not a comment").get("a"), "b # not a comment");
});

test("the last occurrence of a key wins", () => {
  assert.equal(parseProperties("a=1\na=2").get("a"), "2");
});

test("a malformed \\u escape is a ConfigError naming the line", () => {
  assert.throws(
    () => parseProperties("ok=1\nbad=\\u12"),
    (e: unknown) => e instanceof ConfigError && e.code === "MALFORMED_PROPERTIES" && /line 2/.test(e.message),
  );
});

test("--set overrides split at the first '='", () => {
  assert.deepEqual(parseOverride("num.partitions=3"), ["num.partitions", "3"]);
  assert.deepEqual(parseOverride("listeners=PLAINTEXT://a:1=2"), ["listeners", "PLAINTEXT://a:1=2"]);
  assert.deepEqual(parseOverride("x="), ["x", ""]);
  assert.throws(() => parseOverride("novalue"), ConfigError);
  assert.throws(() => parseOverride("=v"), ConfigError);
});
