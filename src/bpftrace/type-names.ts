/**
 * Names for the words of interface values. An interface value's first word points at an itab
 * (non-empty interfaces: `go:itab.*errors.errorString,error`, spelled `go.itab.…` before Go 1.20)
 * or at a type descriptor (`any`: `type:string`, `type.string` before 1.20); the linker names
 * both in .symtab, so the script can map the word to the dynamic type's name without reading
 * more memory. Itabs made at run time (rare: a conversion the compiler could not see) and
 * stripped binaries have no symbol: the script then prints the address alone.
 */
export interface TypeNameTable {
  /** Whether a traced value holds an interface, so the script needs the map (with at least nil in it). */
  readonly isNeeded: boolean;
  /** Link-time address → Go type name, for the interfaces in the traced signatures. */
  readonly names: ReadonlyMap<number, string>;
  /** Link-time addresses whose value's data word points at a Go string header (see messageTypes). */
  readonly messageTypes: readonly number[];
}

/** At most this many names go into a script's BEGIN block (each is a map update in BPF). */
const MAX_NAMES = 256;

/**
 * Dynamic types whose value is (or starts with) a Go string, shown as the interface's text:
 * errors.New's `*errors.errorString{s string}`, fmt.Errorf's `*fmt.wrapError{msg string, …}` and
 * `*fmt.wrapErrors{msg string, …}` (Go 1.13–1.27 runtime sources), and a plain string in an `any`.
 */
const MESSAGE_TYPES = new Set(["*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors", "string"]);

/** Built-in types an `any` commonly holds, named whatever the main package is. */
const BUILTIN = new Set(["string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "bool", "float32", "float64", "error"]);

/**
 * The names the script needs for interfaces named `interfaceNames` (Go syntax: "error",
 * "interface {}", "io.Reader"): every static itab of those interfaces, and for empty interfaces
 * the type descriptors of built-in types and of packages named in `packages` (the main module's),
 * from the binary's symbol table.
 */
export function collectTypeNames(symbols: Iterable<{ readonly name: string; readonly value: number }>, interfaceNames: ReadonlySet<string>, packages: readonly string[]): TypeNameTable {
  const names = new Map<number, string>();
  const messageTypes: number[] = [];
  const isNeeded = interfaceNames.size > 0;
  if (!isNeeded) return { isNeeded, names, messageTypes };
  const wantsEmpty = [...interfaceNames].some((n) => n === "interface {}" || n === "any");
  const add = (address: number, name: string): void => {
    if (names.size >= MAX_NAMES || names.has(address) || address === 0) return;
    names.set(address, name);
    if (MESSAGE_TYPES.has(name)) messageTypes.push(address);
  };
  for (const symbol of symbols) {
    const name = symbol.name;
    const itab = stripPrefix(name, "go:itab.") ?? stripPrefix(name, "go.itab.");
    if (itab !== undefined) {
      const split = splitItabName(itab);
      if (split !== undefined && interfaceNames.has(split.interfaceName)) add(symbol.value, split.typeName);
      continue;
    }
    if (!wantsEmpty) continue;
    const typeName = stripPrefix(name, "type:") ?? (name.startsWith("type..") ? undefined : stripPrefix(name, "type."));
    if (typeName === undefined) continue;
    if (BUILTIN.has(typeName) || packages.some((p) => typeName.startsWith(`${p}.`) || typeName.startsWith(`*${p}.`))) add(symbol.value, typeName);
  }
  return { isNeeded, names, messageTypes };
}

function stripPrefix(name: string, prefix: string): string | undefined {
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

/** "*main.E,error" → type "*main.E", interface "error"; the comma that splits them is the last one outside brackets (generic types have commas inside). */
function splitItabName(text: string): { typeName: string; interfaceName: string } | undefined {
  let depth = 0;
  let split = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "[" || ch === "(" || ch === "{") depth++;
    else if (ch === "]" || ch === ")" || ch === "}") depth--;
    else if (ch === "," && depth === 0) split = i;
  }
  if (split <= 0 || split === text.length - 1) return undefined;
  return { typeName: text.slice(0, split), interfaceName: text.slice(split + 1) };
}
