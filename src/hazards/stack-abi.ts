import type { Hazard, HazardInput } from "./hazard.js";

/** Stack ABI (Go before the register ABI): every value is read from memory at an SP offset. */
export function checkStackAbi(input: HazardInput): Hazard[] {
  if (input.abi !== "stack" || input.fn.entry === undefined) return [];
  return [{ code: "stack-abi", severity: "info", message: `${input.abiReason}; goxray reads each value at its SP offset` }];
}
