import type { AbbrevTable } from "./abbrev.js";
import * as C from "./constants.js";
import type { EntryCursor } from "./entries.js";
import type { FormValue } from "./forms.js";
import type { UnitHeader } from "./unit-header.js";

/**
 * A unit with what its root entry says about how to read the rest: the bases that DWARF 5's
 * indexed forms count from, and the base address that location and range offsets add to.
 */
export interface Unit {
  readonly header: UnitHeader;
  readonly abbrevs: AbbrevTable;
  readonly rootTag: number;
  readonly name: FormValue | undefined;
  readonly producer: FormValue | undefined;
  readonly compDir: FormValue | undefined;
  readonly language: number | undefined;
  readonly stmtList: number | undefined;
  /** DW_AT_low_pc of the unit (0 when absent): the base for .debug_loc/.debug_ranges offsets. */
  readonly lowPc: FormValue | undefined;
  readonly ranges: FormValue | undefined;
  readonly highPc: FormValue | undefined;
  readonly strOffsetsBase: number | undefined;
  readonly addrBase: number | undefined;
  readonly rnglistsBase: number | undefined;
  readonly loclistsBase: number | undefined;
}

/** Reads the unit's root entry (the cursor must be positioned on it) into a Unit. */
export function readUnitRoot(header: UnitHeader, abbrevs: AbbrevTable, root: EntryCursor): Unit {
  const hasRoot = root.next();
  const num = (at: number): number | undefined => {
    const v = hasRoot ? root.attr(at) : undefined;
    return v?.kind === "constant" ? v.value : v?.kind === "sectionOffset" ? v.value : undefined;
  };
  const raw = (at: number): FormValue | undefined => (hasRoot ? root.attr(at) : undefined);
  return {
    header,
    abbrevs,
    rootTag: hasRoot ? root.tag : 0,
    name: raw(C.DW_AT_name),
    producer: raw(C.DW_AT_producer),
    compDir: raw(C.DW_AT_comp_dir),
    language: num(C.DW_AT_language),
    stmtList: num(C.DW_AT_stmt_list),
    lowPc: raw(C.DW_AT_low_pc),
    highPc: raw(C.DW_AT_high_pc),
    ranges: raw(C.DW_AT_ranges),
    strOffsetsBase: num(C.DW_AT_str_offsets_base),
    addrBase: num(C.DW_AT_addr_base),
    rnglistsBase: num(C.DW_AT_rnglists_base),
    loclistsBase: num(C.DW_AT_loclists_base),
  };
}
