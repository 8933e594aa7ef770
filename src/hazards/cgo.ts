import type { Hazard, HazardInput } from "./hazard.js";

/** A cgo binary: Go code called from C runs on the system stack, where goroutine ids are not at hand. */
export function checkCgo(input: HazardInput): Hazard[] {
  if (!input.isCgo) return [];
  return [{ code: "cgo", severity: "info", message: "the binary uses cgo: calls that come from C (callbacks) run on a system stack and show no goroutine id" }];
}
