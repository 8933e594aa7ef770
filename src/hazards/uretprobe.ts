import type { Hazard, HazardInput } from "./hazard.js";

/** Always said: why goxray reads results at RET instructions and never with a uretprobe. */
export function checkUretprobe(input: HazardInput): Hazard[] {
  if (input.fn.entry === undefined) return [];
  return [{ code: "uretprobe-unsafe", severity: "info", message: "a uretprobe rewrites the return address on the goroutine stack, which Go moves: it crashes Go programs; goxray reads results with uprobes on each RET instead" }];
}
