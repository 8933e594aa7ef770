import type { Hazard, HazardInput } from "./hazard.js";

const listCallers = (input: HazardInput): string => {
  const sites = input.fn.inlinedCopies.map((c) => `${c.caller}${c.callLine === undefined ? "" : ` (${c.callFile?.split("/").pop() ?? "?"}:${c.callLine})`}`);
  const shown = sites.slice(0, 5).join(", ");
  return sites.length > 5 ? `${shown} and ${sites.length - 5} more` : shown;
};

/** A function the compiler inlined: calls at those sites never reach a probe on its body. */
export function checkInlined(input: HazardInput): Hazard[] {
  const copies = input.fn.inlinedCopies.length;
  if (input.fn.inlined === "always") {
    return [{ code: "inlined-always", severity: "error", message: `inlined at every call site (${copies}: ${listCallers(input)}): there is no body to probe; trace the callers, or rebuild with -gcflags=all=-l` }];
  }
  if (input.fn.inlined === "partly") {
    return [{ code: "inlined-partly", severity: "warning", message: `inlined at ${copies} call site${copies === 1 ? "" : "s"} (${listCallers(input)}): calls there are not seen; rebuild with -gcflags=all=-l to see them all` }];
  }
  return [];
}
