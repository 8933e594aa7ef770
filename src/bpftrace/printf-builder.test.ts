import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commentText, stringLiteral } from "./literal.js";
import { PrintfBuilder } from "./printf-builder.js";

// The escaping rules are checked against a reading of bpftrace's lexer written here from its
// documentation (string literals take \" \\ \n \t \xNN; printf formats take %-conversions and
// the same escapes), not against literal.ts itself; test/trace-live.test.ts prints hostile text
// through real bpftrace builds.

/** The bytes a bpftrace string literal stands for, or throws when it is not one literal. */
function decodeLiteral(literal: string): Buffer {
  if (!literal.startsWith('"') || !literal.endsWith('"') || literal.length < 2) throw new Error(`not a literal: ${literal}`);
  const body = literal.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e) throw new Error(`raw byte 0x${ch.toString(16)} in ${literal}`);
    if (ch === 0x22) throw new Error(`unescaped quote in ${literal}`);
    if (ch !== 0x5c) {
      out.push(ch);
      continue;
    }
    const next = body[++i];
    if (next === '"' || next === "\\") out.push(next.charCodeAt(0));
    else if (next === "x") {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) throw new Error(`bad \\x in ${literal}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else throw new Error(`unknown escape \\${String(next)} in ${literal}`);
  }
  return Buffer.from(out);
}

/** What bpftrace prints for a printf whose arguments are all string literals: %s takes the next one. */
function simulatePrintf(rendered: string): string {
  const text = rendered.trim();
  if (!text.startsWith("printf(") || !text.endsWith(");")) throw new Error(`not a printf: ${rendered}`);
  const [formatLiteral, ...argLiterals] = splitArgs(text.slice("printf(".length, -2));
  if (formatLiteral === undefined) throw new Error(`no format in ${rendered}`);
  const format = decodeLiteral(formatLiteral.replace(/\\n"$/, '"')).toString("latin1") + "\n";
  const args = argLiterals.map((a) => decodeLiteral(a).toString("latin1"));
  let out = "";
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== "%") {
      out += format[i];
      continue;
    }
    if (format[i + 1] !== "s") throw new Error(`conversion %${format[i + 1]} in ${format}`);
    const arg = args.shift();
    if (arg === undefined) throw new Error(`too few arguments for ${format}`);
    out += arg;
    i++;
  }
  if (args.length > 0) throw new Error(`${args.length} arguments left over`);
  return Buffer.from(out, "latin1").toString("utf8");
}

/** Splits `"a", "b\"c"` at the commas between literals. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === " " || text[i] === ",") i++;
    if (i >= text.length) break;
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    args.push(text.slice(i, j + 1));
    i = j + 1;
  }
  return args;
}

// Names from a hostile binary: every troublesome character bpftrace or a reader could trip on.
const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', "\\", "%", "\n", "\r", "\0", "}", "{", ";", "/", "*", "(", ")", "x", "é", "\u2028", "😀", "\x7f", "\t") }),
  fc.string({ unit: "binary" }),
);

describe("stringLiteral", () => {
  it("is one literal of printable ASCII that stands for the text's UTF-8 bytes (a NUL as the text \\x00), cut to fit", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 8, max: 1023 }), (text, maxBytes) => {
        const literal = stringLiteral(text, maxBytes);
        const bytes = decodeLiteral(literal);
        const whole = Buffer.from(text.length > 200 ? `${text.slice(0, 200)}…` : text, "utf8").toString("latin1").replace(/\0/g, "\\x00");
        const printed = bytes.toString("latin1");
        expect(bytes.length).toBeLessThanOrEqual(maxBytes);
        if (whole.length <= maxBytes) {
          expect(printed).toBe(whole);
        } else {
          // Cut at a character boundary, marked with "…": valid UTF-8, a prefix of the whole.
          const ellipsis = Buffer.from("…", "utf8").toString("latin1");
          expect(printed.endsWith(ellipsis)).toBe(true);
          expect(whole.startsWith(printed.slice(0, -ellipsis.length))).toBe(true);
          expect(Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes)).toBe(true);
        }
      }),
    );
  });
});

describe("PrintfBuilder.text", () => {
  it("prints any text exactly, with no conversion but the %s it adds for its own literals", () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 5 }), (pieces) => {
        const b = new PrintfBuilder();
        for (const p of pieces) b.text(p);
        const printed = simulatePrintf(b.render(""));
        expect(printed).toBe(pieces.join("").replace(/\0/g, "\\x00") + "\n");
      }),
    );
  });

  it("keeps conversions and their arguments in order", () => {
    const b = new PrintfBuilder();
    b.text("a=");
    b.conversion("%ld", "$v0");
    b.text(" 100%");
    b.conversion("%lx", "reg(\"ax\")");
    expect(b.render("")).toBe('printf("a=%ld 100%s%lx\\n", $v0, "%", reg("ax"));');
  });

  it("names variables uniquely across the builders of one probe", () => {
    const shared = { next: 0 };
    const a = new PrintfBuilder(64, shared);
    const b = new PrintfBuilder(64, shared);
    expect([a.variable("1"), b.variable("2"), a.variable("3")]).toEqual(["$v0", "$v1", "$v2"]);
  });
});

describe("commentText", () => {
  it("a comment stays on one line of printable ASCII", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(commentText(text)).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
  });
});
