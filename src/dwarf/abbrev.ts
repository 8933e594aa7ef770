import type { ByteCursor } from "../bytes/cursor.js";
import { DW_CHILDREN_no, DW_CHILDREN_yes, DW_FORM_implicit_const } from "./constants.js";
import type { DebugAbbrevOffset } from "./offsets.js";

/** One abbreviation declaration: the shape of every entry that uses its code (DWARF 5 §7.5.3). */
export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  /** Attribute names, in entry order. */
  readonly attrs: Int32Array;
  /** Attribute forms, parallel to `attrs`. */
  readonly forms: Int32Array;
  /** DW_FORM_implicit_const values by attribute index (the value lives here, not in the entry). */
  readonly implicitConsts: ReadonlyMap<number, number> | undefined;
}

/** The abbreviation table that starts at one .debug_abbrev offset, by code. */
export type AbbrevTable = ReadonlyMap<number, Abbrev>;

// A real table has tens of attributes per entry; thousands means corrupt input, not a big program.
const MAX_ATTRS = 1024;

/** Reads the table starting at `offset`; stops at the 0 code that ends it. */
export function readAbbrevTable(c: ByteCursor, offset: DebugAbbrevOffset): AbbrevTable {
  const table = new Map<number, Abbrev>();
  c.seek(offset);
  for (;;) {
    const at = c.pos;
    const code = c.uleb("abbrev code");
    if (code === 0) return table;
    const tag = c.uleb("abbrev tag");
    const children = c.u8("abbrev children flag");
    if (children !== DW_CHILDREN_no && children !== DW_CHILDREN_yes) throw c.error(`abbrev code 0x${code.toString(16)}: children flag ${children} is neither 0 nor 1`, c.pos - 1);
    const attrs: number[] = [];
    const forms: number[] = [];
    let implicitConsts: Map<number, number> | undefined;
    for (;;) {
      const name = c.uleb("attribute name");
      const form = c.uleb("attribute form");
      if (name === 0 && form === 0) break;
      if (form === DW_FORM_implicit_const) {
        implicitConsts ??= new Map();
        implicitConsts.set(attrs.length, c.sleb("implicit_const value"));
      }
      attrs.push(name);
      forms.push(form);
      if (attrs.length > MAX_ATTRS) throw c.error(`abbrev code 0x${code.toString(16)}: more than ${MAX_ATTRS} attributes`, at);
    }
    if (table.has(code)) throw c.error(`abbrev code 0x${code.toString(16)} declared twice in the table at 0x${offset.toString(16)}`, at);
    table.set(code, { code, tag, hasChildren: children === DW_CHILDREN_yes, attrs: Int32Array.from(attrs), forms: Int32Array.from(forms), implicitConsts });
  }
}
