import * as C from "../dwarf/constants.js";
import type { DwarfData } from "../dwarf/dwarf-data.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";
import type { PcRange } from "../dwarf/pc-range.js";
import type { Unit } from "../dwarf/unit.js";
import { GoxrayError } from "../errors.js";
import type { Pclntab } from "../go/pclntab.js";
import { FileNames, readSubprogramWithParams, toFunction, walkUnit, type ParamDraft, type SubprogramDraft } from "./dwarf-functions.js";
import { pclntabCopies, pclntabFunction, withPclntabFacts } from "./function-index.js";
import { packageName, type GoFunction, type InlinedCopy, type InlinedStatus } from "./go-function.js";
import type { TypeBuilder } from "./type-builder.js";

/**
 * One function by its exact name without indexing the whole binary, for `check` and `trace`:
 * pclntab gives its entry; the unit whose PC ranges hold the entry is found from the unit roots
 * (the unit named after the function's package first: Go writes one unit per package); only that
 * unit is walked (and the one holding its abstract entry, when another does). `files` is the
 * caller's cache of line-table file names, kept across lookups so a unit's table is read once. Where it was inlined
 * comes from pclntab's inline trees, so the copies carry no DWARF entry (`trace --inlined` needs
 * those, and uses the full index).
 *
 * Undefined when pclntab does not list the name verbatim: a function inlined everywhere has no
 * entry there, and Go 1.19 shortens bracketed names to `[...]`; the caller falls back to
 * FunctionIndex, which matches DWARF's names.
 */
export function lookupFunction(pclntab: Pclntab, dwarf: DwarfData | undefined, types: TypeBuilder | undefined, files: FileNames | undefined, name: string): GoFunction | undefined {
  const i = pclntab.findByName(name);
  if (i === undefined) return undefined;
  if (dwarf === undefined || types === undefined || files === undefined || !dwarf.isPresent) return withCopiesOnDemand(pclntabFunction(pclntab, i, []), () => pclntabCopies(pclntab, name));
  const entry = pclntab.entryAt(i);
  const unit = unitHolding(dwarf, entry, packageName(name));
  const body = unit === undefined ? undefined : subprogramAt(dwarf, unit, entry);
  // Assembly and linker-made symbols (go:textfipsstart) have no DWARF: as in FunctionIndex,
  // pclntab alone describes them.
  if (body === undefined) return pclntabFunction(pclntab, i, []);
  // As FunctionIndex does: a body names itself and its parameters through its abstract entry.
  const origin = body.origin === undefined ? undefined : abstractEntry(dwarf, body.origin);
  const declared = origin?.isAbstract === true ? origin : body;
  const abstractParams = new Map<number, ParamDraft>();
  for (const p of declared === body ? [] : declared.params) if (p.origin === undefined) abstractParams.set(p.offset, p);
  const fn = toFunction(body, declared, abstractParams, [], "no", types, files);
  return withCopiesOnDemand(withPclntabFacts(fn, pclntab, i), () => pclntabCopies(pclntab, name));
}

/**
 * `fn` with its inlined copies (and so its `inlined` status) read when first asked for: finding
 * them scans every inline tree of the binary, which a caller that wants only the signature (the
 * goroutine id's offset comes from runtime.casgstatus's) should not pay for.
 */
function withCopiesOnDemand(fn: GoFunction, readCopies: () => InlinedCopy[]): GoFunction {
  let copies: InlinedCopy[] | undefined;
  const copiesNow = (): InlinedCopy[] => (copies ??= readCopies());
  return Object.defineProperties(
    { ...fn },
    {
      inlinedCopies: { get: copiesNow, enumerable: true },
      inlined: { get: (): InlinedStatus => (copiesNow().length > 0 ? "partly" : "no"), enumerable: true },
    },
  );
}

/** The compile unit whose PC ranges hold `pc`: the one named `packagePath` is tried first. */
function unitHolding(dwarf: DwarfData, pc: number, packagePath: string): Unit | undefined {
  const units: Unit[] = [];
  for (const header of dwarf.headers()) {
    let unit: Unit;
    try {
      unit = dwarf.unit(header);
    } catch (err) {
      // A unit that cannot be read cannot hold the function; FunctionIndex reports it.
      if (err instanceof GoxrayError) continue;
      throw err;
    }
    if (unit.rootTag !== C.DW_TAG_compile_unit && unit.rootTag !== C.DW_TAG_partial_unit) continue;
    if (dwarf.string(unit.name, unit) === packagePath && holds(dwarf, unit, pc)) return unit;
    units.push(unit);
  }
  return units.find((unit) => holds(dwarf, unit, pc));
}

function holds(dwarf: DwarfData, unit: Unit, pc: number): boolean {
  return dwarf.pcRanges(unit, unit.lowPc, unit.highPc, unit.ranges).some((r) => r.low <= pc && pc < r.high);
}

/**
 * The subprogram of `unit` whose code starts at `pc`. Go writes every function as a child of its
 * unit, so only those are read, each subtree skipped; any other producer's nesting is walked.
 */
function subprogramAt(dwarf: DwarfData, unit: Unit, pc: number): SubprogramDraft | undefined {
  const cursor = dwarf.entries(unit);
  if (!cursor.next()) return undefined;
  while (cursor.next()) {
    if (cursor.depth === 1 && cursor.tag === C.DW_TAG_subprogram && !isAbstractEntry(cursor.attrConstant(C.DW_AT_inline))) {
      const ranges = dwarf.entryPcRanges(cursor, unit);
      if (ranges.length > 0 && lowestPc(ranges) === pc) return readSubprogramWithParams(dwarf, unit, cursor);
    }
    cursor.skipChildren();
  }
  const subprograms: SubprogramDraft[] = [];
  walkUnit(dwarf, unit, subprograms, []);
  return subprograms.find((s) => !s.isAbstract && s.ranges.length > 0 && lowestPc(s.ranges) === pc);
}

/** The subprogram entry at `offset` (an abstract function), with its parameters. */
function abstractEntry(dwarf: DwarfData, offset: DebugInfoOffset): SubprogramDraft | undefined {
  const unit = dwarf.unitContaining(offset);
  if (unit === undefined) return undefined;
  const cursor = dwarf.entries(unit, offset);
  return cursor.next() && cursor.tag === C.DW_TAG_subprogram ? readSubprogramWithParams(dwarf, unit, cursor) : undefined;
}

const isAbstractEntry = (inline: number | undefined): boolean => inline === C.DW_INL_inlined || inline === C.DW_INL_declared_inlined;

function lowestPc(ranges: readonly PcRange[]): number {
  let low = Number.MAX_SAFE_INTEGER;
  for (const r of ranges) low = Math.min(low, r.low);
  return low;
}
