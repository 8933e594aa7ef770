import * as C from "../dwarf/constants.js";
import type { GoBinary } from "./go-binary.js";

/**
 * The link-time addresses of the binary's type descriptors (runtime._type), by Go type name,
 * from DW_AT_go_runtime_type on the DWARF type entries. The attribute is an offset from the start
 * of the type descriptors, the symbol `runtime.types` (moduledata.types): `type:*` starts at the
 * same address up to Go 1.26, 8 bytes later in Go 1.27 (observed: the itab of
 * *errors.errorString points at runtime.types + the attribute in 1.15, 1.22 and 1.27). An interface value's type word (`any`),
 * or the type its itab points at (other interfaces), is one of these addresses, so a script can
 * name a dynamic type without reading more than a word. Go 1.27 writes no `go:itab.*` symbols and
 * most descriptors have no symbol at all, so DWARF is where the names are.
 * Only unit-level type entries are read (children skipped); `limit` bounds the answer.
 */
export function runtimeTypeNames(binary: GoBinary, limit: number): Map<number, string> {
  const found = new Map<number, string>();
  const dwarf = binary.dwarf();
  const base = binary.elf.symbols()?.findByName("runtime.types")?.value;
  if (!dwarf.isPresent || base === undefined) return found;
  const types = binary.types();
  for (const header of dwarf.headers()) {
    const unit = dwarf.unit(header);
    const cursor = dwarf.entries(unit);
    if (!cursor.next()) continue;
    while (cursor.next()) {
      if (cursor.depth === 1 && cursor.has(C.DW_AT_go_runtime_type)) {
        const offset = dwarf.address(cursor.attr(C.DW_AT_go_runtime_type), unit);
        const address = offset === undefined ? undefined : base + offset;
        if (address !== undefined && offset !== 0 && !found.has(address)) {
          found.set(address, types.nameOf(cursor.offset));
          if (found.size >= limit) return found;
        }
      }
      cursor.skipChildren();
    }
  }
  return found;
}
