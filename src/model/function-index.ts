import * as C from "../dwarf/constants.js";
import type { DwarfData } from "../dwarf/dwarf-data.js";
import type { PcRange } from "../dwarf/pc-range.js";
import { GoxrayError } from "../errors.js";
import type { Pclntab } from "../go/pclntab.js";
import { FileNames, nameOf, toFunction, walkUnit, type InlineDraft, type ParamDraft, type SubprogramDraft } from "./dwarf-functions.js";
import { hasDictionaryArgument, type GoFunction, type InlinedCopy } from "./go-function.js";
import type { TypeBuilder } from "./type-builder.js";

/** A unit that could not be read; the rest of the binary is still listed. */
export interface SkippedUnit {
  readonly offset: number;
  readonly message: string;
}


/**
 * Every function of a binary: DWARF subprograms joined with pclntab's function table by entry PC.
 * Functions that have no DWARF (assembly, or a binary built with -ldflags=-w) come from pclntab
 * alone, without parameter types. Abstract (inlined) functions carry the call sites that hold copies.
 */
export class FunctionIndex {
  readonly functions: readonly GoFunction[];
  readonly skippedUnits: readonly SkippedUnit[];
  private readonly dwarf: DwarfData | undefined;
  private byName: Map<string, GoFunction> | undefined;

  private constructor(functions: GoFunction[], skippedUnits: SkippedUnit[], dwarf: DwarfData | undefined) {
    this.functions = functions;
    this.skippedUnits = skippedUnits;
    this.dwarf = dwarf;
  }

  /** The PC ranges of an inlined copy's code, read from its DWARF entry when asked. */
  copyRanges(copy: InlinedCopy): PcRange[] {
    return this.dwarf === undefined ? [] : copyRanges(this.dwarf, copy);
  }

  /** Builds the index from pclntab and, when present, DWARF (every unit is walked once). */
  static build(pclntab: Pclntab | undefined, dwarf: DwarfData | undefined, types: TypeBuilder | undefined): FunctionIndex {
    const walk = dwarf !== undefined && types !== undefined && dwarf.isPresent ? walkDwarf(dwarf, types) : { functions: [], skipped: [] };
    const byEntry = new Map<number, GoFunction>();
    const inlineOnly: GoFunction[] = [];
    for (const f of walk.functions) {
      if (f.entry === undefined) inlineOnly.push(f);
      else if (!byEntry.has(f.entry)) byEntry.set(f.entry, f);
    }
    const functions: GoFunction[] = [];
    if (pclntab !== undefined) {
      if (dwarf === undefined) pclntab.indexInlineTrees();
      for (let i = 0; i < pclntab.funcCount; i++) {
        const entry = pclntab.entryAt(i);
        const fromDwarf = byEntry.get(entry);
        if (fromDwarf !== undefined) {
          functions.push(withPclntabFacts(fromDwarf, pclntab, i));
          byEntry.delete(entry);
        } else {
          // Without DWARF, pclntab's inline trees still say where the body was copied into callers.
          functions.push(pclntabFunction(pclntab, i, dwarf === undefined ? pclntabCopies(pclntab, pclntab.nameAt(i)) : []));
        }
      }
    }
    // A function inlined everywhere: the position of its first copy's code is in its own file.
    if (pclntab !== undefined) {
      for (const [k, f] of inlineOnly.entries()) {
        const first = f.file === undefined ? f.inlinedCopies[0] : undefined;
        const pc = first === undefined || dwarf === undefined ? undefined : copyRanges(dwarf, first)[0]?.low;
        const caller = pc === undefined ? undefined : pclntab.findByPc(pc);
        if (pc !== undefined && caller !== undefined) inlineOnly[k] = { ...f, file: pclntab.fileLineAt(caller, pc)?.file };
      }
    }
    // DWARF functions pclntab does not list (none in a Go binary; C functions in cgo ones).
    for (const f of byEntry.values()) functions.push(f);
    functions.sort((a, b) => (a.entry ?? Number.MAX_SAFE_INTEGER) - (b.entry ?? Number.MAX_SAFE_INTEGER));
    functions.push(...inlineOnly.sort((a, b) => a.name.localeCompare(b.name)));
    return new FunctionIndex(functions, walk.skipped, dwarf);
  }

  /** The function with exactly this name (the out-of-line body when there is one), or undefined. */
  find(name: string): GoFunction | undefined {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (const f of this.functions) if (!this.byName.has(f.name)) this.byName.set(f.name, f);
    }
    return this.byName.get(name);
  }

  /** Functions whose name matches `pattern`, in address order. */
  match(pattern: RegExp): GoFunction[] {
    return this.functions.filter((f) => pattern.test(f.name));
  }
}

/** A function DWARF describes, with what pclntab adds: its frame's argument size, and its position when DWARF has none. */
export function withPclntabFacts(fromDwarf: GoFunction, pclntab: Pclntab, i: number): GoFunction {
  // Go 1.15 writes no DW_AT_decl_line: pclntab's position at the entry is the declaration.
  const position = fromDwarf.file === undefined || fromDwarf.line === undefined ? pclntab.fileLineAt(i) : undefined;
  return { ...fromDwarf, file: fromDwarf.file ?? position?.file, line: fromDwarf.line ?? position?.line, argsSize: pclntab.argsSizeAt(i) };
}

/** Function `i` of pclntab as known without DWARF: name, extent, position, no parameter types. */
export function pclntabFunction(pclntab: Pclntab, i: number, copies: InlinedCopy[]): GoFunction {
  const name = pclntab.nameAt(i);
  const position = pclntab.fileLineAt(i);
  return {
    name,
    entry: pclntab.entryAt(i),
    end: pclntab.endAt(i),
    file: position?.file,
    line: position?.line,
    params: [],
    results: [],
    hasKnownResults: false,
    hasDictionaryArg: hasDictionaryArgument(name),
    hasDwarf: false,
    argsSize: pclntab.argsSizeAt(i),
    inlined: copies.length > 0 ? "partly" : "no",
    inlinedCopies: copies,
    dwarfOffset: undefined,
  };
}

/** Where pclntab's inline trees say the function `name` was copied into callers (no DWARF entries). */
export function pclntabCopies(pclntab: Pclntab, name: string): InlinedCopy[] {
  return pclntab.inlinedCallSitesOf(name).map((c) => ({ caller: c.caller, dwarfOffset: undefined, firstPc: c.firstPc, callFile: c.callFile, callLine: c.callLine }));
}

function walkDwarf(dwarf: DwarfData, types: TypeBuilder): { functions: GoFunction[]; skipped: SkippedUnit[] } {
  const subprograms: SubprogramDraft[] = [];
  const inlines: InlineDraft[] = [];
  const skipped: SkippedUnit[] = [];
  for (const header of dwarf.headers()) {
    try {
      const unit = dwarf.unit(header);
      if (unit.rootTag !== C.DW_TAG_compile_unit && unit.rootTag !== C.DW_TAG_partial_unit) continue;
      walkUnit(dwarf, unit, subprograms, inlines);
    } catch (err) {
      // A bad unit is reported and skipped; the units after it are still listed.
      if (!(err instanceof GoxrayError)) throw err;
      skipped.push({ offset: header.offset, message: err.message });
    }
  }
  const abstractByOffset = new Map<number, SubprogramDraft>();
  const abstractParams = new Map<number, ParamDraft>();
  for (const s of subprograms) {
    if (!s.isAbstract) continue;
    abstractByOffset.set(s.offset, s);
  }
  for (const s of subprograms) for (const p of s.params) if (s.isAbstract && p.origin === undefined) abstractParams.set(p.offset, p);
  const files = new FileNames(dwarf);
  const copiesByOrigin = new Map<number, InlinedCopy[]>();
  const bodyFiles = new Map<number, string>();
  for (const inline of inlines) {
    const callerName = nameOf(inline.caller, abstractByOffset) ?? "?";
    const list = copiesByOrigin.get(inline.origin) ?? [];
    list.push({ caller: callerName, dwarfOffset: inline.offset, firstPc: undefined, callFile: files.name(inline.unit, inline.callFile), callLine: inline.callLine });
    copiesByOrigin.set(inline.origin, list);
    if (inline.bodyFile !== undefined && !bodyFiles.has(inline.origin)) {
      const file = files.name(inline.unit, inline.bodyFile);
      if (file !== undefined) bodyFiles.set(inline.origin, file);
    }
  }
  const hasBody = new Set<number>();
  for (const s of subprograms) if (!s.isAbstract && s.origin !== undefined) hasBody.add(s.origin);

  const functions: GoFunction[] = [];
  for (const s of subprograms) {
    const abstract = s.origin === undefined ? undefined : abstractByOffset.get(s.origin);
    if (s.isAbstract) {
      // An abstract function is listed only when no out-of-line body exists: it is inlined everywhere.
      if (hasBody.has(s.offset)) continue;
      const copies = copiesByOrigin.get(s.offset) ?? [];
      const f = toFunction(s, s, undefined, copies, copies.length > 0 ? "always" : "no", types, files);
      functions.push(f.file === undefined ? { ...f, file: bodyFiles.get(s.offset) } : f);
      continue;
    }
    if (s.ranges.length === 0) continue;
    const copies = s.origin === undefined ? [] : copiesByOrigin.get(s.origin) ?? [];
    functions.push(toFunction(s, abstract ?? s, abstractParams, copies, copies.length > 0 ? "partly" : "no", types, files));
  }
  return { functions: mergeSeparateAbstracts(functions), skipped };
}

/**
 * The compiler sometimes writes a function's out-of-line body as a plain subprogram, with no
 * DW_AT_abstract_origin, while its inlined copies name a separate abstract entry (seen for
 * internal/abi.TypeOf and sync/atomic methods, Go 1.22–1.27): the body and the abstract function
 * are one function, inlined at those copies' sites and called at the others.
 */
function mergeSeparateAbstracts(functions: GoFunction[]): GoFunction[] {
  const bodies = new Map<string, number>();
  functions.forEach((f, i) => {
    if (f.entry !== undefined && !bodies.has(f.name)) bodies.set(f.name, i);
  });
  const merged: GoFunction[] = [...functions];
  const absorbed = new Set<number>();
  functions.forEach((f, i) => {
    if (f.entry !== undefined || f.inlinedCopies.length === 0) return;
    const body = bodies.get(f.name);
    if (body === undefined) return;
    const target = merged[body] as GoFunction;
    merged[body] = { ...target, inlined: "partly", inlinedCopies: [...target.inlinedCopies, ...f.inlinedCopies] };
    absorbed.add(i);
  });
  return merged.filter((_, i) => !absorbed.has(i));
}


function copyRanges(dwarf: DwarfData, copy: InlinedCopy): PcRange[] {
  if (copy.dwarfOffset === undefined) return [];
  const unit = dwarf.unitContaining(copy.dwarfOffset);
  if (unit === undefined) return [];
  const cursor = dwarf.entries(unit, copy.dwarfOffset);
  if (!cursor.next()) return [];
  return dwarf.pcRanges(unit, cursor.attr(C.DW_AT_low_pc), cursor.attr(C.DW_AT_high_pc), cursor.attr(C.DW_AT_ranges));
}

