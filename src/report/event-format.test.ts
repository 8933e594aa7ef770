import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GoValue } from "../run/events.js";
import { renderValueJson } from "./event-json.js";
import { renderValueText } from "./event-text.js";

// The two renderings of a Go value: JSON that keeps every integer exact, and Go syntax whose
// string literals Go's own rules read back to the same bytes.

/** Reads a Go interpreted string literal (the escapes strconv.Quote writes) back to its bytes. */
function unquoteGo(literal: string): Uint8Array {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  const body = literal.slice(1, -1);
  const out: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "\\": 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    if (c !== "\\") {
      const code = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(code);
      out.push(...Buffer.from(ch, "utf8"));
      i += ch.length - 1;
      continue;
    }
    const next = body[i + 1] ?? "";
    if (next === "x") {
      out.push(Number.parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      const byte = simple[next];
      if (byte === undefined) throw new Error(`unknown escape \\${next}`);
      out.push(byte);
      i += 1;
    }
  }
  return Uint8Array.from(out);
}

const goString = (bytes: Uint8Array): GoValue => ({ kind: "string", type: "string", bytes, text: Buffer.from(bytes).toString("utf8"), length: bytes.length, isTruncated: false });

describe("rendering Go values", () => {
  it("prints strings as Go literals that read back to the same bytes, whatever the bytes", () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }).map((s) => Uint8Array.from(Buffer.from(s, "utf8"))));
    fc.assert(
      fc.property(bytes, (b) => {
        const text = renderValueText(goString(b));
        expect([...unquoteGo(text)]).toEqual([...b]);
        expect(text).not.toMatch(/[\x00-\x1f\x7f\n]/);
      }),
    );
  });
  it("writes 64-bit integers as JSON numbers up to 2^53 − 1 and as exact decimal strings beyond", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), (v) => {
        const isSafe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
        const parsed: unknown = JSON.parse(renderValueJson({ kind: "int", type: "int64", value: isSafe ? Number(v) : v }));
        expect(typeof parsed).toBe(isSafe ? "number" : "string");
        expect(BigInt(parsed as number | string)).toBe(v);
      }),
    );
  });
  it("writes a whole UTF-8 string as a JSON string and any other as its bytes in hex with its length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 80 }), (b, extra) => {
        const value: GoValue = { ...goString(b), length: b.length + extra, isTruncated: extra > 0 } as GoValue;
        const parsed: unknown = JSON.parse(renderValueJson(value));
        if (typeof parsed === "string") {
          expect(extra).toBe(0);
          expect([...Buffer.from(parsed, "utf8")]).toEqual([...b]);
        } else {
          const object = parsed as { hex: string; len: number; truncated: boolean };
          expect([...Buffer.from(object.hex, "hex")]).toEqual([...b]);
          expect(object.len).toBe(b.length + extra);
          expect(object.truncated).toBe(extra > 0);
        }
      }),
    );
  });
});
