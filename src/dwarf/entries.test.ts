import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { buildAbbrevs, buildUnit, type AbbrevSpec, type AttrValue } from "../../test/support/dwarf-builder.js";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { readAbbrevTable } from "./abbrev.js";
import * as C from "./constants.js";
import { EntryCursor } from "./entries.js";
import { debugAbbrevOffset } from "./offsets.js";
import { readUnitHeader } from "./unit-header.js";

const place = (section: string) => ({ file: "test", section, base: 0 });

function walk(info: Uint8Array, abbrev: Uint8Array): { offset: number; tag: number; depth: number; values: Map<number, unknown> }[] {
  const infoCursor = new ByteCursor(info, true, place(".debug_info"));
  const header = readUnitHeader(infoCursor);
  const table = readAbbrevTable(new ByteCursor(abbrev, true, place(".debug_abbrev")), header.abbrevOffset);
  const cursor = new EntryCursor(new ByteCursor(info, true, place(".debug_info")), header, table, header.entriesStart, undefined);
  const out = [];
  while (cursor.next()) {
    const values = new Map<number, unknown>();
    for (const at of cursor.abbrev?.attrs ?? []) values.set(at, cursor.attr(at));
    out.push({ offset: cursor.offset, tag: cursor.tag, depth: cursor.depth, values });
  }
  return out;
}

// Forms whose value decodes to a plain number constant, with the range the form can hold.
const NUMERIC_FORMS: [number, fc.Arbitrary<number>][] = [
  [C.DW_FORM_data1, fc.integer({ min: 0, max: 0xff })],
  [C.DW_FORM_data2, fc.integer({ min: 0, max: 0xffff })],
  [C.DW_FORM_data4, fc.integer({ min: 0, max: 0xffff_ffff })],
  [C.DW_FORM_data8, fc.maxSafeNat()],
  [C.DW_FORM_udata, fc.maxSafeNat()],
  [C.DW_FORM_sdata, fc.maxSafeInteger()],
];

describe("abbreviations, forms and entries", () => {
  it("decode every numeric form as the test encoder wrote it, in DWARF 4 and 5", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<4 | 5>(4, 5),
        fc.array(fc.integer({ min: 0, max: NUMERIC_FORMS.length - 1 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.maxSafeInteger(), { minLength: 8, maxLength: 8 }),
        fc.string(),
        (version, formIndexes, seeds, name) => {
          const attrs: [number, number][] = [[C.DW_AT_name, C.DW_FORM_string]];
          const values: AttrValue[] = [name.replaceAll("\0", "")];
          formIndexes.forEach((fi, i) => {
            const [form] = NUMERIC_FORMS[fi] as [number, fc.Arbitrary<number>];
            attrs.push([0x3000 + i, form]);
            const seed = seeds[i] ?? 0;
            const max = form === C.DW_FORM_data1 ? 0xff : form === C.DW_FORM_data2 ? 0xffff : form === C.DW_FORM_data4 ? 0xffff_ffff : Number.MAX_SAFE_INTEGER;
            values.push(form === C.DW_FORM_sdata ? seed : Math.abs(seed) % (max + 1));
          });
          const abbrevs: AbbrevSpec[] = [{ code: 7, tag: C.DW_TAG_variable, hasChildren: false, attrs }];
          const entries = walk(buildUnit(version, abbrevs, { code: 7, values }), buildAbbrevs(abbrevs));
          expect(entries).toHaveLength(1);
          const got = entries[0]?.values;
          expect(got?.get(C.DW_AT_name)).toEqual({ kind: "string", bytes: new TextEncoder().encode(values[0] as string) });
          formIndexes.forEach((_, i) => expect(got?.get(0x3000 + i)).toEqual({ kind: "constant", value: values[i + 1] }));
        },
      ),
    );
  });

  it("walk a tree in pre-order with depths, children closed by null entries", () => {
    const abbrevs: AbbrevSpec[] = [
      { code: 1, tag: C.DW_TAG_compile_unit, hasChildren: true, attrs: [[C.DW_AT_name, C.DW_FORM_string]] },
      { code: 2, tag: C.DW_TAG_subprogram, hasChildren: true, attrs: [[C.DW_AT_name, C.DW_FORM_string], [C.DW_AT_external, C.DW_FORM_flag_present]] },
      { code: 3, tag: C.DW_TAG_formal_parameter, hasChildren: false, attrs: [[C.DW_AT_name, C.DW_FORM_string], [C.DW_AT_variable_parameter, C.DW_FORM_flag], [C.DW_AT_decl_line, C.DW_FORM_implicit_const, 42]] },
    ];
    const info = buildUnit(5, abbrevs, {
      code: 1,
      values: ["main"],
      children: [
        { code: 2, values: ["main.F", true], children: [{ code: 3, values: ["a", false] }, { code: 3, values: ["~r0", true] }] },
        { code: 2, values: ["main.G", true], children: [] },
      ],
    });
    const entries = walk(info, buildAbbrevs(abbrevs));
    expect(entries.map((e) => [e.tag, e.depth])).toEqual([
      [C.DW_TAG_compile_unit, 0],
      [C.DW_TAG_subprogram, 1],
      [C.DW_TAG_formal_parameter, 2],
      [C.DW_TAG_formal_parameter, 2],
      [C.DW_TAG_subprogram, 1],
    ]);
    expect(entries[3]?.values.get(C.DW_AT_variable_parameter)).toEqual({ kind: "flag", value: true });
    expect(entries[3]?.values.get(C.DW_AT_decl_line)).toEqual({ kind: "constant", value: 42 });
    expect(entries[1]?.values.get(C.DW_AT_external)).toEqual({ kind: "flag", value: true });
  });

  it("skipChildren walks past a subtree without DW_AT_sibling, and jumps with it", () => {
    const abbrevs: AbbrevSpec[] = [
      { code: 1, tag: C.DW_TAG_compile_unit, hasChildren: true, attrs: [] },
      { code: 2, tag: C.DW_TAG_structure_type, hasChildren: true, attrs: [[C.DW_AT_name, C.DW_FORM_string]] },
      { code: 3, tag: C.DW_TAG_member, hasChildren: false, attrs: [[C.DW_AT_name, C.DW_FORM_string]] },
    ];
    const info = buildUnit(4, abbrevs, {
      code: 1,
      values: [],
      children: [
        { code: 2, values: ["T"], children: [{ code: 3, values: ["a"] }, { code: 3, values: ["b"] }] },
        { code: 2, values: ["U"], children: [{ code: 3, values: ["c"] }] },
      ],
    });
    const infoCursor = new ByteCursor(info, true, place(".debug_info"));
    const header = readUnitHeader(infoCursor);
    const table = readAbbrevTable(new ByteCursor(buildAbbrevs(abbrevs), true, place(".debug_abbrev")), debugAbbrevOffset(0));
    const cursor = new EntryCursor(new ByteCursor(info, true, place(".debug_info")), header, table, header.entriesStart, undefined);
    const names: string[] = [];
    cursor.next();
    while (cursor.next()) {
      const name = cursor.attr(C.DW_AT_name);
      names.push(name?.kind === "string" ? new TextDecoder().decode(name.bytes) : "?");
      cursor.skipChildren();
    }
    expect(names).toEqual(["T", "U"]);
  });

  it("names section and offset for an unknown abbrev code, a bad form and a unit past the section", () => {
    const abbrevs: AbbrevSpec[] = [{ code: 1, tag: C.DW_TAG_compile_unit, hasChildren: false, attrs: [[C.DW_AT_name, 0x7f]] }];
    const abbrev = buildAbbrevs(abbrevs);
    const unit = new ByteBuilder().label("s").distance("a", "e", 4).label("a").u16(4).u32(0).u8(8).uleb(1).u8(0).label("e").build();
    expect(() => walk(unit, abbrev)).toThrow("test: .debug_info+0xc: attribute form 0x7f is unknown");
    const wrongCode = new ByteBuilder().label("s").distance("a", "e", 4).label("a").u16(4).u32(0).u8(8).uleb(9).label("e").build();
    expect(() => walk(wrongCode, abbrev)).toThrow("test: .debug_info+0xb: abbrev code 0x9 not in the table at 0x0");
    const tooLong = new ByteBuilder().u32(0x1000).u16(4).u32(0).u8(8).build();
    expect(() => walk(tooLong, abbrev)).toThrow("test: .debug_info+0x0: unit header: unit_length 0x1000 runs past the end of the section (0x7 bytes left)");
    const v6 = new ByteBuilder().u32(7).u16(6).u32(0).u8(8).build();
    expect(() => walk(v6, abbrev)).toThrow("unit header: DWARF version 6 is not supported");
  });

  it("gives entries or a malformed error for any bytes after a valid header", () => {
    const abbrevs: AbbrevSpec[] = [
      { code: 1, tag: C.DW_TAG_compile_unit, hasChildren: true, attrs: [[C.DW_AT_name, C.DW_FORM_string], [C.DW_AT_low_pc, C.DW_FORM_addr]] },
      { code: 2, tag: C.DW_TAG_variable, hasChildren: false, attrs: [[C.DW_AT_location, C.DW_FORM_exprloc], [C.DW_AT_const_value, C.DW_FORM_sdata]] },
    ];
    const abbrev = buildAbbrevs(abbrevs);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        const unit = new ByteBuilder().distance("a", "e", 4).label("a").u16(5).u8(C.DW_UT_compile).u8(8).u32(0).bytes(body).label("e").build();
        try {
          walk(unit, abbrev);
        } catch (err) {
          expect(err).toBeInstanceOf(GoxrayError);
          expect((err as GoxrayError).kind).toBe("malformed");
          expect((err as GoxrayError).offset).toBeLessThanOrEqual(unit.length);
        }
      }),
    );
  });
});
