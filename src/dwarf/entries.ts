import type { ByteCursor } from "../bytes/cursor.js";
import { attrIndexOf, type Abbrev, type AbbrevTable } from "./abbrev.js";
import { decodeUtf8Range } from "../bytes/cursor.js";
import { decodeUleb128, type LebEnd } from "../bytes/leb128.js";
import * as C from "./constants.js";
import { fixedFormSize, LEB_FORM, readForm, skipForm, STRING_FORM, type FormValue } from "./forms.js";
import { debugInfoOffset, type DebugInfoOffset } from "./offsets.js";
import type { UnitHeader } from "./unit-header.js";
import type { Unit } from "./unit.js";

// Nesting deeper than this is corrupt input (Go nests subprogram > lexical blocks > variables).
const MAX_DEPTH = 512;
// Padded LEB128s are legal; past this many bytes the value is corrupt (as skipLeb128 says).
const MAX_LEB_BYTES = 32;

/**
 * A lazy pre-order walk over the entries of one unit. `next()` decodes one entry's shape and
 * where its attributes are, nothing more; attribute values are decoded when asked for. The cursor
 * is reused from entry to entry, so a walk allocates nothing per entry.
 */
export class EntryCursor {
  readonly header: UnitHeader;
  /** The unit, with the bases its indexed forms need; undefined only while its root is being read. */
  readonly unit: Unit | undefined;
  private readonly abbrevs: AbbrevTable;
  private readonly info: ByteCursor;
  /** Offset of the current entry. */
  offset: DebugInfoOffset;
  /** The current entry's abbreviation; undefined before the first `next()`. */
  abbrev: Abbrev | undefined;
  /** Depth of the current entry below where the walk started (0 for the first entry). */
  depth = 0;
  private pendingDepth = 0;
  private attrPositions = new Int32Array(32);
  private readonly lebEnd: LebEnd = { next: 0, problem: undefined };

  constructor(info: ByteCursor, header: UnitHeader, abbrevs: AbbrevTable, start: DebugInfoOffset, unit: Unit | undefined) {
    this.info = info;
    this.header = header;
    this.unit = unit;
    this.abbrevs = abbrevs;
    this.offset = start;
    this.info.seek(start);
  }

  get tag(): number {
    return this.abbrev?.tag ?? 0;
  }

  get hasChildren(): boolean {
    return this.abbrev?.hasChildren ?? false;
  }

  /** Moves to `offset` (an entry boundary in this unit); the next `next()` reads that entry at depth 0. */
  seek(offset: DebugInfoOffset): void {
    if (offset < this.header.entriesStart || offset >= this.header.end) {
      throw this.info.error(`entry offset 0x${offset.toString(16)} is outside the unit at 0x${this.header.offset.toString(16)}`, this.info.pos);
    }
    this.info.seek(offset);
    this.pendingDepth = 0;
    this.abbrev = undefined;
  }

  /** Reads the next entry in pre-order; null entries close child lists. False at the end of the unit. */
  next(): boolean {
    const c = this.info;
    for (;;) {
      if (c.pos >= this.header.end) {
        this.abbrev = undefined;
        return false;
      }
      const at = c.pos;
      const abbrev = this.readShape(true);
      if (abbrev === undefined) continue;
      this.offset = debugInfoOffset(at);
      this.abbrev = abbrev;
      this.depth = this.pendingDepth - (abbrev.hasChildren ? 1 : 0);
      return true;
    }
  }

  /**
   * Reads one entry's code and skips its attributes (recording where each starts when asked);
   * a null entry closes a child list and gives undefined. Keeps `pendingDepth` in step.
   */
  private readShape(isRecording: boolean): Abbrev | undefined {
    const c = this.info;
    const at = c.pos;
    const code = c.uleb("abbrev code");
    if (code === 0) {
      this.pendingDepth--;
      return undefined;
    }
    const abbrev = this.abbrevs.get(code);
    if (abbrev === undefined) throw c.error(`abbrev code 0x${code.toString(16)} not in the table at 0x${this.header.abbrevOffset.toString(16)}`, at);
    const count = abbrev.forms.length;
    if (isRecording && this.attrPositions.length < count) this.attrPositions = new Int32Array(count);
    const end = this.header.end;
    // Every entry of every unit passes through here: fixed-size and LEB forms are stepped over
    // on a local position, without a bounds check per attribute; the position is checked against
    // the unit's end after each entry (and before any length read from the entry is trusted).
    const bytes = c.bytes;
    const forms = abbrev.forms;
    const positions = this.attrPositions;
    let pos = c.pos;
    for (let i = 0; i < count; i++) {
      if (isRecording) positions[i] = pos;
      const size = fixedFormSize(forms[i] as number, this.header);
      if (size >= 0) {
        pos += size;
      } else if (size === LEB_FORM) {
        const start = pos;
        for (;;) {
          if (pos >= end) throw c.error("attribute value: LEB128 runs past the end of its unit", start);
          if (((bytes[pos++] as number) & 0x80) === 0) break;
          if (pos - start >= MAX_LEB_BYTES) throw c.error(`attribute value: LEB128 longer than ${MAX_LEB_BYTES} bytes`, start);
        }
      } else if (size === STRING_FORM) {
        const nul = bytes.indexOf(0, pos);
        if (nul < 0 || nul >= end) throw c.error("DW_FORM_string: no terminating NUL before the end of the unit", pos);
        pos = nul + 1;
      } else {
        if (pos > end) break;
        c.pos = pos;
        skipForm(c, forms[i] as number, this.header);
        pos = c.pos;
      }
    }
    if (pos > end) throw c.error(`entry at 0x${at.toString(16)} runs past the end of its unit`, at);
    c.pos = pos;
    if (abbrev.hasChildren) {
      this.pendingDepth++;
      if (this.pendingDepth > MAX_DEPTH) throw c.error(`entries nested deeper than ${MAX_DEPTH}`, at);
    }
    return abbrev;
  }

  /**
   * Skips the current entry's children, so that the following `next()` reads its next sibling (or
   * closes the parent). Follows DW_AT_sibling when present, else walks the subtree.
   */
  skipChildren(): void {
    if (!this.hasChildren) return;
    const sibling = this.attr(C.DW_AT_sibling);
    if (sibling?.kind === "reference" && sibling.offset > this.offset && sibling.offset <= this.header.end) {
      this.info.seek(sibling.offset);
      this.pendingDepth = this.depth;
      return;
    }
    const depth = this.depth;
    while (this.pendingDepth > depth && this.info.pos < this.header.end) this.readShape(false);
  }

  /** The raw value of attribute `name` of the current entry, or undefined when it has none. */
  attr(name: number): FormValue | undefined {
    const abbrev = this.abbrev;
    if (abbrev === undefined) return undefined;
    const index = attrIndexOf(abbrev, name);
    if (index < 0) return undefined;
    const c = this.info;
    const resume = c.pos;
    c.seek(this.attrPositions[index] as number);
    const value = readForm(c, abbrev.forms[index] as number, this.header, abbrev.implicitConsts?.get(index));
    c.seek(resume);
    return value;
  }

  /**
   * A constant-class or flag attribute as a number, without building a FormValue (the walk over
   * every subprogram and parameter reads several per entry); undefined when absent, of another
   * class, or beyond 2^53 (then `attr` gives the bigint).
   */
  attrConstant(name: number): number | undefined {
    const v = this.attrNumber(name, false);
    return v;
  }

  /** A reference attribute as the .debug_info offset it names, without building a FormValue. */
  attrReference(name: number): DebugInfoOffset | undefined {
    const v = this.attrNumber(name, true);
    return v === undefined ? undefined : debugInfoOffset(v);
  }

  private attrNumber(name: number, isReference: boolean): number | undefined {
    const abbrev = this.abbrev;
    if (abbrev === undefined) return undefined;
    const index = attrIndexOf(abbrev, name);
    if (index < 0) return undefined;
    const form = abbrev.forms[index] as number;
    const c = this.info;
    const at = this.attrPositions[index] as number;
    if (isReference) {
      switch (form) {
        case C.DW_FORM_ref1:
          return this.header.offset + c.u8At(at, "ref1");
        case C.DW_FORM_ref2:
          return this.header.offset + c.u16At(at, "ref2");
        case C.DW_FORM_ref4:
          return this.header.offset + c.u32At(at, "ref4");
        case C.DW_FORM_ref8:
          return this.header.offset + c.u64At(at, "ref8");
        case C.DW_FORM_ref_addr:
          return c.wordAt(at, this.header.version === 2 ? this.header.addressSize : this.header.offsetSize, "ref_addr");
        default: {
          const v = this.attr(name);
          return v?.kind === "reference" ? v.offset : undefined;
        }
      }
    }
    switch (form) {
      case C.DW_FORM_data1:
      case C.DW_FORM_flag:
        return c.u8At(at, "data1");
      case C.DW_FORM_data2:
        return c.u16At(at, "data2");
      case C.DW_FORM_data4:
        return c.u32At(at, "data4");
      case C.DW_FORM_flag_present:
        return 1;
      case C.DW_FORM_implicit_const:
        return abbrev.implicitConsts?.get(index) ?? 0;
      case C.DW_FORM_udata: {
        // Go writes line numbers as udata; a value too wide for a number goes to `attr` below.
        const value = decodeUleb128(c.bytes, at, this.lebEnd);
        if (this.lebEnd.problem === undefined) return value;
        const v = this.attr(name);
        return v?.kind === "constant" ? v.value : undefined;
      }
      default: {
        const v = this.attr(name);
        return v?.kind === "constant" ? v.value : v?.kind === "flag" ? (v.value ? 1 : 0) : undefined;
      }
    }
  }

  has(name: number): boolean {
    return this.abbrev !== undefined && attrIndexOf(this.abbrev, name) >= 0;
  }

  /** Index of attribute `name` in the current entry, or −1; with `formAt`/`valueAt`, the hot path. */
  attrIndex(name: number): number {
    return this.abbrev === undefined ? -1 : attrIndexOf(this.abbrev, name);
  }

  /** The form of the current entry's attribute at `index` (from `attrIndex`). */
  formAt(index: number): number {
    return (this.abbrev as Abbrev).forms[index] as number;
  }

  /** A DW_FORM_string attribute at `index`, decoded where it lies in .debug_info. */
  inlineStringAt(index: number): string {
    const bytes = this.info.bytes;
    const at = this.attrPositions[index] as number;
    // readShape found this string's NUL inside the unit.
    return decodeUtf8Range(bytes, at, bytes.indexOf(0, at));
  }

  /**
   * A fixed-size attribute value at `index` as a number: `size` bytes (1, 2, 4 or 8; an 8-byte
   * value above 2^53 is an error) where the entry holds it.
   */
  fixedValueAt(index: number, size: number): number {
    const c = this.info;
    const at = this.attrPositions[index] as number;
    switch (size) {
      case 1:
        return c.u8At(at);
      case 2:
        return c.u16At(at);
      case 4:
        return c.u32At(at);
      default:
        return c.u64At(at);
    }
  }
}
