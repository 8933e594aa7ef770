import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { GoxrayError } from "../errors.js";
import * as C from "./constants.js";
import { decodeLocation, type Location } from "./location-expr.js";

const place = { file: "t", section: ".debug_loc", base: 0 };
const decode = (bytes: Uint8Array) => decodeLocation(bytes, 8, 4, true, place);

// What Go's compiler writes (cmd/compile/internal/dwarfgen, ssa/debug.go), encoded here by hand.
type Piece = { location: Location; size: number };
const pieceArb: fc.Arbitrary<Piece> = fc.oneof(
  fc.record({ location: fc.integer({ min: 0, max: 31 }).map((r): Location => ({ kind: "register", regnum: r })), size: fc.constantFrom(1, 2, 4, 8) }),
  fc.record({ location: fc.integer({ min: 32, max: 120 }).map((r): Location => ({ kind: "register", regnum: r })), size: fc.constantFrom(4, 8) }),
  fc.record({ location: fc.integer({ min: -4096, max: 4096 }).map((o): Location => ({ kind: "frameBaseOffset", offset: o })), size: fc.constantFrom(8, 16) }),
  fc.record({ location: fc.nat(4096).map((o): Location => ({ kind: "cfaOffset", offset: o })), size: fc.constant(8) }),
  fc.record({ location: fc.constant<Location>({ kind: "empty" }), size: fc.constantFrom(8, 16) }),
);

function encode(b: ByteBuilder, l: Location): void {
  switch (l.kind) {
    case "register":
      if (l.regnum < 32) b.u8(C.DW_OP_reg0 + l.regnum);
      else b.u8(C.DW_OP_regx).uleb(l.regnum);
      return;
    case "frameBaseOffset":
      b.u8(C.DW_OP_fbreg).sleb(l.offset);
      return;
    case "cfaOffset":
      b.u8(C.DW_OP_call_frame_cfa);
      if (l.offset !== 0) b.u8(C.DW_OP_consts).sleb(l.offset).u8(C.DW_OP_plus);
      return;
    default:
      return;
  }
}

describe("decodeLocation", () => {
  it("reads back every piece sequence the compiler's forms can express", () => {
    fc.assert(
      fc.property(fc.array(pieceArb, { minLength: 1, maxLength: 6 }), (pieces) => {
        const b = new ByteBuilder();
        for (const p of pieces) {
          encode(b, p.location);
          b.u8(C.DW_OP_piece).uleb(p.size);
        }
        expect(decode(b.build())).toEqual(pieces.map((p) => ({ size: p.size, location: p.location })));
      }),
    );
  });

  it("reads single locations without pieces", () => {
    expect(decode(new Uint8Array([]))).toEqual([]);
    expect(decode(new Uint8Array([C.DW_OP_call_frame_cfa]))).toEqual([{ size: undefined, location: { kind: "cfaOffset", offset: 0 } }]);
    expect(decode(new ByteBuilder().u8(C.DW_OP_fbreg).sleb(8).build())).toEqual([{ size: undefined, location: { kind: "frameBaseOffset", offset: 8 } }]);
    expect(decode(new ByteBuilder().u8(C.DW_OP_breg0 + 7).sleb(-16).build())).toEqual([{ size: undefined, location: { kind: "registerOffset", regnum: 7, offset: -16 } }]);
    expect(decode(new ByteBuilder().u8(C.DW_OP_addr).u64(0x4a0000).build())).toEqual([{ size: undefined, location: { kind: "address", address: 0x4a0000 } }]);
    expect(decode(new ByteBuilder().u8(C.DW_OP_lit0 + 5).u8(C.DW_OP_stack_value).build())).toEqual([{ size: undefined, location: { kind: "implicit" } }]);
    expect(decode(new ByteBuilder().u8(C.DW_OP_reg0).u8(C.DW_OP_deref).build())[0]?.location).toEqual({ kind: "computed", ops: "DW_OP_reg0 DW_OP_deref" });
  });

  it("gives pieces or a malformed error for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          for (const p of decode(bytes)) expect(p.size === undefined || Number.isSafeInteger(p.size)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(GoxrayError);
          expect((err as GoxrayError).kind).toBe("malformed");
        }
      }),
    );
  });
});
