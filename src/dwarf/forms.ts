import type { ByteCursor } from "../bytes/cursor.js";
import * as C from "./constants.js";
import { debugInfoOffset, type DebugInfoOffset } from "./offsets.js";
import type { UnitHeader } from "./unit-header.js";

/** One attribute value as its form encodes it; strings, addresses and lists are resolved by the caller's unit. */
export type FormValue =
  | { readonly kind: "constant"; readonly value: number }
  | { readonly kind: "bigConstant"; readonly value: bigint }
  | { readonly kind: "flag"; readonly value: boolean }
  | { readonly kind: "address"; readonly value: number }
  | { readonly kind: "addressIndex"; readonly index: number }
  | { readonly kind: "string"; readonly bytes: Uint8Array }
  | { readonly kind: "stringOffset"; readonly section: ".debug_str" | ".debug_line_str"; readonly offset: number }
  | { readonly kind: "stringIndex"; readonly index: number }
  | { readonly kind: "reference"; readonly offset: DebugInfoOffset }
  | { readonly kind: "sectionOffset"; readonly value: number }
  | { readonly kind: "block"; readonly bytes: Uint8Array }
  | { readonly kind: "loclistIndex"; readonly index: number }
  | { readonly kind: "rnglistIndex"; readonly index: number }
  | { readonly kind: "typeSignature"; readonly value: bigint }
  | { readonly kind: "unsupported"; readonly form: number };

// DW_FORM_indirect may name DW_FORM_indirect again; no producer nests it, so a few levels is plenty.
const MAX_INDIRECT = 4;

// fixedFormSize's answers for forms whose size is in the entry, not in the form.
export const LEB_FORM = -1;
export const STRING_FORM = -2;
const OTHER_FORM = -3;

/** The byte size of a value of `form` in this unit, or what kind of variable-size form it is. */
export function fixedFormSize(form: number, unit: UnitHeader): number {
  switch (form) {
    case C.DW_FORM_flag_present:
    case C.DW_FORM_implicit_const:
      return 0;
    case C.DW_FORM_data1:
    case C.DW_FORM_ref1:
    case C.DW_FORM_flag:
    case C.DW_FORM_strx1:
    case C.DW_FORM_addrx1:
      return 1;
    case C.DW_FORM_data2:
    case C.DW_FORM_ref2:
    case C.DW_FORM_strx2:
    case C.DW_FORM_addrx2:
      return 2;
    case C.DW_FORM_strx3:
    case C.DW_FORM_addrx3:
      return 3;
    case C.DW_FORM_data4:
    case C.DW_FORM_ref4:
    case C.DW_FORM_strx4:
    case C.DW_FORM_addrx4:
      return 4;
    case C.DW_FORM_data8:
    case C.DW_FORM_ref8:
    case C.DW_FORM_ref_sig8:
      return 8;
    case C.DW_FORM_data16:
      return 16;
    case C.DW_FORM_addr:
      return unit.addressSize;
    case C.DW_FORM_ref_addr:
      return unit.version === 2 ? unit.addressSize : unit.offsetSize;
    case C.DW_FORM_strp:
    case C.DW_FORM_line_strp:
    case C.DW_FORM_sec_offset:
      return unit.offsetSize;
    case C.DW_FORM_udata:
    case C.DW_FORM_ref_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_rnglistx:
    case C.DW_FORM_sdata:
      return LEB_FORM;
    case C.DW_FORM_string:
      return STRING_FORM;
    default:
      return OTHER_FORM;
  }
}

/** Moves the cursor past one attribute value of `form` without decoding it. */
export function skipForm(c: ByteCursor, form: number, unit: UnitHeader, depth = 0): void {
  const size = fixedFormSize(form, unit);
  if (size >= 0) {
    c.skip(size);
    return;
  }
  switch (form) {
    case C.DW_FORM_strp_sup:
    case C.DW_FORM_GNU_ref_alt:
    case C.DW_FORM_GNU_strp_alt:
      c.skip(unit.offsetSize);
      return;
    case C.DW_FORM_ref_sup4:
      c.skip(4);
      return;
    case C.DW_FORM_ref_sup8:
      c.skip(8);
      return;
    case C.DW_FORM_GNU_addr_index:
    case C.DW_FORM_GNU_str_index:
      c.skipLeb("attribute value");
      return;
    case C.DW_FORM_block1:
      c.skip(c.u8("block1 length"));
      return;
    case C.DW_FORM_block2:
      c.skip(c.u16("block2 length"));
      return;
    case C.DW_FORM_block4:
      c.skip(c.u32("block4 length"));
      return;
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc:
      c.skip(c.uleb("block length"));
      return;
    case C.DW_FORM_indirect: {
      const at = c.pos;
      const actual = c.uleb("indirect form");
      if (depth >= MAX_INDIRECT) throw c.error("DW_FORM_indirect nested too deeply", at);
      skipForm(c, actual, unit, depth + 1);
      return;
    }
    default:
      if (size === LEB_FORM) {
        // Constants may use all 64 bits (math.MaxUint64): skipping must not care about the value.
        c.skipLeb("attribute value");
        return;
      }
      if (size === STRING_FORM) {
        c.cstring("DW_FORM_string");
        return;
      }
      throw c.error(`attribute form 0x${form.toString(16)} is unknown`);
  }
}

/** Decodes one attribute value of `form` at the cursor's position and moves past it. */
export function readForm(c: ByteCursor, form: number, unit: UnitHeader, implicitConst: number | undefined, depth = 0): FormValue {
  switch (form) {
    case C.DW_FORM_flag_present:
      return { kind: "flag", value: true };
    case C.DW_FORM_flag:
      return { kind: "flag", value: c.u8("flag") !== 0 };
    case C.DW_FORM_implicit_const:
      return { kind: "constant", value: implicitConst ?? 0 };
    case C.DW_FORM_data1:
      return { kind: "constant", value: c.u8("data1") };
    case C.DW_FORM_data2:
      return { kind: "constant", value: c.u16("data2") };
    case C.DW_FORM_data4:
      return { kind: "constant", value: c.u32("data4") };
    case C.DW_FORM_data8: {
      const big = c.u64BigAt(c.pos, "data8");
      c.skip(8);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) ? { kind: "constant", value: Number(big) } : { kind: "bigConstant", value: big };
    }
    case C.DW_FORM_data16:
      return { kind: "block", bytes: c.take(16, "data16") };
    case C.DW_FORM_udata: {
      const big = c.ulebBig("udata");
      return big <= BigInt(Number.MAX_SAFE_INTEGER) ? { kind: "constant", value: Number(big) } : { kind: "bigConstant", value: big };
    }
    case C.DW_FORM_sdata: {
      const big = c.slebBig("sdata");
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER) ? { kind: "constant", value: Number(big) } : { kind: "bigConstant", value: big };
    }
    case C.DW_FORM_addr:
      return { kind: "address", value: c.word(unit.addressSize, "address") };
    case C.DW_FORM_addrx:
    case C.DW_FORM_GNU_addr_index:
      return { kind: "addressIndex", index: c.uleb("addrx") };
    case C.DW_FORM_addrx1:
      return { kind: "addressIndex", index: c.u8("addrx1") };
    case C.DW_FORM_addrx2:
      return { kind: "addressIndex", index: c.u16("addrx2") };
    case C.DW_FORM_addrx3:
      return { kind: "addressIndex", index: readU24(c) };
    case C.DW_FORM_addrx4:
      return { kind: "addressIndex", index: c.u32("addrx4") };
    case C.DW_FORM_string:
      return { kind: "string", bytes: c.cstring("DW_FORM_string") };
    case C.DW_FORM_strp:
      return { kind: "stringOffset", section: ".debug_str", offset: c.word(unit.offsetSize, "strp") };
    case C.DW_FORM_line_strp:
      return { kind: "stringOffset", section: ".debug_line_str", offset: c.word(unit.offsetSize, "line_strp") };
    case C.DW_FORM_strx:
    case C.DW_FORM_GNU_str_index:
      return { kind: "stringIndex", index: c.uleb("strx") };
    case C.DW_FORM_strx1:
      return { kind: "stringIndex", index: c.u8("strx1") };
    case C.DW_FORM_strx2:
      return { kind: "stringIndex", index: c.u16("strx2") };
    case C.DW_FORM_strx3:
      return { kind: "stringIndex", index: readU24(c) };
    case C.DW_FORM_strx4:
      return { kind: "stringIndex", index: c.u32("strx4") };
    case C.DW_FORM_ref1:
      return { kind: "reference", offset: debugInfoOffset(unit.offset + c.u8("ref1")) };
    case C.DW_FORM_ref2:
      return { kind: "reference", offset: debugInfoOffset(unit.offset + c.u16("ref2")) };
    case C.DW_FORM_ref4:
      return { kind: "reference", offset: debugInfoOffset(unit.offset + c.u32("ref4")) };
    case C.DW_FORM_ref8:
      return { kind: "reference", offset: debugInfoOffset(unit.offset + c.u64("ref8")) };
    case C.DW_FORM_ref_udata:
      return { kind: "reference", offset: debugInfoOffset(unit.offset + c.uleb("ref_udata")) };
    case C.DW_FORM_ref_addr:
      return { kind: "reference", offset: debugInfoOffset(c.word(unit.version === 2 ? unit.addressSize : unit.offsetSize, "ref_addr")) };
    case C.DW_FORM_ref_sig8:
      return { kind: "typeSignature", value: readBig8(c) };
    case C.DW_FORM_sec_offset:
      return { kind: "sectionOffset", value: c.word(unit.offsetSize, "sec_offset") };
    case C.DW_FORM_block1:
      return { kind: "block", bytes: c.take(c.u8("block1 length"), "block1") };
    case C.DW_FORM_block2:
      return { kind: "block", bytes: c.take(c.u16("block2 length"), "block2") };
    case C.DW_FORM_block4:
      return { kind: "block", bytes: c.take(c.u32("block4 length"), "block4") };
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc:
      return { kind: "block", bytes: c.take(c.uleb("block length"), "block") };
    case C.DW_FORM_loclistx:
      return { kind: "loclistIndex", index: c.uleb("loclistx") };
    case C.DW_FORM_rnglistx:
      return { kind: "rnglistIndex", index: c.uleb("rnglistx") };
    case C.DW_FORM_indirect: {
      const at = c.pos;
      const actual = c.uleb("indirect form");
      if (depth >= MAX_INDIRECT) throw c.error("DW_FORM_indirect nested too deeply", at);
      return readForm(c, actual, unit, implicitConst, depth + 1);
    }
    default:
      // Forms that point into supplementary object files (strp_sup, ref_sup*, GNU alt): skip, report as unsupported.
      skipForm(c, form, unit, depth);
      return { kind: "unsupported", form };
  }
}

function readU24(c: ByteCursor): number {
  const b = c.take(3, "3-byte index");
  const [x, y, z] = [b[0] ?? 0, b[1] ?? 0, b[2] ?? 0];
  return c.isLittleEndian ? x | (y << 8) | (z << 16) : (x << 16) | (y << 8) | z;
}

function readBig8(c: ByteCursor): bigint {
  const v = c.u64BigAt(c.pos, "8-byte signature");
  c.skip(8);
  return v;
}
