import { describe, expect, it } from "vitest";
import { buildAbbrevs, buildUnit, type AbbrevSpec, type EntrySpec } from "../../test/support/dwarf-builder.js";
import { buildElf } from "../../test/support/elf-builder.js";
import { memorySource } from "../bytes/byte-source.js";
import * as C from "../dwarf/constants.js";
import { DwarfData } from "../dwarf/dwarf-data.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";
import { ElfFile } from "../elf/elf-file.js";
import { TypeBuilder } from "./type-builder.js";

const ABBREVS: AbbrevSpec[] = [
  { code: 1, tag: C.DW_TAG_compile_unit, hasChildren: true, attrs: [[C.DW_AT_name, C.DW_FORM_string]] },
  { code: 2, tag: C.DW_TAG_base_type, hasChildren: false, attrs: [[C.DW_AT_name, C.DW_FORM_string], [C.DW_AT_byte_size, C.DW_FORM_data1], [C.DW_AT_encoding, C.DW_FORM_data1]] },
  { code: 3, tag: C.DW_TAG_structure_type, hasChildren: true, attrs: [[C.DW_AT_name, C.DW_FORM_string], [C.DW_AT_byte_size, C.DW_FORM_data4]] },
  { code: 4, tag: C.DW_TAG_member, hasChildren: false, attrs: [[C.DW_AT_name, C.DW_FORM_string], [C.DW_AT_data_member_location, C.DW_FORM_udata], [C.DW_AT_type, C.DW_FORM_ref4]] },
];

// DWARF 4 unit header (11 bytes), the unit entry (code, "m\0"), then "int" at 14 and the struct at 21.
const INT_AT = 14;
const STRUCT_AT = 21;

/** The struct main.S of `fields` int members, built from DWARF in an ELF file of its own. */
function structOf(fields: number): ReturnType<TypeBuilder["typeAt"]> {
  const members: EntrySpec[] = Array.from({ length: fields }, (_, i) => ({ code: 4, values: ["f", i * 8, INT_AT] }));
  const root: EntrySpec = { code: 1, values: ["m"], children: [{ code: 2, values: ["int", 8, C.DW_ATE_signed] }, { code: 3, values: ["main.S", fields * 8], children: members }] };
  const elf = ElfFile.open(memorySource(buildElf([{ name: ".debug_info", bytes: buildUnit(4, ABBREVS, root) }, { name: ".debug_abbrev", bytes: buildAbbrevs(ABBREVS) }]), "t"));
  return new TypeBuilder(new DwarfData(elf), 8).typeAt(STRUCT_AT as DebugInfoOffset);
}

describe("TypeBuilder: a struct's member count is bounded", () => {
  it("reads a struct's members", () => {
    const type = structOf(3);
    expect(type.kind).toBe("struct");
    if (type.kind === "struct") expect(type.fields.map((f) => [f.name, f.offset, f.type.name])).toEqual([["f", 0, "int"], ["f", 8, "int"], ["f", 16, "int"]]);
  });

  it("a struct with more members than the bound is an unknown type that says so, not a struct cut short", () => {
    const type = structOf(100_001);
    expect(type.kind).toBe("unknown");
    if (type.kind === "unknown") expect(type.why).toMatch(/more than 100000 members/);
  });
});
