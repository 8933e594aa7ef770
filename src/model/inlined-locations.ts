import * as C from "../dwarf/constants.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";
import type { Arch } from "./arch.js";
import { readLocationAt, type EntryLocation } from "./entry-locations.js";
import type { GoBinary } from "./go-binary.js";
import type { InlinedCopy } from "./go-function.js";

/** One parameter of an inlined copy, where the compiler's DWARF puts it at the copy's first PC. */
interface InlinedParam {
  readonly name: string;
  readonly location: EntryLocation;
}

/**
 * The parameters of an inlined copy (the DW_TAG_formal_parameter children of its
 * DW_TAG_inlined_subroutine, named through their abstract origins) with their locations at
 * `pc`, stack places as offsets from SP there: the CFA is SP plus the caller's frame pushed so
 * far (pclntab's pcsp at `pc`) plus the arch's entryCfaOffset. `sizeOf` gives each value's size
 * for a last piece without DW_OP_piece. Undefined when the copy has no DWARF entry.
 */
export function readInlinedParams(binary: GoBinary, copy: InlinedCopy, pc: number, arch: Arch, sizeOf: (name: string) => number): InlinedParam[] | undefined {
  if (copy.dwarfOffset === undefined) return undefined;
  const dwarf = binary.dwarf();
  const unit = dwarf.unitContaining(copy.dwarfOffset);
  if (unit === undefined) return undefined;
  const pclntab = binary.pclntab();
  const caller = pclntab?.findByPc(pc);
  const frame = caller === undefined ? undefined : pclntab?.pcValueAt(caller, "pcsp", pc);
  const cursor = dwarf.entries(unit, copy.dwarfOffset);
  if (!cursor.next() || !cursor.hasChildren) return [];
  const depth = cursor.depth;
  const params: InlinedParam[] = [];
  while (cursor.next() && cursor.depth > depth) {
    if (cursor.depth !== depth + 1 || cursor.tag !== C.DW_TAG_formal_parameter) {
      cursor.skipChildren();
      continue;
    }
    const origin = cursor.attrReference(C.DW_AT_abstract_origin);
    const location = cursor.attr(C.DW_AT_location);
    const name = origin === undefined ? dwarf.string(cursor.attr(C.DW_AT_name), unit) : nameAt(binary, origin);
    if (name === undefined) continue;
    if (location === undefined) {
      params.push({ name, location: { kind: "none", why: "no DW_AT_location in the inlined copy" } });
    } else if (frame === undefined) {
      params.push({ name, location: { kind: "none", why: "pclntab gives no frame size at that PC" } });
    } else {
      params.push({ name, location: readLocationAt(binary, unit, location, pc, sizeOf(name), arch, frame + arch.entryCfaOffset) });
    }
  }
  return params;
}

function nameAt(binary: GoBinary, offset: DebugInfoOffset): string | undefined {
  const dwarf = binary.dwarf();
  const unit = dwarf.unitContaining(offset);
  if (unit === undefined) return undefined;
  const cursor = dwarf.entries(unit, offset);
  return cursor.next() ? dwarf.string(cursor.attr(C.DW_AT_name), unit) : undefined;
}
