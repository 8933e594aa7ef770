/**
 * Branded position types (the gimli habit): a number that knows which section, or which base,
 * it counts from, so that a unit-relative offset is never used as a section offset.
 * Conversions that can fail go through functions that check.
 */

declare const brand: unique symbol;
type Branded<T extends string> = number & { readonly [brand]: T };

/** Offset into .debug_info. */
export type DebugInfoOffset = Branded<"DebugInfoOffset">;
/** Offset from the start of a unit's header (what DW_FORM_ref1/2/4/8/udata hold). */
export type UnitOffset = Branded<"UnitOffset">;
/** Offset into .debug_abbrev. */
export type DebugAbbrevOffset = Branded<"DebugAbbrevOffset">;
/** A virtual address in the running program, as DWARF and pclntab write them. */
export type VirtAddr = Branded<"VirtAddr">;

export function debugInfoOffset(n: number): DebugInfoOffset {
  return n as DebugInfoOffset;
}
export function debugAbbrevOffset(n: number): DebugAbbrevOffset {
  return n as DebugAbbrevOffset;
}
export function virtAddr(n: number): VirtAddr {
  return n as VirtAddr;
}

/** The .debug_info offset of a unit-relative reference. */
export function unitToInfoOffset(unitStart: DebugInfoOffset, offset: UnitOffset): DebugInfoOffset {
  return (unitStart + offset) as DebugInfoOffset;
}

/** The unit-relative form of `offset`, or undefined when it lies outside [unitStart, unitEnd). */
export function infoToUnitOffset(unitStart: DebugInfoOffset, unitEnd: DebugInfoOffset, offset: DebugInfoOffset): UnitOffset | undefined {
  return offset >= unitStart && offset < unitEnd ? ((offset - unitStart) as UnitOffset) : undefined;
}
