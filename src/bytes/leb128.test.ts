import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { decodeSleb128, decodeUleb128, decodeUleb128Big, type LebEnd } from "./leb128.js";

const end = (): LebEnd => ({ next: 0, problem: undefined });

describe("LEB128", () => {
  it("decodes the DWARF 5 §7.6 examples", () => {
    // Figure 22 and 23 of the DWARF 5 specification.
    const unsigned: [number[], number][] = [[[2], 2], [[127], 127], [[0x80, 1], 128], [[0x81, 1], 129], [[0x82, 1], 130], [[0xb9, 0x64], 12857]];
    for (const [bytes, value] of unsigned) expect(decodeUleb128(new Uint8Array(bytes), 0, end())).toBe(value);
    const signed: [number[], number][] = [[[2], 2], [[0x7e], -2], [[0xff, 0], 127], [[0x81, 0x7f], -127], [[0x80, 1], 128], [[0x80, 0x7f], -128], [[0x81, 1], 129], [[0xff, 0x7e], -129]];
    for (const [bytes, value] of signed) expect(decodeSleb128(new Uint8Array(bytes), 0, end())).toBe(value);
  });

  it("round-trips every safe unsigned value through an independent encoder", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat(8), (value, at) => {
        const bytes = new ByteBuilder().zeros(at).uleb(value).u8(0xaa).build();
        const e = end();
        expect(decodeUleb128(bytes, at, e)).toBe(value);
        expect(e.problem).toBeUndefined();
        expect(bytes[e.next]).toBe(0xaa);
      }),
    );
  });

  it("round-trips every safe signed value", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const bytes = new ByteBuilder().sleb(value).build();
        const e = end();
        expect(decodeSleb128(bytes, 0, e)).toBe(value);
        expect(e.next).toBe(bytes.length);
      }),
    );
  });

  it("round-trips all 64-bit values as bigint", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        const bytes = new ByteBuilder().uleb(value).build();
        expect(decodeUleb128Big(bytes, 0, end())).toBe(value);
      }),
    );
  });

  it("accepts redundant padding bytes", () => {
    expect(decodeUleb128(new Uint8Array([0x85, 0x80, 0x80, 0x00]), 0, end())).toBe(5);
  });

  it("reports, never throws, on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), fc.nat(16), (bytes, at) => {
        for (const decode of [decodeUleb128, decodeSleb128]) {
          const e = end();
          const v = decode(bytes, at, e);
          if (e.problem === undefined) {
            expect(Number.isSafeInteger(v)).toBe(true);
            expect(e.next).toBeGreaterThan(at);
            expect(e.next).toBeLessThanOrEqual(bytes.length);
          } else {
            expect(v).toBeNaN();
          }
        }
      }),
    );
  });

  it("refuses values beyond 2^53-1 as numbers and beyond 64 bits as bigints", () => {
    const e = end();
    decodeUleb128(new ByteBuilder().uleb(2n ** 53n).build(), 0, e);
    expect(e.problem).toMatch(/2\^53/);
    decodeUleb128Big(new ByteBuilder().uleb(2n ** 64n).build(), 0, e);
    expect(e.problem).toMatch(/64 bits/);
    decodeUleb128(new Uint8Array([0x80, 0x80]), 0, e);
    expect(e.problem).toMatch(/past the end/);
  });
});
