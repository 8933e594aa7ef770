import type { Hazard, HazardInput } from "./hazard.js";

/** A value goxray could not place (a type it cannot read): it is not decoded, rather than decoded wrong. */
export function checkUnknownPlacement(input: HazardInput): Hazard[] {
  const unknown = (input.placement?.values ?? []).filter((v) => v.home.kind === "unknown");
  return unknown.map((v) => ({ code: "unknown-placement", severity: "error" as const, message: `${v.name}: ${v.home.kind === "unknown" ? v.home.why : ""}; goxray does not read it` }));
}
