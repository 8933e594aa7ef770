import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unquoteGoPrefix } from "./buildinfo.js";

describe("unquoteGoPrefix", () => {
  it("reads every JSON string literal (a valid Go literal for strings without lone surrogates)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string(), (s, rest) => {
        const literal = JSON.stringify(s);
        expect(unquoteGoPrefix(literal + rest)).toEqual({ value: s, length: literal.length });
      }),
    );
  });

  it("decodes Go's own escapes (strconv.Quote output)", () => {
    expect(unquoteGoPrefix('"-N -l"')?.value).toBe("-N -l");
    expect(unquoteGoPrefix('"a\\x00b\\u00e9\\U0001F600\\101\\a"')?.value).toBe("a\x00bé😀A\x07");
    expect(unquoteGoPrefix("`raw \\n`=x")).toEqual({ value: "raw \\n", length: 8 });
  });

  it("refuses unterminated or invalid literals", () => {
    for (const bad of ['"abc', '"\\q"', '"\\x4"', '"\\ud800"', "`abc", "abc", '"\\777"']) expect(unquoteGoPrefix(bad)).toBeUndefined();
  });
});
