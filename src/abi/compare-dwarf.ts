import type { EntryLocation } from "../model/entry-locations.js";
import type { PlacedPiece, PlacedValue } from "./placement.js";

/** How goxray's placement of one argument compares with the compiler's location at entry. */
export type DwarfComparison =
  | { readonly kind: "agrees" }
  /** DWARF says nothing comparable at entry (no location, optimized out, an expression). */
  | { readonly kind: "not-comparable"; readonly why: string }
  /** They differ; `explanation` names a known compiler DWARF pattern when one fits. */
  | { readonly kind: "disagrees"; readonly detail: string; readonly explanation: string | undefined };

const placeOf = (p: PlacedPiece): string => (p.location.kind === "register" ? p.location.register.name : `SP+${p.location.offset}`);

/**
 * Compares a placed argument with the compiler's DWARF location at the entry PC, piece by piece.
 * Neither is trusted silently: a difference is reported, with the known compiler patterns named
 * (test/abi-compiler.test.ts measures them on Go 1.15–1.27).
 */
export function compareWithDwarf(value: PlacedValue, dwarf: EntryLocation, others: readonly PlacedValue[], registerByDwarf: (dwarf: number) => string | undefined): DwarfComparison {
  if (dwarf.kind === "none") return { kind: "not-comparable", why: dwarf.why };
  if (value.home.kind === "unknown") return { kind: "not-comparable", why: value.home.why };
  const differences: string[] = [];
  let compared = 0;
  for (const d of dwarf.pieces) {
    if (d.place.kind === "empty") continue;
    if (d.place.kind === "other") return { kind: "not-comparable", why: `DWARF gives ${d.place.what}` };
    for (const p of value.pieces) {
      if (p.offset < d.offset || p.offset + p.size > d.offset + d.size) continue;
      compared++;
      const want = d.place.kind === "register" ? (registerByDwarf(d.place.dwarf) ?? `DWARF register ${d.place.dwarf}`) : `SP+${d.place.offset + (p.offset - d.offset)}`;
      if (want !== placeOf(p)) differences.push(`${p.path}: goxray ${placeOf(p)}, DWARF ${want}`);
    }
  }
  if (compared === 0) return { kind: "not-comparable", why: "every piece is optimized out at entry" };
  if (differences.length === 0) return { kind: "agrees" };
  return { kind: "disagrees", detail: differences.join("; "), explanation: explain(value, dwarf, others) };
}

function explain(value: PlacedValue, dwarf: Extract<EntryLocation, { kind: "pieces" }>, others: readonly PlacedValue[]): string | undefined {
  const [only] = dwarf.pieces;
  if (dwarf.pieces.length === 1 && only !== undefined && only.place.kind === "stack") {
    const at = only.place.offset;
    // go-abi.md §7: only some words of a multi-word stack argument are used, and the compiler
    // describes the whole value by one word at the first live one (Go 1.15–1.27).
    if (value.home.kind === "stack" && value.pieces.slice(1).some((p) => p.location.kind === "stack" && p.location.offset === at)) {
      return "known compiler DWARF bug: a partly used stack argument is described by one word at its first live word; goxray's placement follows the ABI";
    }
    // Go 1.27 describes an unused parameter by its spill slot, which the caller does not write.
    if (value.home.kind === "registers" && value.home.spill === at) {
      return "the compiler names this unused parameter's spill slot, which is not written at the call; the value is in the register";
    }
  }
  const elsewhere = new Set(others.filter((o) => o !== value).flatMap((o) => o.pieces.map(placeOf)));
  const named = dwarf.pieces.flatMap((d) => (d.place.kind === "stack" ? [`SP+${d.place.offset}`] : []));
  if (named.some((n) => elsewhere.has(n))) return "DWARF names another argument's place: the function may reassign this parameter from it";
  return undefined;
}
