import type { ByteCursor } from "../bytes/cursor.js";
import { DW_UT_compile, DW_UT_partial, DW_UT_skeleton, DW_UT_split_compile, DW_UT_split_type, DW_UT_type } from "./constants.js";
import { debugAbbrevOffset, debugInfoOffset, type DebugAbbrevOffset, type DebugInfoOffset } from "./offsets.js";

/** A .debug_info unit header, DWARF 2 to 5, 32- or 64-bit DWARF (DWARF 5 §7.5.1). */
export interface UnitHeader {
  readonly offset: DebugInfoOffset;
  /** Offset just past the unit: the next unit's header. */
  readonly end: DebugInfoOffset;
  /** Offset of the unit's first entry. */
  readonly entriesStart: DebugInfoOffset;
  readonly version: number;
  /** DW_UT_*; units before DWARF 5 are DW_UT_compile. */
  readonly unitType: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF: the size of section offsets in this unit. */
  readonly offsetSize: 4 | 8;
  readonly addressSize: 4 | 8;
  readonly abbrevOffset: DebugAbbrevOffset;
}

/** Reads the unit header at the cursor's position (a unit boundary) and checks it against the section. */
export function readUnitHeader(c: ByteCursor): UnitHeader {
  const start = c.pos;
  let length = c.u32("unit_length");
  let offsetSize: 4 | 8 = 4;
  if (length === 0xffff_ffff) {
    offsetSize = 8;
    length = c.u64("unit_length (64-bit DWARF)");
  } else if (length >= 0xffff_fff0) {
    throw c.error(`unit header: reserved unit_length 0x${length.toString(16)}`, start);
  }
  const afterLength = c.pos;
  if (length > c.remaining) {
    throw c.error(`unit header: unit_length 0x${length.toString(16)} runs past the end of the section (0x${c.remaining.toString(16)} bytes left)`, start);
  }
  const end = afterLength + length;
  const version = c.u16("unit version");
  if (version < 2 || version > 5) throw c.error(`unit header: DWARF version ${version} is not supported`, afterLength);
  let unitType = DW_UT_compile;
  let abbrev: number;
  let addressSize: number;
  if (version >= 5) {
    unitType = c.u8("unit_type");
    addressSize = c.u8("address_size");
    abbrev = c.word(offsetSize, "debug_abbrev_offset");
    switch (unitType) {
      case DW_UT_compile:
      case DW_UT_partial:
        break;
      case DW_UT_skeleton:
      case DW_UT_split_compile:
        c.skip(8); // dwo_id
        break;
      case DW_UT_type:
      case DW_UT_split_type:
        c.skip(8 + offsetSize); // type_signature, type_offset
        break;
      default:
        throw c.error(`unit header: unknown unit_type 0x${unitType.toString(16)}`, afterLength + 2);
    }
  } else {
    abbrev = c.word(offsetSize, "debug_abbrev_offset");
    addressSize = c.u8("address_size");
  }
  if (addressSize !== 4 && addressSize !== 8) throw c.error(`unit header: address_size ${addressSize}, expected 4 or 8`, c.pos - 1);
  if (c.pos > end) throw c.error(`unit header: longer than its unit_length 0x${length.toString(16)}`, start);
  const base = c.place.base;
  return {
    offset: debugInfoOffset(base + start),
    end: debugInfoOffset(base + end),
    entriesStart: debugInfoOffset(base + c.pos),
    version,
    unitType,
    offsetSize,
    addressSize,
    abbrevOffset: debugAbbrevOffset(abbrev),
  };
}
