import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExactJson, type ExactJson } from "./exact-json.js";

/** JSON text for a value, with bigints written as bare integers (as bpftrace's %ld prints them). */
function render(value: ExactJson): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(render).join(",")}]`;
  if (value !== null && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`).join(",")}}`;
  return JSON.stringify(value);
}

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n });
const exactValue: fc.Arbitrary<ExactJson> = fc.letrec<{ value: ExactJson }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    int64.map((v) => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v)),
    fc.string({ unit: "binary" }),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("parseExactJson", () => {
  it("reads back every value, integers beyond 2^53 exactly", () => {
    fc.assert(
      fc.property(exactValue, (v) => {
        expect(parseExactJson(render(v))).toEqual(v);
      }),
    );
  });
  it("agrees with JSON.parse on texts without unsafe integers", () => {
    fc.assert(
      fc.property(fc.json().filter((t) => !/\d{16}/.test(t)), (text) => {
        expect(parseExactJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });
  it("keeps 64-bit extremes exact", () => {
    expect(parseExactJson('{"a":-9223372036854775808,"b":18446744073709551615,"c":9007199254740991}')).toEqual({ a: -9223372036854775808n, b: 18446744073709551615n, c: 9007199254740991 });
  });
  it("refuses what is not JSON with a SyntaxError", () => {
    for (const bad of ["", "{", '{"a":}', "[1,]", '"x', "01", "{} x"]) expect(() => parseExactJson(bad)).toThrow(SyntaxError);
  });
});
