import * as C from "../../src/dwarf/constants.js";
import { ByteBuilder } from "./byte-builder.js";

/**
 * Writes small DWARF sections for tests: an abbreviation table and units whose entries are
 * given as (abbrev code, attribute values, children). Values are encoded here, independently of
 * goxray's decoder, from the form each abbreviation declares.
 */
export interface AbbrevSpec {
  code: number;
  tag: number;
  hasChildren: boolean;
  attrs: [number, number, (number | bigint)?][]; // [DW_AT, DW_FORM, implicit_const]
}

export type AttrValue = number | bigint | string | Uint8Array | boolean;

export interface EntrySpec {
  code: number;
  values: AttrValue[];
  children?: EntrySpec[];
}

export function buildAbbrevs(abbrevs: AbbrevSpec[]): Uint8Array {
  const b = new ByteBuilder();
  for (const a of abbrevs) {
    b.uleb(a.code).uleb(a.tag).u8(a.hasChildren ? C.DW_CHILDREN_yes : C.DW_CHILDREN_no);
    for (const [at, form, implicit] of a.attrs) {
      b.uleb(at).uleb(form);
      if (form === C.DW_FORM_implicit_const) b.sleb(implicit ?? 0);
    }
    b.uleb(0).uleb(0);
  }
  b.uleb(0);
  return b.build();
}

/** One unit of version `version` (4 or 5), 32-bit DWARF, address size 8, abbrevs at offset 0. */
export function buildUnit(version: 4 | 5, abbrevs: AbbrevSpec[], root: EntrySpec, isLittleEndian = true): Uint8Array {
  const b = new ByteBuilder(isLittleEndian);
  b.label("start").distance("afterLength", "end", 4).label("afterLength").u16(version);
  if (version === 5) b.u8(C.DW_UT_compile).u8(8).u32(0);
  else b.u32(0).u8(8);
  writeEntry(b, abbrevs, root);
  return b.label("end").build();
}

function writeEntry(b: ByteBuilder, abbrevs: AbbrevSpec[], e: EntrySpec): void {
  const a = abbrevs.find((x) => x.code === e.code);
  if (a === undefined) throw new Error(`no abbrev ${e.code}`);
  b.uleb(e.code);
  a.attrs.forEach(([, form], i) => writeValue(b, form, e.values[i] ?? 0));
  if (a.hasChildren) {
    for (const child of e.children ?? []) writeEntry(b, abbrevs, child);
    b.uleb(0);
  }
}

export function writeValue(b: ByteBuilder, form: number, v: AttrValue): void {
  const n = typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "number" || typeof v === "bigint" ? v : 0;
  switch (form) {
    case C.DW_FORM_data1:
    case C.DW_FORM_ref1:
    case C.DW_FORM_flag:
    case C.DW_FORM_strx1:
    case C.DW_FORM_addrx1:
      b.u8(Number(n));
      return;
    case C.DW_FORM_data2:
    case C.DW_FORM_ref2:
    case C.DW_FORM_strx2:
    case C.DW_FORM_addrx2:
      b.u16(Number(n));
      return;
    case C.DW_FORM_strx3:
    case C.DW_FORM_addrx3: {
      const x = Number(n);
      const bytes = [x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff];
      b.bytes(b.isLittleEndian ? bytes : bytes.reverse());
      return;
    }
    case C.DW_FORM_data4:
    case C.DW_FORM_ref4:
    case C.DW_FORM_strx4:
    case C.DW_FORM_addrx4:
    case C.DW_FORM_sec_offset:
    case C.DW_FORM_strp:
    case C.DW_FORM_line_strp:
    case C.DW_FORM_ref_addr:
      b.u32(Number(n));
      return;
    case C.DW_FORM_data8:
    case C.DW_FORM_ref8:
    case C.DW_FORM_ref_sig8:
    case C.DW_FORM_addr:
      b.u64(n);
      return;
    case C.DW_FORM_data16:
      b.bytes(v instanceof Uint8Array ? v : new Uint8Array(16));
      return;
    case C.DW_FORM_udata:
    case C.DW_FORM_ref_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_rnglistx:
      b.uleb(n);
      return;
    case C.DW_FORM_sdata:
      b.sleb(n);
      return;
    case C.DW_FORM_string:
      b.cstring(typeof v === "string" ? v : "");
      return;
    case C.DW_FORM_block1: {
      const bytes = v instanceof Uint8Array ? v : new Uint8Array(0);
      b.u8(bytes.length).bytes(bytes);
      return;
    }
    case C.DW_FORM_block2: {
      const bytes = v instanceof Uint8Array ? v : new Uint8Array(0);
      b.u16(bytes.length).bytes(bytes);
      return;
    }
    case C.DW_FORM_block4: {
      const bytes = v instanceof Uint8Array ? v : new Uint8Array(0);
      b.u32(bytes.length).bytes(bytes);
      return;
    }
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc: {
      const bytes = v instanceof Uint8Array ? v : new Uint8Array(0);
      b.uleb(bytes.length).bytes(bytes);
      return;
    }
    case C.DW_FORM_flag_present:
    case C.DW_FORM_implicit_const:
      return;
    default:
      throw new Error(`test encoder has no form 0x${form.toString(16)}`);
  }
}
