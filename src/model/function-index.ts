import * as C from "../dwarf/constants.js";
import type { DwarfData } from "../dwarf/dwarf-data.js";
import type { EntryCursor } from "../dwarf/entries.js";
import type { FormValue } from "../dwarf/forms.js";
import { readLineProgramHeader, type LineProgramHeader } from "../dwarf/line.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";
import type { PcRange } from "../dwarf/pc-range.js";
import type { Unit } from "../dwarf/unit.js";
import { GoxrayError } from "../errors.js";
import type { Pclntab } from "../go/pclntab.js";
import { hasDictionaryArgument, type GoFunction, type GoParam, type InlinedCopy, type InlinedStatus } from "./go-function.js";
import type { TypeBuilder } from "./type-builder.js";

/** A unit that could not be read; the rest of the binary is still listed. */
export interface SkippedUnit {
  readonly offset: number;
  readonly message: string;
}

interface ParamDraft {
  readonly offset: DebugInfoOffset;
  readonly name: string | undefined;
  readonly isResult: boolean | undefined;
  readonly typeOffset: DebugInfoOffset | undefined;
  readonly origin: DebugInfoOffset | undefined;
  readonly location: FormValue | undefined;
}

interface SubprogramDraft {
  readonly offset: DebugInfoOffset;
  readonly depth: number;
  readonly unit: Unit;
  readonly name: string | undefined;
  readonly origin: DebugInfoOffset | undefined;
  readonly ranges: PcRange[];
  readonly declFile: number | undefined;
  readonly declLine: number | undefined;
  readonly params: ParamDraft[];
  readonly isAbstract: boolean;
}

interface InlineDraft {
  readonly offset: DebugInfoOffset;
  readonly origin: DebugInfoOffset;
  readonly depth: number;
  /** The call_file of a copy inlined inside this one: the file this copy's own body is in. */
  bodyFile: number | undefined;
  readonly caller: SubprogramDraft;
  readonly unit: Unit;
  readonly callFile: number | undefined;
  readonly callLine: number | undefined;
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
      for (let i = 0; i < pclntab.funcCount; i++) {
        const entry = pclntab.entryAt(i);
        const fromDwarf = byEntry.get(entry);
        const argsSize = pclntab.argsSizeAt(i);
        if (fromDwarf !== undefined) {
          // Go 1.15 writes no DW_AT_decl_line: pclntab's position at the entry is the declaration.
          const position = fromDwarf.file === undefined || fromDwarf.line === undefined ? pclntab.fileLineAt(i) : undefined;
          functions.push({ ...fromDwarf, file: fromDwarf.file ?? position?.file, line: fromDwarf.line ?? position?.line, argsSize });
          byEntry.delete(entry);
        } else {
          const position = pclntab.fileLineAt(i);
          // Without DWARF, pclntab's inline trees still say where the body was copied into callers.
          const copies: InlinedCopy[] =
            dwarf === undefined
              ? pclntab.inlinedCallSitesOf(pclntab.nameAt(i)).map((c) => ({ caller: c.caller, dwarfOffset: undefined, firstPc: c.firstPc, callFile: c.callFile, callLine: c.callLine }))
              : [];
          functions.push({
            name: pclntab.nameAt(i),
            entry,
            end: pclntab.endAt(i),
            file: position?.file,
            line: position?.line,
            params: [],
            results: [],
            hasKnownResults: false,
            hasDictionaryArg: hasDictionaryArgument(pclntab.nameAt(i)),
            hasDwarf: false,
            argsSize,
            inlined: copies.length > 0 ? "partly" : "no",
            inlinedCopies: copies,
            dwarfOffset: undefined,
          });
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

function nameOf(s: SubprogramDraft, abstracts: Map<number, SubprogramDraft>): string | undefined {
  return s.name ?? (s.origin === undefined ? undefined : abstracts.get(s.origin)?.name);
}

function toFunction(
  s: SubprogramDraft,
  declared: SubprogramDraft,
  abstractParams: Map<number, ParamDraft> | undefined,
  copies: InlinedCopy[],
  inlined: InlinedStatus,
  types: TypeBuilder,
  files: FileNames,
): GoFunction {
  // A concrete copy of an inlined function names its parameters through the abstract ones.
  const drafts = s.params.map((p) => {
    if (p.origin === undefined || abstractParams === undefined) return p;
    const origin = abstractParams.get(p.origin);
    return origin === undefined ? p : { ...origin, offset: p.offset, location: p.location };
  });
  const params: GoParam[] = [];
  const results: GoParam[] = [];
  for (const p of drafts) {
    const name = p.name ?? "?";
    if (name === DICTIONARY_PARAM) continue;
    const param: GoParam = {
      name,
      isUnnamed: name.startsWith("~") || name === "_",
      isResult: p.isResult === true,
      typeOffset: p.typeOffset,
      typeName: p.typeOffset === undefined ? "?" : types.nameOf(p.typeOffset),
      location: p.location,
    };
    (param.isResult ? results : params).push(param);
  }
  const first = s.ranges[0];
  const entry = first === undefined ? undefined : Math.min(...s.ranges.map((r) => r.low));
  const end = first === undefined ? undefined : Math.max(...s.ranges.map((r) => r.high));
  const line = declared.declLine ?? s.declLine;
  // Without DW_AT_decl_file/decl_line, FunctionIndex.build takes the position from pclntab.
  const file = files.name(declared.unit, declared.declFile ?? s.declFile);
  return {
    name: declared.name ?? "?",
    entry,
    end,
    file,
    line,
    params,
    results,
    hasKnownResults: !declared.isAbstract || results.length > 0,
    hasDictionaryArg: hasDictionaryArgument(declared.name ?? "") || drafts.some((p) => p.name === DICTIONARY_PARAM),
    hasDwarf: true,
    argsSize: undefined,
    inlined,
    inlinedCopies: copies,
    dwarfOffset: s.offset,
  };
}

// cmd/compile names a shape function's dictionary argument ".dict" (DWARF lists it from Go 1.27).
const DICTIONARY_PARAM = ".dict";

function walkUnit(dwarf: DwarfData, unit: Unit, subprograms: SubprogramDraft[], inlines: InlineDraft[]): void {
  const cursor = dwarf.entries(unit);
  if (!cursor.next()) return;
  const stack: SubprogramDraft[] = [];
  const inlineStack: InlineDraft[] = [];
  while (cursor.next()) {
    while (stack.length > 0 && cursor.depth <= (stack[stack.length - 1] as SubprogramDraft).depth) stack.pop();
    while (inlineStack.length > 0 && cursor.depth <= (inlineStack[inlineStack.length - 1] as InlineDraft).depth) inlineStack.pop();
    const tag = cursor.tag;
    if (tag === C.DW_TAG_subprogram) {
      const s = readSubprogram(dwarf, unit, cursor);
      subprograms.push(s);
      if (cursor.hasChildren) stack.push(s);
      continue;
    }
    const current = stack[stack.length - 1];
    if (current === undefined) {
      // Types and variables at unit level: nothing to collect below them.
      cursor.skipChildren();
      continue;
    }
    if (tag === C.DW_TAG_formal_parameter && cursor.depth === current.depth + 1) {
      current.params.push(readParam(dwarf, cursor));
    } else if (tag === C.DW_TAG_inlined_subroutine) {
      const origin = cursor.attrReference(C.DW_AT_abstract_origin);
      if (origin !== undefined) {
        const callFile = cursor.attrConstant(C.DW_AT_call_file);
        const enclosing = inlineStack[inlineStack.length - 1];
        if (enclosing !== undefined) enclosing.bodyFile ??= callFile;
        const inline: InlineDraft = {
          origin,
          depth: cursor.depth,
          bodyFile: undefined,
          caller: current,
          offset: cursor.offset,
          unit,
          callFile,
          callLine: cursor.attrConstant(C.DW_AT_call_line),
        };
        inlines.push(inline);
        if (cursor.hasChildren) inlineStack.push(inline);
      }
    } else if (tag !== C.DW_TAG_lexical_block) {
      // Variables, constants and types inside a function hold no inlined copies.
      cursor.skipChildren();
    }
  }
}

function readSubprogram(dwarf: DwarfData, unit: Unit, cursor: EntryCursor): SubprogramDraft {
  const inline = cursor.attrConstant(C.DW_AT_inline);
  return {
    offset: cursor.offset,
    depth: cursor.depth,
    unit,
    name: dwarf.stringAttr(cursor, C.DW_AT_name),
    origin: cursor.attrReference(C.DW_AT_abstract_origin),
    ranges: dwarf.entryPcRanges(cursor, unit),
    declFile: cursor.attrConstant(C.DW_AT_decl_file),
    declLine: cursor.attrConstant(C.DW_AT_decl_line),
    params: [],
    isAbstract: inline === C.DW_INL_inlined || inline === C.DW_INL_declared_inlined,
  };
}

function readParam(dwarf: DwarfData, cursor: EntryCursor): ParamDraft {
  const variable = cursor.attrConstant(C.DW_AT_variable_parameter);
  return {
    offset: cursor.offset,
    name: dwarf.stringAttr(cursor, C.DW_AT_name),
    isResult: variable === undefined ? undefined : variable === 1,
    typeOffset: cursor.attrReference(C.DW_AT_type),
    origin: cursor.attrReference(C.DW_AT_abstract_origin),
    location: cursor.attr(C.DW_AT_location),
  };
}

function copyRanges(dwarf: DwarfData, copy: InlinedCopy): PcRange[] {
  if (copy.dwarfOffset === undefined) return [];
  const unit = dwarf.unitContaining(copy.dwarfOffset);
  if (unit === undefined) return [];
  const cursor = dwarf.entries(unit, copy.dwarfOffset);
  if (!cursor.next()) return [];
  return dwarf.pcRanges(unit, cursor.attr(C.DW_AT_low_pc), cursor.attr(C.DW_AT_high_pc), cursor.attr(C.DW_AT_ranges));
}

/** File names of each unit's line program header, read on first use. */
class FileNames {
  private readonly dwarf: DwarfData;
  private readonly headers = new Map<number, LineProgramHeader | null>();
  private readonly names = new Map<number, (string | undefined)[]>();

  constructor(dwarf: DwarfData) {
    this.dwarf = dwarf;
  }

  name(unit: Unit, index: number | undefined): string | undefined {
    if (index === undefined) return undefined;
    let cache = this.names.get(unit.header.offset);
    if (cache === undefined) {
      cache = [];
      this.names.set(unit.header.offset, cache);
    }
    if (index in cache) return cache[index];
    const name = this.readName(unit, index);
    cache[index] = name;
    return name;
  }

  private readName(unit: Unit, index: number): string | undefined {
    const header = this.header(unit);
    const file = header?.files[index];
    if (header === undefined || file === undefined) return undefined;
    const path = this.dwarf.string(file.path, unit);
    if (path === undefined) return undefined;
    if (path.startsWith("/") || (file.directory === 0 && header.version < 5)) return path;
    const dir = this.dwarf.string(header.directories[header.version >= 5 ? file.directory : file.directory - 1], unit);
    return dir === undefined || dir === "" || dir === "." ? path : `${dir}/${path}`;
  }

  private header(unit: Unit): LineProgramHeader | undefined {
    const key = unit.header.offset;
    let header = this.headers.get(key);
    if (header === undefined) {
      const line = this.dwarf.sections.find(".debug_line");
      header = line === undefined || unit.stmtList === undefined ? null : readLineProgramHeader(line, unit.stmtList, unit.header);
      this.headers.set(key, header);
    }
    return header ?? undefined;
  }
}
