/**
 * Names for the words of interface values. An `any` holds a pointer to its dynamic type's
 * descriptor; any other interface holds an itab whose second word (abi.ITab.Type, at offset 8 in
 * Go 1.15–1.27) points at it. The script maps descriptor addresses to names in a BEGIN block, so
 * a probe names a dynamic type with one memory read and one map lookup.
 */
export interface TypeNameTable {
  /** Whether a traced value holds an interface, so the script needs the map (with at least nil in it). */
  readonly isNeeded: boolean;
  /** Link-time address of a type descriptor → Go type name. */
  readonly names: ReadonlyMap<number, string>;
  /** Descriptor addresses whose value's data word points at a Go string header (see MESSAGE_TYPES). */
  readonly messageTypes: readonly number[];
}

/**
 * At most this many names go into a script's BEGIN block: each is a map update that bpftrace
 * compiles, and 512 of them took bpftrace 0.23 about 13 s to load here (128: see docs/trace.md).
 */
const MAX_NAMES = 128;

/**
 * Dynamic types whose value is (or starts with) a Go string, shown as the interface's text:
 * errors.New's `*errors.errorString{s string}`, fmt.Errorf's `*fmt.wrapError{msg string, …}` and
 * `*fmt.wrapErrors{msg string, …}` (Go 1.13–1.27 sources), and a plain string in an `any`.
 */
const MESSAGE_TYPES = new Set(["*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors", "string"]);

/** Built-in types an interface commonly holds. */
const BUILTIN = new Set(["string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "bool", "float32", "float64", "[]uint8", "error"]);

/**
 * The names a script needs when `isNeeded`: from every descriptor of the binary (`descriptors`:
 * address → name), first the message types and built-ins, then the packages named in `packages`
 * (the main module's), then other error types, then the rest, up to MAX_NAMES.
 */
export function chooseTypeNames(descriptors: ReadonlyMap<number, string>, isNeeded: boolean, packages: readonly string[]): TypeNameTable {
  const names = new Map<number, string>();
  if (!isNeeded) return { isNeeded, names, messageTypes: [] };
  const bare = (name: string): string => name.replace(/^[*\[\]]+/, "");
  const rank = (name: string): number => {
    if (MESSAGE_TYPES.has(name) || BUILTIN.has(name)) return 0;
    if (packages.some((p) => bare(name).startsWith(`${p}.`))) return 1;
    // Error types of other packages (*fs.PathError, syscall.Errno): what an error most often holds.
    if (/(Error|Errno|error)$/.test(name)) return 2;
    return 3;
  };
  const ordered = [...descriptors].sort((a, b) => rank(a[1]) - rank(b[1]) || a[0] - b[0]);
  for (const [address, name] of ordered.slice(0, MAX_NAMES)) names.set(address, name);
  const messageTypes = [...names].filter(([, name]) => MESSAGE_TYPES.has(name)).map(([address]) => address);
  return { isNeeded, names, messageTypes };
}
