/**
 * Branded position types (the gimli habit): a number that knows which section, or which base,
 * it counts from, so that a unit-relative offset is never used as a section offset.
 * Conversions that can fail go through functions that check.
 */

declare const brand: unique symbol;
type Branded<T extends string> = number & { readonly [brand]: T };

/** Offset into .debug_info. */
export type DebugInfoOffset = Branded<"DebugInfoOffset">;
/** Offset into .debug_abbrev. */
export type DebugAbbrevOffset = Branded<"DebugAbbrevOffset">;
export function debugInfoOffset(n: number): DebugInfoOffset {
  return n as DebugInfoOffset;
}
export function debugAbbrevOffset(n: number): DebugAbbrevOffset {
  return n as DebugAbbrevOffset;
}
