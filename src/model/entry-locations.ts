import type { FormValue } from "../dwarf/forms.js";
import { decodeLocation, type Location } from "../dwarf/location-expr.js";
import type { Unit } from "../dwarf/unit.js";
import type { GoBinary } from "./go-binary.js";
import type { Arch } from "./arch.js";
import type { GoFunction, GoParam } from "./go-function.js";

/** Where the compiler says one piece of a parameter is at the function's entry PC (or another PC: readLocationAt). */
type EntryPlace =
  | { readonly kind: "register"; readonly dwarf: number }
  /** In memory at entry SP + offset. */
  | { readonly kind: "stack"; readonly offset: number }
  /** Optimized out at entry (a piece with no location). */
  | { readonly kind: "empty" }
  /** Any other expression; `what` says which. */
  | { readonly kind: "other"; readonly what: string };

/** One piece of the compiler's location for a parameter at entry: `size` bytes from `offset` in the value. */
interface EntryPiece {
  readonly offset: number;
  readonly size: number;
  readonly place: EntryPlace;
}

/** The compiler's DWARF location of a parameter at the entry PC, or why there is none. */
export type EntryLocation = { readonly kind: "pieces"; readonly pieces: readonly EntryPiece[] } | { readonly kind: "none"; readonly why: string };

/**
 * Reads a parameter's DW_AT_location at the function's entry PC and converts it to entry-SP terms:
 * Go's frame base is the CFA (DW_AT_frame_base DW_OP_call_frame_cfa), which is entry SP plus the
 * arch's entryCfaOffset (amd64 8, arm64 0), so DW_OP_fbreg N is at entry SP + entryCfaOffset + N.
 */
export function readEntryLocation(binary: GoBinary, fn: GoFunction, param: GoParam, size: number, arch: Arch): EntryLocation {
  if (param.location === undefined) return { kind: "none", why: "no DW_AT_location" };
  if (fn.dwarfOffset === undefined || fn.entry === undefined) return { kind: "none", why: "no out-of-line body" };
  const unit = binary.dwarf().unitContaining(fn.dwarfOffset);
  if (unit === undefined) return { kind: "none", why: "no DWARF unit" };
  return readLocationAt(binary, unit, param.location, fn.entry, size, arch, arch.entryCfaOffset);
}

/**
 * A location attribute (an expression, or a list) at `pc`, with DW_OP_fbreg/DW_OP_call_frame_cfa
 * offsets turned into offsets from SP at that pc: the CFA is SP + `cfaFromSp` there (at a
 * function's entry the arch's entryCfaOffset; further in, plus the frame pushed so far, which
 * pclntab's pcsp table gives).
 */
export function readLocationAt(binary: GoBinary, unit: Unit, location: FormValue, pc: number, size: number, arch: Arch, cfaFromSp: number): EntryLocation {
  const dwarf = binary.dwarf();
  let expr: Uint8Array;
  if (location.kind === "block") {
    expr = location.bytes;
  } else {
    const found = (dwarf.locationList(unit, location) ?? []).find((e) => e.low <= pc && pc < e.high);
    if (found === undefined) return { kind: "none", why: "no location at that PC" };
    expr = found.expr;
  }
  const decoded = decodeLocation(expr, unit.header.addressSize, unit.header.offsetSize, binary.elf.header.isLittleEndian, { file: binary.name, section: ".debug_loc", base: 0 });
  if (decoded.length === 0) return { kind: "none", why: "empty location at that PC" };
  const pieces: EntryPiece[] = [];
  let offset = 0;
  for (const d of decoded) {
    const pieceSize = d.size ?? size - offset;
    pieces.push({ offset, size: pieceSize, place: toPlace(d.location, arch, cfaFromSp) });
    offset += pieceSize;
  }
  return { kind: "pieces", pieces };
}

function toPlace(l: Location, arch: Arch, cfaFromSp: number): EntryPlace {
  switch (l.kind) {
    case "register":
      return { kind: "register", dwarf: l.regnum };
    case "cfaOffset":
    case "frameBaseOffset":
      return { kind: "stack", offset: cfaFromSp + l.offset };
    case "empty":
      return { kind: "empty" };
    case "registerOffset":
      return l.regnum === arch.stackPointer.dwarf ? { kind: "stack", offset: l.offset } : { kind: "other", what: `memory at DWARF register ${l.regnum} + ${l.offset}` };
    case "address":
      return { kind: "other", what: `a global at 0x${l.address.toString(16)}` };
    case "implicit":
      return { kind: "other", what: "a computed value" };
    case "computed":
      return { kind: "other", what: l.ops };
    default: {
      const never: never = l;
      return never;
    }
  }
}
