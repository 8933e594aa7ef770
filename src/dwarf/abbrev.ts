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
  /**
   * Index into `attrs` by attribute name for names below INDEXED_NAMES (every standard DW_AT_
   * up to DWARF 5's), −1 when absent: readers ask for several attributes of each of hundreds of
   * thousands of entries, and a table lookup beats a search per question.
   */
  readonly indexByName: Int8Array;
}

/** Attribute names below this are found through Abbrev.indexByName; others by search. */
const INDEXED_NAMES = 0x90;

/** Index of attribute `name` in `abbrev`, or −1 when the abbreviation has none. */
export function attrIndexOf(abbrev: Abbrev, name: number): number {
  return name < INDEXED_NAMES ? (abbrev.indexByName[name] as number) : abbrev.attrs.indexOf(name);
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
    const indexByName = new Int8Array(INDEXED_NAMES).fill(-1);
    // Int8Array holds indices up to 127; an attribute past that is found by search.
    for (let i = Math.min(attrs.length, 128) - 1; i >= 0; i--) if ((attrs[i] as number) < INDEXED_NAMES) indexByName[attrs[i] as number] = i;
    table.set(code, { code, tag, hasChildren: children === DW_CHILDREN_yes, attrs: Int32Array.from(attrs), forms: Int32Array.from(forms), implicitConsts, indexByName });
  }
}
