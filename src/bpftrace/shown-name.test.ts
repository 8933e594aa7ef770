import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shownName } from "./shown-name.js";

// Read back the way a person would: `\\` is a backslash, `\xNN` and `\u{N}` the character with
// that code; anything else stands for itself.
function readBack(shown: string): string {
  return shown.replace(/\\(\\|x([0-9a-f]{2})|u\{([0-9a-f]+)\})/g, (_m, all: string, hex?: string, wide?: string) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : wide !== undefined ? String.fromCodePoint(parseInt(wide, 16)) : all,
  );
}

const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', "\\", "%", "\n", "\r", "\0", "}", "/", "*", "x", "7", "é", "\u2028", "\u0085", "😀", "\x7f", "\t", "\x1b") }),
  fc.string({ unit: "binary" }),
);

describe("shownName", () => {
  it("holds no control character or line separator, and reads back to the name", () => {
    fc.assert(
      fc.property(hostile, (name) => {
        const shown = shownName(name);
        expect(shown).not.toMatch(/[\0-\x1f\x7f-\x9f\u2028\u2029]/);
        expect(readBack(shown)).toBe(name);
      }),
    );
  });

  it("leaves plain names alone, letters of other scripts included", () => {
    expect(shownName("main.(*Cart).Add")).toBe("main.(*Cart).Add");
    expect(shownName("main.Größe")).toBe("main.Größe");
    expect(shownName('main."\n}')).toBe('main."\\x0a}');
  });
});
