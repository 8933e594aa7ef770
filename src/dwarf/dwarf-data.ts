import { decodeUtf8, type ByteCursor } from "../bytes/cursor.js";
import type { ElfFile } from "../elf/elf-file.js";
import { readAbbrevTable, type AbbrevTable } from "./abbrev.js";
import { readAddressAt } from "./addr.js";
import * as C from "./constants.js";
import { EntryCursor } from "./entries.js";
import type { FormValue } from "./forms.js";
import { readLocList, type LocationListEntry } from "./loc.js";
import { readLocLists } from "./loclists.js";
import type { DebugAbbrevOffset, DebugInfoOffset } from "./offsets.js";
import type { PcRange } from "./pc-range.js";
import { readRangeList } from "./ranges.js";
import { readListOffset, readRngList } from "./rnglists.js";
import { DwarfSections } from "./sections.js";
import { readStringAt, readStringOffset } from "./strings.js";
import { readUnitHeader, type UnitHeader } from "./unit-header.js";
import { readUnitRoot, type Unit } from "./unit.js";

const offsetEnd = (low: number, length: number | undefined): number | undefined => (length === undefined ? undefined : low + length);

// DWARF 5 §7.26–7.29: without DW_AT_*_base, a unit's contribution starts right after the
// section's first header (8 bytes for 32-bit DWARF, 16 for 64-bit).
const defaultBase = (offsetSize: 4 | 8): number => (offsetSize === 4 ? 8 : 16);

/**
 * The DWARF of one binary: sections, abbreviation tables (cached by offset), units (headers
 * scanned once, roots read on first use), and the resolution of indexed and offset forms.
 */
export class DwarfData {
  readonly sections: DwarfSections;
  private readonly abbrevTables = new Map<DebugAbbrevOffset, AbbrevTable>();
  private unitHeaders: UnitHeader[] | undefined;
  private readonly units = new Map<DebugInfoOffset, Unit>();

  constructor(elf: ElfFile) {
    this.sections = new DwarfSections(elf);
  }

  /** True when the binary has a .debug_info (or .zdebug_info) section. */
  get isPresent(): boolean {
    return this.sections.has(".debug_info");
  }

  /** Every unit header in .debug_info order; a header that does not parse ends the walk with an error. */
  headers(): readonly UnitHeader[] {
    if (this.unitHeaders === undefined) {
      const info = this.sections.get(".debug_info", "reading units").clone();
      const headers: UnitHeader[] = [];
      while (info.remaining > 0) {
        const header = readUnitHeader(info);
        headers.push(header);
        info.seek(header.end);
      }
      this.unitHeaders = headers;
    }
    return this.unitHeaders;
  }

  /** The unit whose header is at `offset`, with its root entry read. */
  unit(header: UnitHeader): Unit {
    let unit = this.units.get(header.offset);
    if (unit === undefined) {
      const abbrevs = this.abbrevTable(header.abbrevOffset);
      unit = readUnitRoot(header, abbrevs, this.cursor(header, abbrevs, undefined, undefined));
      this.units.set(header.offset, unit);
    }
    return unit;
  }

  /** The unit containing .debug_info offset `offset`, or undefined when no unit does. */
  unitContaining(offset: DebugInfoOffset): Unit | undefined {
    const headers = this.headers();
    let lo = 0;
    let hi = headers.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const h = headers[mid] as UnitHeader;
      if (offset < h.offset) hi = mid - 1;
      else if (offset >= h.end) lo = mid + 1;
      else return this.unit(h);
    }
    return undefined;
  }

  /** A fresh entry cursor over `unit`, at its first entry or at `start`. */
  entries(unit: Unit, start?: DebugInfoOffset): EntryCursor {
    return this.cursor(unit.header, unit.abbrevs, start, unit);
  }

  abbrevTable(offset: DebugAbbrevOffset): AbbrevTable {
    let table = this.abbrevTables.get(offset);
    if (table === undefined) {
      table = readAbbrevTable(this.sections.get(".debug_abbrev", "reading entries"), offset);
      this.abbrevTables.set(offset, table);
    }
    return table;
  }

  /** The bytes of a string attribute, resolving .debug_str, .debug_line_str and str_offsets forms. */
  stringBytes(value: FormValue | undefined, unit: Unit): Uint8Array | undefined {
    if (value === undefined) return undefined;
    switch (value.kind) {
      case "string":
        return value.bytes;
      case "stringOffset":
        return readStringAt(this.sections.get(value.section, "a string attribute"), value.offset);
      case "stringIndex": {
        const offsets = this.sections.get(".debug_str_offsets", "DW_FORM_strx");
        const base = unit.strOffsetsBase ?? defaultBase(unit.header.offsetSize);
        return readStringAt(this.sections.get(".debug_str", "DW_FORM_strx"), readStringOffset(offsets, base, value.index, unit.header.offsetSize));
      }
      default:
        return undefined;
    }
  }

  string(value: FormValue | undefined, unit: Unit): string | undefined {
    const bytes = this.stringBytes(value, unit);
    return bytes === undefined ? undefined : decodeUtf8(bytes);
  }

  /**
   * The current entry's string attribute `name`, decoded where it lies when the form allows
   * (DW_FORM_string, the form Go writes names in) and through `string` otherwise.
   */
  stringAttr(cursor: EntryCursor, name: number): string | undefined {
    const index = cursor.attrIndex(name);
    if (index < 0) return undefined;
    if (cursor.formAt(index) === C.DW_FORM_string) return cursor.inlineStringAt(index);
    return cursor.unit === undefined ? undefined : this.string(cursor.attr(name), cursor.unit);
  }

  /** The current entry's address attribute `name` (DW_FORM_addr or an addrx form), or undefined. */
  addressAttr(cursor: EntryCursor, unit: Unit, name: number): number | undefined {
    const index = cursor.attrIndex(name);
    if (index < 0) return undefined;
    if (cursor.formAt(index) === C.DW_FORM_addr) return cursor.fixedValueAt(index, unit.header.addressSize);
    return this.address(cursor.attr(name), unit);
  }

  /** The PC ranges of the current entry (DW_AT_low_pc/high_pc, or DW_AT_ranges). */
  entryPcRanges(cursor: EntryCursor, unit: Unit): PcRange[] {
    if (cursor.attrIndex(C.DW_AT_ranges) >= 0) return this.pcRanges(unit, undefined, undefined, cursor.attr(C.DW_AT_ranges));
    const low = this.addressAttr(cursor, unit, C.DW_AT_low_pc);
    if (low === undefined) return [];
    const highIndex = cursor.attrIndex(C.DW_AT_high_pc);
    if (highIndex < 0) return [];
    const form = cursor.formAt(highIndex);
    // DWARF 4+ §2.17.2: a constant-class high_pc is an offset from low_pc; an address-class one is the end.
    const isAddress = form === C.DW_FORM_addr || form === C.DW_FORM_addrx || (form >= C.DW_FORM_addrx1 && form <= C.DW_FORM_addrx4) || form === C.DW_FORM_GNU_addr_index;
    const high = isAddress ? this.addressAttr(cursor, unit, C.DW_AT_high_pc) : offsetEnd(low, cursor.attrConstant(C.DW_AT_high_pc));
    return high === undefined || high <= low ? [] : [{ low, high }];
  }

  /** An address attribute, resolving DW_FORM_addrx through .debug_addr. */
  address(value: FormValue | undefined, unit: Unit): number | undefined {
    if (value?.kind === "address") return value.value;
    if (value?.kind === "addressIndex") return this.addressAt(unit, value.index);
    return undefined;
  }

  /** The unit's base address for location and range lists (its DW_AT_low_pc, else 0). */
  baseAddress(unit: Unit): number {
    return this.address(unit.lowPc, unit) ?? 0;
  }

  /** The PC ranges of an entry from its low_pc/high_pc or DW_AT_ranges values. */
  pcRanges(unit: Unit, lowPc: FormValue | undefined, highPc: FormValue | undefined, ranges: FormValue | undefined): PcRange[] {
    if (ranges !== undefined) {
      const header = unit.header;
      if (header.version >= 5) {
        const c = this.sections.get(".debug_rnglists", "DW_AT_ranges");
        const offset = ranges.kind === "rnglistIndex" ? readListOffset(c, unit.rnglistsBase ?? defaultBase(header.offsetSize), ranges.index, header.offsetSize) : ranges.kind === "sectionOffset" || ranges.kind === "constant" ? ranges.value : undefined;
        if (offset === undefined) return [];
        return readRngList(c, offset, header.addressSize, this.baseAddress(unit), (i) => this.addressAt(unit, i));
      }
      const offset = ranges.kind === "sectionOffset" || ranges.kind === "constant" ? ranges.value : undefined;
      if (offset === undefined) return [];
      return readRangeList(this.sections.get(".debug_ranges", "DW_AT_ranges"), offset, header.addressSize, this.baseAddress(unit));
    }
    const low = this.address(lowPc, unit);
    if (low === undefined) return [];
    // DWARF 4+ §2.17.2: a constant-class high_pc is an offset from low_pc; an address-class one is the end.
    const high = highPc?.kind === "constant" ? low + highPc.value : this.address(highPc, unit);
    return high === undefined || high <= low ? [] : [{ low, high }];
  }

  /**
   * The location list a DW_AT_location names (sec_offset or loclistx), or undefined when the
   * value is an expression block (a single location for the whole scope).
   */
  locationList(unit: Unit, value: FormValue): LocationListEntry[] | undefined {
    const header = unit.header;
    if (value.kind !== "sectionOffset" && value.kind !== "loclistIndex" && !(value.kind === "constant" && header.version < 4)) return undefined;
    if (header.version >= 5) {
      const c = this.sections.get(".debug_loclists", "DW_AT_location");
      const offset = value.kind === "loclistIndex" ? readListOffset(c, unit.loclistsBase ?? defaultBase(header.offsetSize), value.index, header.offsetSize) : value.value;
      return readLocLists(c, offset, header.addressSize, this.baseAddress(unit), (i) => this.addressAt(unit, i));
    }
    if (value.kind === "loclistIndex") return undefined;
    return readLocList(this.sections.get(".debug_loc", "DW_AT_location"), value.value, header.addressSize, this.baseAddress(unit));
  }

  private addressAt(unit: Unit, index: number): number {
    const base = unit.addrBase ?? defaultBase(unit.header.offsetSize);
    return readAddressAt(this.sections.get(".debug_addr", "DW_FORM_addrx"), base, index, unit.header.addressSize);
  }

  private cursor(header: UnitHeader, abbrevs: AbbrevTable, start: DebugInfoOffset | undefined, unit: Unit | undefined): EntryCursor {
    // Each entry cursor walks on its own position over the shared .debug_info bytes.
    const info: ByteCursor = this.sections.get(".debug_info", "reading entries").clone();
    return new EntryCursor(info, header, abbrevs, start ?? header.entriesStart, unit);
  }
}

