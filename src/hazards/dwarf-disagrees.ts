import type { Hazard, HazardInput } from "./hazard.js";

/** Where goxray's ABI placement and the compiler's DWARF differ at entry: said loudly, trusted silently by neither. */
export function checkDwarfDisagrees(input: HazardInput): Hazard[] {
  const hazards: Hazard[] = [];
  for (const { name, comparison } of input.dwarfComparisons) {
    if (comparison.kind !== "disagrees") continue;
    const why = comparison.explanation === undefined ? "goxray follows the ABI; check the value before relying on it" : comparison.explanation;
    hazards.push({ code: "dwarf-disagrees", severity: "warning", message: `${name}: the compiler's DWARF disagrees with the ABI placement (${comparison.detail}): ${why}` });
  }
  return hazards;
}
