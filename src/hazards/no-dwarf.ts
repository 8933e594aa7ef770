import type { Hazard, HazardInput } from "./hazard.js";

/** No DWARF for the function: the entry can be probed, but no argument can be named or decoded. */
export function checkNoDwarf(input: HazardInput): Hazard[] {
  if (input.fn.hasDwarf) return [];
  const size = input.fn.argsSize === undefined ? "" : ` (pclntab: ${input.fn.argsSize} bytes of arguments)`;
  return [{ code: "no-dwarf", severity: "error", message: `no DWARF for this function${size}: parameter names and types are unknown; rebuild without -ldflags=-w (or -s) to decode them` }];
}
