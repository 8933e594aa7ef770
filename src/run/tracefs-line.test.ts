import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTraceLine } from "./tracefs-line.js";

// Lines as kernel/trace/trace_output.c prints them; the first is copied from this machine's
// trace_pipe (Linux 6.18) for an event `p:g/greet_call … goid=… p=%ax:x64 n=%bx:s64 s=+0(%ax):u8[4]`.
describe("parseTraceLine", () => {
  it("reads a real line", () => {
    const line = "           calls-28564   (  28564) [001] DBZff 21564.041065: greet_call: (0x491246) goid=1 p=0x497361 n=6 s={103,111,112,104}";
    const parsed = parseTraceLine(line);
    expect(parsed).toEqual({ tid: 28564, tgid: 28564, ns: 21564041065000n, event: "greet_call", ip: 0x491246n, fields: new Map<string, unknown>([["goid", 1n], ["p", 0x497361n], ["n", 6n], ["s", [103n, 111n, 112n, 104n]]]) });
  });
  it("reads every field back whatever the command name, tgid and flags", () => {
    const field = fc.oneof(
      fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((v) => ({ text: v.toString(), value: v as bigint | bigint[] })),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => ({ text: `0x${v.toString(16)}`, value: v as bigint | bigint[] })),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }).map((a) => ({ text: `{${a.join(",")}}`, value: a.map(BigInt) as bigint | bigint[] })),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 16 }).filter((s) => !s.includes("\n")),
        fc.integer({ min: 1, max: 4194304 }),
        fc.option(fc.integer({ min: 1, max: 4194304 })),
        fc.constantFrom("", "DBZff ", "..... ", "d..1. "),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 0, max: 999999 }),
        fc.array(field, { maxLength: 10 }),
        (comm, tid, tgid, flags, seconds, micros, fields) => {
          const text = fields.map((f, i) => ` v${i}=${f.text}`).join("");
          const line = `${comm.padStart(16)}-${tid} (${tgid === null ? "-------" : String(tgid).padStart(7)}) [003] ${flags}${seconds}.${String(micros).padStart(6, "0")}: f1_call: (0x401000)${text}`;
          const parsed = parseTraceLine(line);
          expect(parsed?.tid).toBe(tid);
          expect(parsed?.tgid).toBe(tgid ?? undefined);
          expect(parsed?.ns).toBe(seconds * 1_000_000_000n + BigInt(micros) * 1000n);
          expect(parsed?.event).toBe("f1_call");
          expect(parsed?.fields).toEqual(new Map(fields.map((f, i) => [`v${i}`, f.value])));
        },
      ),
    );
  });
  it("ignores lines that are not events", () => {
    expect(parseTraceLine("CPU:1 [LOST 12 EVENTS]")).toBeUndefined();
    expect(parseTraceLine("")).toBeUndefined();
  });
});
