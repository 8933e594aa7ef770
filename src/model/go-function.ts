import type { FormValue } from "../dwarf/forms.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";

/** A parameter or result as the compiler declared it. */
export interface GoParam {
  /** The declared name; unnamed results are "~r0", "~r1" (Go 1.15: numbered after the params, "~r2"). */
  readonly name: string;
  /** True for names the compiler made up for unnamed results or parameters ("~r0", "~p0"). */
  readonly isUnnamed: boolean;
  readonly isResult: boolean;
  /** The type entry, resolved to a GoType on demand (TypeBuilder). */
  readonly typeOffset: DebugInfoOffset | undefined;
  /** The type in Go syntax, as the compiler named it. */
  readonly typeName: string;
  /** DW_AT_location as written: an expression block, or a location list to read on demand. */
  readonly location: FormValue | undefined;
}

/** One place where the compiler copied a function's body into a caller. */
export interface InlinedCopy {
  /** The function whose code holds the copy. */
  readonly caller: string;
  /** The DW_TAG_inlined_subroutine entry of the copy (FunctionIndex.copyRanges reads its PC ranges); undefined when known from pclntab only. */
  readonly dwarfOffset: DebugInfoOffset | undefined;
  /** The first PC of the copy's code, when known from pclntab's inline tree. */
  readonly firstPc: number | undefined;
  readonly callFile: string | undefined;
  readonly callLine: number | undefined;
}

/** How much of a function's calls an entry probe on its out-of-line body can see. */
export type InlinedStatus = "no" | "partly" | "always";

/** A Go function: where its code is, and its signature from DWARF (or only pclntab facts without DWARF). */
export interface GoFunction {
  /** The full Go name, as the symbol table spells it: "main.(*Cart).Add", "main.Map[go.shape.int]". */
  readonly name: string;
  /** Entry PC of the out-of-line body; undefined when the function exists only inlined. */
  readonly entry: number | undefined;
  /** End PC (exclusive) of the out-of-line body. */
  readonly end: number | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** Receiver (for methods) and parameters, in declaration order. */
  readonly params: readonly GoParam[];
  readonly results: readonly GoParam[];
  /**
   * False when the compiler did not record the results: a function inlined everywhere has only an
   * abstract DWARF entry, which lists named results but no unnamed ones (seen in Go 1.15–1.27).
   */
  readonly hasKnownResults: boolean;
  /**
   * True for a shape instantiation of a generic function ("pkg.F[go.shape.int]"): its dictionary
   * is a hidden first argument. Go 1.27 lists it in DWARF as ".dict"; earlier releases do not, and
   * `params` never holds it.
   */
  readonly hasDictionaryArg: boolean;
  /** False when the binary has no DWARF for the function: parameter names and types are unknown. */
  readonly hasDwarf: boolean;
  /** Bytes of arguments and results on the stack frame, from pclntab (the ABI0 size). */
  readonly argsSize: number | undefined;
  readonly inlined: InlinedStatus;
  readonly inlinedCopies: readonly InlinedCopy[];
  /** The subprogram entry this came from, for reading locations later. */
  readonly dwarfOffset: DebugInfoOffset | undefined;
}

/**
 * True for a method: "pkg.(*T).M" or "pkg.T.M". Closures and wrappers made inside a method
 * ("pkg.(*T).M.func1", "pkg.T.M-fm", "pkg.(*T).M.deferwrap1") are functions, not methods.
 */
export function isMethodName(name: string): boolean {
  const local = localName(name);
  if (/-fm$/.test(local)) return false;
  const parts = splitOutsideBrackets(local);
  if (parts.length !== 2) return false;
  const [receiver = "", method = ""] = parts;
  if (/^(func|gowrap|deferwrap)\d+$/.test(method) || /^\d+$/.test(method) || !/^[A-Za-z_]/.test(method)) return false;
  return receiver.startsWith("(*") || (/^[A-Za-z_]/.test(receiver) && receiver !== "init");
}

/**
 * True when the function is a body compiled for a GC shape, which takes a hidden dictionary
 * argument: "go.shape." inside its brackets. Closures of such a body ("….func1", "….deferwrap1")
 * read the dictionary from their closure, and the compiler's type equality functions
 * ("type:.eq.T[go.shape.int]") take none; pclntab's args sizes confirm both (test/abi-compiler.test.ts).
 */
export function hasDictionaryArgument(name: string): boolean {
  if (name.startsWith("type:") || name.startsWith("type..")) return false;
  const close = name.lastIndexOf("]");
  if (close < 0 || !name.slice(0, close).includes("go.shape.")) return false;
  return !/\.(func|deferwrap|gowrap)\d+(\.\d+)*$/.test(name.slice(close + 1));
}

/** True for an instantiation of a generic function or a method of a generic type: "pkg.F[…]". */
export function isGenericName(name: string): boolean {
  return localName(name).includes("[");
}

/** The part of a symbol after its package path: "main.(*T).M" → "(*T).M"; "a/b.c.F" → "F". */
export function localName(name: string): string {
  const bracket = name.indexOf("[");
  const head = bracket < 0 ? name : name.slice(0, bracket);
  const slash = head.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  return dot < 0 ? name : name.slice(dot + 1);
}

/** The package path of a symbol: "main.(*T).M" → "main"; "example.com/a/b.F" → "example.com/a/b". */
export function packageName(name: string): string {
  const bracket = name.indexOf("[");
  const head = bracket < 0 ? name : name.slice(0, bracket);
  const slash = head.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  return dot < 0 ? "" : name.slice(0, dot);
}

function splitOutsideBrackets(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth--;
    else if (ch === "." && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
