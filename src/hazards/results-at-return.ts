import type { Hazard, HazardInput } from "./hazard.js";

/** Results exist only when the function returns, and the compiler's DWARF gives them no location. */
export function checkResultsAtReturn(input: HazardInput): Hazard[] {
  if (input.fn.results.length === 0 || input.fn.entry === undefined) return [];
  return [{ code: "results-at-return", severity: "info", message: "results are not readable at entry (DWARF has no location for them): goxray reads them at each RET, where the ABI puts them" }];
}
