import type { GoBinary } from "./go-binary.js";
import type { GoFunction } from "./go-function.js";

/**
 * Where runtime.g keeps the goroutine id, read from the binary's own DWARF: the struct has grown
 * across releases (424 bytes in Go 1.22, 456 in 1.26; goid at 152 in both), so no table of
 * offsets is kept. The type is reached through a runtime function's `*runtime.g` parameter
 * (casgstatus, goready, … every release has several), which spares a walk over every type entry.
 * Undefined without DWARF or when no such parameter is found.
 */
// Runtime functions with a *runtime.g parameter in Go 1.15–1.27 (runtime/proc.go).
const RUNTIME_G_TAKERS = ["runtime.casgstatus", "runtime.goready", "runtime.ready"];

export function goidOffset(binary: GoBinary): number | undefined {
  if (!binary.dwarf().isPresent) return undefined;
  const types = binary.types();
  const offsetIn = (fn: GoFunction): number | undefined => {
    if (!fn.name.startsWith("runtime.")) return undefined;
    for (const param of fn.params) {
      if (param.typeName !== "*runtime.g" || param.typeOffset === undefined) continue;
      const pointer = types.typeAt(param.typeOffset);
      if (pointer.kind !== "pointer" || pointer.elem.kind !== "struct") continue;
      const field = pointer.elem.fields.find((f) => f.name === "goid");
      if (field !== undefined && field.type.size === 8) return field.offset;
    }
    return undefined;
  };
  // By name first, so that a one-function command need not index the whole binary.
  for (const name of RUNTIME_G_TAKERS) {
    const fn = binary.findFunction(name);
    const offset = fn === undefined ? undefined : offsetIn(fn);
    if (offset !== undefined) return offset;
  }
  for (const fn of binary.functions().functions) {
    const offset = offsetIn(fn);
    if (offset !== undefined) return offset;
  }
  return undefined;
}
