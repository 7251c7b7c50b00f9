/*
 * Frames written by the reference command-line tools (lz4 v1.9.4, zstd, GNU gzip) from
 * fixtureText(), so decompression is checked against independent implementations:
 *   lz4 -B4 -BD                              linked blocks, content checksum
 *   lz4 -B4 -BX --content-size --no-frame-crc block checksums, content size, no content checksum
 *   lz4 -B4 --no-frame-crc                    FLG 0x60 BD 0x40: what Kafka's Java client writes
 *   zstd -c < file                            streaming frame, no content size
 *   zstd -c --no-check < file                 no content size, no checksum
 *   zstd -c file                              content size declared
 *   gzip, twice, concatenated                 two gzip members ("hello gzip member one\n", "and member two\n")
 */

/** 64 KiB blocks of this text repeat with a period of 97 lines, so linked blocks reach back across blocks. */
export function fixtureText(): Buffer {
  let s = "";
  for (let i = 0; i < 6000; i++) s += `line ${i % 97} of the weir lz4 fixture\n`;
  return Buffer.from(s, "latin1");
}

export const LZ4_LINKED = Buffer.from(
  "BCJNGERAXicDAADxEGxpbmUgMCBvZiB0aGUgd2VpciBsejQgZml4dHVyZQofAB8xHwALHzIfAAsfMx8ACx80HwALHzUfAAsfNh8A" +
    "Cx83HwALHzgfAAsfOR8ACx8xNwENDzgBDB8xOQEMHzE6AQwfMTsBDB8xPAEMHzE9AQwfMT4BDB8xPwEMHzFAAQwfMkABDB8yQAEM" +
    "HzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEM" +
    "HzNAAQwfM0ABDB8zQAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNUABDB81QAEM" +
    "HzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEM" +
    "HzZAAQwfNkABDB82QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfOEABDB84QAEM" +
    "HzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB85QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85QAEM" +
    "D98ADA/eAAwP3QAMD9wADA/bAAwP2gAMD9kADA8YAg0P9wsLDxYCDA8WDP//////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "/////////////////////////////////////////////////////////////////////////////////4pQIGZpeHQRAQAABuX/" +
    "Dw71DA/O/f//////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "//////////////////////////////////////////////////+/UGYgdGhl5AIAAP8RIHdlaXIgbHo0IGZpeHR1cmUKbGluZSAz" +
    "NiBvZiB0aGUgAAUfNyAADB84IAAMHzkgAAsvNDAgAAwfMSAADB8yIAAMHzMgAAwfNCAADB81IAAMD0ABDB80QAEMHzRAAQwfNEAB" +
    "DB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkAB" +
    "DB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0AB" +
    "DB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUAB" +
    "DB85QAEMHzlAAQwP3wAMD94ADA/dAAwP3AAMD9sADA/aAAwP2QAMDxgCDQ93BwsPFgIMHzE3AQ0POAEMHzE5AQwfMToBDB8xOwEM" +
    "HzE8AQwfMT0BDB8xPgEMHzFWAwwfMUABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEM" +
    "HzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEMDxYM////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "//////////////////////////////////////////8vUHR1cmUKAAAAAOq1WiU=",
  "base64",
);

export const LZ4_BLOCK_CHECKSUM_CONTENT_SIZE = Buffer.from(
  "BCJNGHhAlOsCAAAAAADxJwMAAPEQbGluZSAwIG9mIHRoZSB3ZWlyIGx6NCBmaXh0dXJlCh8AHzEfAAsfMh8ACx8zHwALHzQfAAsf" +
    "NR8ACx82HwALHzcfAAsfOB8ACx85HwALHzE3AQ0POAEMHzE5AQwfMToBDB8xOwEMHzE8AQwfMT0BDB8xPgEMHzE/AQwfMUABDB8y" +
    "QAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8z" +
    "QAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB81" +
    "QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82" +
    "QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB84" +
    "QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85" +
    "QAEMHzlAAQwP3wAMD94ADA/dAAwP3AAMD9sADA/aAAwP2QAMDxgCDQ/3CwsPFgIMDxYM////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////ilAgZml4" +
    "dI6C5pr3AgAA9hF1cmUKbGluZSAxOCBvZiB0aGUgd2VpciBsejQgZml4dCAAHzkgAAsvMjAgAAwfMSAADB8yIAAMHzMgAAwfNCAA" +
    "DB81IAAMHzYgAAwfNyAADA9AAQwfMkABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEM" +
    "HzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEM" +
    "HzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEM" +
    "HzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEM" +
    "HzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB85QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85QAEMD98ADA/eAAwP3QAMD9wA" +
    "DA/bAAwP2gAMD9kADA8YAg0PtwkLDxYCDB8xNwENDzgBDB8xOQEMHzE6AQwfMTsBDB8xPAEMHzE9AQwfMT4BDA8WDP//////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "//////////////+9UGYgdGhlVb1zwOQCAAD/ESB3ZWlyIGx6NCBmaXh0dXJlCmxpbmUgMzYgb2YgdGhlIAAFHzcgAAwfOCAADB85" +
    "IAALLzQwIAAMHzEgAAwfMiAADB8zIAAMHzQgAAwfNSAADA9AAQwfNEABDB80QAEMHzRAAQwfNUABDB81QAEMHzVAAQwfNUABDB81" +
    "QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82" +
    "QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfOEABDB84QAEMHzhAAQwfOEABDB84" +
    "QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB85QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85QAEMD98ADA/eAAwP3QAM" +
    "D9wADA/bAAwP2gAMD9kADA8YAg0PdwcLDxYCDB8xNwENDzgBDB8xOQEMHzE6AQwfMTsBDB8xPAEMHzE9AQwfMT4BDB8xVgMMHzFA" +
    "AQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNA" +
    "AQwfM0ABDA8WDP//////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////L1B0dXJlCofuLNwAAAAA",
  "base64",
);

export const LZ4_JAVA_LIKE = Buffer.from(
  "BCJNGGBAgicDAADxEGxpbmUgMCBvZiB0aGUgd2VpciBsejQgZml4dHVyZQofAB8xHwALHzIfAAsfMx8ACx80HwALHzUfAAsfNh8A" +
    "Cx83HwALHzgfAAsfOR8ACx8xNwENDzgBDB8xOQEMHzE6AQwfMTsBDB8xPAEMHzE9AQwfMT4BDB8xPwEMHzFAAQwfMkABDB8yQAEM" +
    "HzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEM" +
    "HzNAAQwfM0ABDB8zQAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNUABDB81QAEM" +
    "HzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEM" +
    "HzZAAQwfNkABDB82QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfOEABDB84QAEM" +
    "HzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB85QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85QAEM" +
    "D98ADA/eAAwP3QAMD9wADA/bAAwP2gAMD9kADA8YAg0P9wsLDxYCDA8WDP//////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "/////////////////////////////////////////////////////////////////////////////////4pQIGZpeHT3AgAA9hF1" +
    "cmUKbGluZSAxOCBvZiB0aGUgd2VpciBsejQgZml4dCAAHzkgAAsvMjAgAAwfMSAADB8yIAAMHzMgAAwfNCAADB81IAAMHzYgAAwf" +
    "NyAADA9AAQwfMkABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEMHzRAAQwfNEABDB80" +
    "QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNEABDB80QAEMHzRAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81" +
    "QAEMHzVAAQwfNUABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEMHzdAAQwfN0ABDB83" +
    "QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84" +
    "QAEMHzhAAQwfOEABDB85QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85QAEMD98ADA/eAAwP3QAMD9wADA/bAAwP2gAMD9kA" +
    "DA8YAg0PtwkLDxYCDB8xNwENDzgBDB8xOQEMHzE6AQwfMTsBDB8xPAEMHzE9AQwfMT4BDA8WDP//////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "//////////////////////////////////////////////////////////////////////////////////////////////////+9" +
    "UGYgdGhl5AIAAP8RIHdlaXIgbHo0IGZpeHR1cmUKbGluZSAzNiBvZiB0aGUgAAUfNyAADB84IAAMHzkgAAsvNDAgAAwfMSAADB8y" +
    "IAAMHzMgAAwfNCAADB81IAAMD0ABDB80QAEMHzRAAQwfNEABDB81QAEMHzVAAQwfNUABDB81QAEMHzVAAQwfNUABDB81QAEMHzVA" +
    "AQwfNUABDB81QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfNkABDB82QAEMHzZAAQwfN0ABDB83QAEMHzdA" +
    "AQwfN0ABDB83QAEMHzdAAQwfN0ABDB83QAEMHzdAAQwfN0ABDB84QAEMHzhAAQwfOEABDB84QAEMHzhAAQwfOEABDB84QAEMHzhA" +
    "AQwfOEABDB84QAEMHzlAAQwfOUABDB85QAEMHzlAAQwfOUABDB85QAEMHzlAAQwP3wAMD94ADA/dAAwP3AAMD9sADA/aAAwP2QAM" +
    "DxgCDQ93BwsPFgIMHzE3AQ0POAEMHzE5AQwfMToBDB8xOwEMHzE8AQwfMT0BDB8xPgEMHzFWAwwfMUABDB8yQAEMHzJAAQwfMkAB" +
    "DB8yQAEMHzJAAQwfMkABDB8yQAEMHzJAAQwfMkABDB8yQAEMHzNAAQwfM0ABDB8zQAEMHzNAAQwfM0ABDB8zQAEMDxYM////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "//////////////////////////////////////////////////////////////////////////////////////////8vUHR1cmUK" +
    "AAAAAA==",
  "base64",
);

export const ZSTD_STREAMING = Buffer.from(
  "KLUv/QRYHAUAsogYGKAlaQPgP1vM2srWhaqGsrt3ysSLP/BcAYlndTczMzMREREREe/u7u7uzMzMzMyqqqqqqv7//3/btm27bdu2" +
    "JSIiIqLEs7pLQ4pCCIgBcAiUYT5AjFFIwBDCMUNhBkOKQgRrqDH4/X8DwDMq1xL4/9fCX/8/A6zyGSxaTR+HaNMSFy+ooaLCwg9t" +
    "IQYJEP8IH/YID70dmXQmhrtStMLUqk0AAAggAQCQax0IAZNjFyc=",
  "base64",
);

export const ZSTD_STREAMING_NO_CHECK = Buffer.from(
  "KLUv/QBYHAUAsogYGKAlaQPgP1vM2srWhaqGsrt3ysSLP/BcAYlndTczMzMREREREe/u7u7uzMzMzMyqqqqqqv7//3/btm27bdu2" +
    "JSIiIqLEs7pLQ4pCCIgBcAiUYT5AjFFIwBDCMUNhBkOKQgRrqDH4/X8DwDMq1xL4/9fCX/8/A6zyGSxaTR+HaNMSFy+ooaLCwg9t" +
    "IQYJEP8IH/YID70dmXQmhrtStMLUqk0AAAggAQCQax0IAQ==",
  "base64",
);

export const ZSTD_SIZED = Buffer.from(
  "KLUv/aSU6wIABAUAYkgXF5A1aQNgdUP+MX+IuztuZfdOmVA402lAiWd1NzMzMxERERER7+7u7u7MzMzMzKqqqqqq/v//f9u2bbtt" +
    "27YlIiIiosSzuksBYhgOgELMA4oxCjkMGRxDFEYwhFCKbKgx+P0/A8AzKtcSSBD4/7Xw1//PrPIZ7Li8ngzRhiUuV1kDbQWtH9pC" +
    "DBIg+iM+7BE8fDui6/zJdWZMdwFoVU0AAAggAQCQax0IAZNjFyc=",
  "base64",
);

export const GZIP_TWO_MEMBERS = Buffer.from(
  "H4sIAAAAAAAAA8tIzcnJV0ivyixQyE3NTUotUsjPS+UCAOuX7sQWAAAAH4sIAAAAAAAAA0vMS1HITc1NSi1SKCnP5wIAr86xxw8A" +
    "AAA=",
  "base64",
);
