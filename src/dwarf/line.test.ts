import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import * as C from "./constants.js";
import { readLineProgramHeader } from "./line.js";
import type { DebugAbbrevOffset, DebugInfoOffset } from "./offsets.js";
import type { UnitHeader } from "./unit-header.js";

const unit: UnitHeader = { offset: 0 as DebugInfoOffset, end: 0 as DebugInfoOffset, entriesStart: 0 as DebugInfoOffset, version: 5, unitType: C.DW_UT_compile, offsetSize: 4, addressSize: 8, abbrevOffset: 0 as DebugAbbrevOffset };

/** A DWARF 5 line program header whose directory table has `formats` and claims `count` entries, followed by `entries`. */
function lineHeader(formats: readonly (readonly [number, number])[], count: number, entries: readonly number[]): Uint8Array {
  const b = new ByteBuilder();
  b.distance("start", "end", 4).label("start");
  b.u16(5).u8(8).u8(0);
  b.distance("header", "program", 4).label("header");
  b.u8(1).u8(1).u8(1).u8(-5 & 0xff).u8(14).u8(13);
  for (let i = 1; i < 13; i++) b.u8(0);
  b.u8(formats.length);
  for (const [type, form] of formats) b.uleb(type).uleb(form);
  b.uleb(count).bytes(entries);
  b.u8(0).uleb(0);
  b.label("program").label("end");
  return b.build();
}

function read(bytes: Uint8Array): unknown {
  return readLineProgramHeader(new ByteCursor(bytes, true, { file: "t", section: ".debug_line", base: 0 }), 0, unit);
}

describe("line program header: entry tables are bounded by their bytes", () => {
  it("reads a table whose entries are in its bytes", () => {
    const bytes = lineHeader([[C.DW_LNCT_path, C.DW_FORM_string]], 2, [...Buffer.from("/a\0/b\0")]);
    expect(read(bytes)).toMatchObject({ directories: [{ kind: "string" }, { kind: "string" }] });
  });

  it("refuses forms that take no bytes (DWARF 5 §6.2.4.1 does not allow them there): a count could loop for nothing", () => {
    const bytes = lineHeader(Array.from({ length: 255 }, () => [C.DW_LNCT_path, C.DW_FORM_flag_present] as const), 1 << 20, []);
    // Before this check the header below took 65 s to read (268 million empty reads).
    expect(() => read(bytes)).toThrow(GoxrayError);
    expect(() => read(bytes)).toThrow(/takes no bytes/);
  });

  it("refuses a count larger than the bytes left, and entries with no format", () => {
    expect(() => read(lineHeader([[C.DW_LNCT_path, C.DW_FORM_string]], 1000, [...Buffer.from("/a\0")]))).toThrow(/1000 directory entries in/);
    expect(() => read(lineHeader([], 5, []))).toThrow(/no entry format/);
  });
});
