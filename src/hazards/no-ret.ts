import type { Hazard, HazardInput } from "./hazard.js";

/** A body with no RET (it never returns, or leaves by tail calls): its results are never read. */
export function checkNoRet(input: HazardInput): Hazard[] {
  const body = input.body;
  if (body === undefined || body.retOffsets.length > 0) return [];
  if (body.tailCallOffsets.length > 0) {
    return [{ code: "tail-call", severity: "warning", message: `no RET: the function leaves by a tail call (at +${body.tailCallOffsets.map((o) => o.toString(16)).join(", +")}), so its results are never read here` }];
  }
  return [{ code: "no-return", severity: "warning", message: "no RET: the function never returns (it panics or exits), so only its entry is traced" }];
}
