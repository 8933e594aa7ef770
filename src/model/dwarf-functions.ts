import * as C from "../dwarf/constants.js";
import type { DwarfData } from "../dwarf/dwarf-data.js";
import type { EntryCursor } from "../dwarf/entries.js";
import type { FormValue } from "../dwarf/forms.js";
import { readLineProgramHeader, type LineProgramHeader } from "../dwarf/line.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";
import type { PcRange } from "../dwarf/pc-range.js";
import type { Unit } from "../dwarf/unit.js";
import { hasDictionaryArgument, type GoFunction, type GoParam, type InlinedCopy, type InlinedStatus } from "./go-function.js";
import type { TypeBuilder } from "./type-builder.js";

// The DWARF side of the function model: what one walk over a unit collects about its
// subprograms, parameters and inlined copies, and how a subprogram becomes a GoFunction.
// FunctionIndex walks every unit with these; lookupFunction walks one.

export interface ParamDraft {
  readonly offset: DebugInfoOffset;
  readonly name: string | undefined;
  readonly isResult: boolean | undefined;
  readonly typeOffset: DebugInfoOffset | undefined;
  readonly origin: DebugInfoOffset | undefined;
  readonly location: FormValue | undefined;
}

export interface SubprogramDraft {
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

export interface InlineDraft {
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

export function nameOf(s: SubprogramDraft, abstracts: Map<number, SubprogramDraft>): string | undefined {
  return s.name ?? (s.origin === undefined ? undefined : abstracts.get(s.origin)?.name);
}

export function toFunction(
  s: SubprogramDraft,
  declared: SubprogramDraft,
  abstractParams: Map<number, ParamDraft> | undefined,
  copies: InlinedCopy[],
  inlined: InlinedStatus,
  types: TypeBuilder,
  files: FileNames,
): GoFunction {
  const params: GoParam[] = [];
  const results: GoParam[] = [];
  let hasDictionaryParam = false;
  for (const p of s.params) {
    // A concrete copy of an inlined function names its parameters through the abstract ones;
    // the location is the copy's own.
    const named = (p.origin === undefined ? undefined : abstractParams?.get(p.origin)) ?? p;
    const name = named.name ?? "?";
    if (name === DICTIONARY_PARAM) {
      hasDictionaryParam = true;
      continue;
    }
    const param: GoParam = {
      name,
      isUnnamed: name.startsWith("~") || name === "_",
      isResult: named.isResult === true,
      typeOffset: named.typeOffset,
      typeName: named.typeOffset === undefined ? "?" : types.nameOf(named.typeOffset),
      location: p.location,
    };
    (param.isResult ? results : params).push(param);
  }
  let entry: number | undefined;
  let end: number | undefined;
  for (const r of s.ranges) {
    entry = entry === undefined ? r.low : Math.min(entry, r.low);
    end = end === undefined ? r.high : Math.max(end, r.high);
  }
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
    hasDictionaryArg: hasDictionaryParam || hasDictionaryArgument(declared.name ?? ""),
    hasDwarf: true,
    argsSize: undefined,
    inlined,
    inlinedCopies: copies,
    dwarfOffset: s.offset,
  };
}

// cmd/compile names a shape function's dictionary argument ".dict" (DWARF lists it from Go 1.27).
const DICTIONARY_PARAM = ".dict";

export function walkUnit(dwarf: DwarfData, unit: Unit, subprograms: SubprogramDraft[], inlines: InlineDraft[]): void {
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

/**
 * The subprogram at the cursor with its own parameters (its formal_parameter children), for a
 * reader that wants one function: nested scopes are skipped, not walked.
 */
export function readSubprogramWithParams(dwarf: DwarfData, unit: Unit, cursor: EntryCursor): SubprogramDraft {
  const s = readSubprogram(dwarf, unit, cursor);
  if (!cursor.hasChildren) return s;
  const depth = cursor.depth;
  while (cursor.next() && cursor.depth > depth) {
    if (cursor.depth === depth + 1 && cursor.tag === C.DW_TAG_formal_parameter) s.params.push(readParam(dwarf, cursor));
    else cursor.skipChildren();
  }
  return s;
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

/** File names of each unit's line program header, read on first use. */
export class FileNames {
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
