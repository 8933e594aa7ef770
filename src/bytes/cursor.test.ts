import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { GoxrayError } from "../errors.js";
import { ByteCursor } from "./cursor.js";

const place = { file: "bin", section: ".debug_info", base: 0x100 };

describe("ByteCursor", () => {
  it("reads fixed-width fields in both byte orders as the builder wrote them", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 0xffff }), fc.nat(), fc.maxSafeNat(), (little, a, b, c) => {
        const bytes = new ByteBuilder(little).u8(7).u16(a).u32(b >>> 0).u64(c).build();
        const cur = new ByteCursor(bytes, little, place);
        expect([cur.u8(), cur.u16(), cur.u32(), cur.u64()]).toEqual([7, a, b >>> 0, c]);
        expect(cur.remaining).toBe(0);
      }),
    );
  });

  it("works on a view that does not start at its buffer's offset 0", () => {
    const backing = new ByteBuilder().u32(0xdeadbeef).u32(0x01020304).build();
    const cur = new ByteCursor(backing.subarray(4), true, place);
    expect(cur.u32()).toBe(0x01020304);
  });

  it("names file, section and the section offset when a read runs out", () => {
    const cur = new ByteCursor(new Uint8Array(6), true, place);
    cur.seek(4);
    expect(() => cur.u32("unit_length")).toThrow("bin: .debug_info+0x104: unit_length: needs 4 bytes, 2 left");
  });

  it("refuses 64-bit values past 2^53-1 instead of rounding", () => {
    const cur = new ByteCursor(new ByteBuilder().u64(2n ** 53n).build(), true, place);
    expect(() => cur.u64("addr")).toThrow(/above 2\^53-1/);
    expect(cur.u64BigAt(0)).toBe(2n ** 53n);
  });

  it("gives a value or a malformed error inside the section for any bytes and any reads", () => {
    const op = fc.constantFrom("u8", "u16", "u32", "i32", "u64", "uleb", "sleb", "cstring", "take", "skip");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(fc.tuple(op, fc.nat(50)), { maxLength: 20 }), (bytes, ops) => {
        const cur = new ByteCursor(bytes, true, place);
        for (const [name, n] of ops) {
          try {
            switch (name) {
              case "take":
                expect(cur.take(n).byteLength).toBe(n);
                break;
              case "skip":
                cur.skip(n);
                break;
              case "cstring":
                cur.cstring();
                break;
              default:
                expect(typeof cur[name]()).toBe("number");
            }
          } catch (err) {
            expect(err).toBeInstanceOf(GoxrayError);
            const e = err as GoxrayError;
            expect(e.kind).toBe("malformed");
            expect(e.section).toBe(".debug_info");
            expect(e.offset).toBeGreaterThanOrEqual(place.base);
            expect(e.offset).toBeLessThanOrEqual(place.base + bytes.length);
          }
          expect(cur.pos).toBeLessThanOrEqual(bytes.length);
        }
      }),
    );
  });

  it("keeps section-relative offsets in windows", () => {
    const cur = new ByteCursor(new Uint8Array(32), true, place);
    const inner = cur.window(16, 4, "entry");
    expect(inner.offset).toBe(0x110);
    expect(() => inner.u64()).toThrow(/\.debug_info\+0x110/);
  });
});
