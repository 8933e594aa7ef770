import type { GoFunction, GoParam, InlinedStatus } from "../model/go-function.js";
import { isGenericName, isMethodName, packageName } from "../model/go-function.js";
import type { GoBinary } from "../model/go-binary.js";
import { isFloatKind, type GoType } from "../model/go-type.js";

/** A parameter or result as `funcs` shows it. */
export interface ParamRow {
  /** Null for results the source left unnamed (the compiler's "~r0"). */
  readonly name: string | null;
  readonly type: string;
}

/** One function as `goxray funcs` reports it. */
export interface FunctionRow {
  readonly name: string;
  /** Entry address as hex ("0x49e120"); null for a function that exists only inlined. */
  readonly entry: string | null;
  /** File offset of the entry: what a uprobe is placed at. */
  readonly fileOffset: number | null;
  readonly size: number | null;
  readonly file: string | null;
  readonly line: number | null;
  /** Null when the binary has no DWARF for it: parameters unknown. */
  readonly params: readonly ParamRow[] | null;
  /** Null when unknown: no DWARF, or a function inlined everywhere whose results were unnamed. */
  readonly results: readonly ParamRow[] | null;
  readonly inlined: InlinedStatus;
  /** Where copies of the body were inlined: caller and call position. */
  readonly inlinedAt: readonly { readonly caller: string; readonly file: string | null; readonly line: number | null }[];
  readonly isMethod: boolean;
  readonly isGeneric: boolean;
  /** A shape instantiation: a hidden dictionary argument comes first, before the receiver. */
  readonly hasDictionaryArg: boolean;
  readonly hasFloatArgs: boolean;
  readonly argsSize: number | null;
}

/** Which functions to list. */
export interface FunctionFilter {
  readonly pattern?: RegExp;
  readonly packageName?: string;
  /** Only package main and the main module's other packages. */
  readonly isMainOnly?: boolean;
}

/** The rows of `goxray funcs`, in address order (inlined-only functions last). */
export function listFunctions(binary: GoBinary, filter: FunctionFilter): FunctionRow[] {
  return [...functionRows(binary, filter)];
}

/**
 * `listFunctions` one row at a time: a writer that prints each row as it comes never holds a
 * whole binary's rows (tens of thousands of objects) at once.
 */
export function* functionRows(binary: GoBinary, filter: FunctionFilter): Generator<FunctionRow> {
  const modulePath = binary.buildInfo()?.main?.path;
  for (const f of binary.functions().functions) {
    if (filter.pattern !== undefined && !filter.pattern.test(f.name)) continue;
    if (filter.packageName !== undefined || filter.isMainOnly === true) {
      const pkg = packageName(f.name);
      if (filter.packageName !== undefined && pkg !== filter.packageName) continue;
      if (filter.isMainOnly === true && !isMainModulePackage(pkg, modulePath)) continue;
    }
    yield toRow(binary, f);
  }
}

/** True for package main and packages under the main module's path. */
export function isMainModulePackage(pkg: string, modulePath: string | undefined): boolean {
  if (pkg === "main") return true;
  if (modulePath === undefined || modulePath === "" || modulePath === "command-line-arguments") return false;
  return pkg === modulePath || pkg.startsWith(modulePath + "/");
}

function toRow(binary: GoBinary, f: GoFunction): FunctionRow {
  const param = (p: GoParam): ParamRow => ({ name: p.isUnnamed && p.isResult ? null : p.name, type: p.typeName });
  const holdsFloat = (p: GoParam): boolean => p.typeOffset !== undefined && containsFloat(binary.types().typeAt(p.typeOffset), 0);
  const hasFloatArgs = f.hasDwarf && (f.params.some(holdsFloat) || f.results.some(holdsFloat));
  return {
    name: f.name,
    entry: f.entry === undefined ? null : `0x${f.entry.toString(16)}`,
    fileOffset: f.entry === undefined ? null : binary.elf.fileOffsetOf(f.entry) ?? null,
    size: f.entry === undefined || f.end === undefined ? null : f.end - f.entry,
    file: f.file ?? null,
    line: f.line ?? null,
    params: f.hasDwarf ? f.params.map(param) : null,
    results: f.hasDwarf && f.hasKnownResults ? f.results.map(param) : null,
    inlined: f.inlined,
    inlinedAt: f.inlinedCopies.map((c) => ({ caller: c.caller, file: c.callFile ?? null, line: c.callLine ?? null })),
    isMethod: isMethodName(f.name),
    isGeneric: isGenericName(f.name),
    hasDictionaryArg: f.hasDictionaryArg,
    hasFloatArgs,
    argsSize: f.argsSize ?? null,
  };
}

/** Floats anywhere in a value passed by value (struct fields, array elements), not behind pointers. */
function containsFloat(t: GoType, depth: number): boolean {
  if (depth > 32) return false;
  if (isFloatKind(t.kind)) return true;
  if (t.kind === "struct") return t.fields.some((f) => containsFloat(f.type, depth + 1));
  if (t.kind === "array") return t.length > 0 && containsFloat(t.elem, depth + 1);
  return false;
}
