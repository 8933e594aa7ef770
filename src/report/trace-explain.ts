import type { PlacedValue } from "../abi/placement.js";
import { readPiece } from "../bpftrace/read-expr.js";
import type { TracedFunction } from "../bpftrace/script.js";
import { formatBpftraceVersion } from "../bpftrace/version.js";
import type { TraceScript } from "./trace-script.js";

/**
 * `goxray trace --explain`: what each probe of the script reads and why, for people. One block
 * per function: where its probes sit, then each value's pieces with their place and the bpftrace
 * expression that reads them.
 */
export function renderTraceExplain(trace: TraceScript): string {
  const caps = trace.capabilities;
  const lines: string[] = [`For bpftrace ${formatBpftraceVersion(caps.version)}${caps.hasOffsetProbes ? "" : ", which cannot attach inside a function"}:`];
  for (const fn of trace.functions) {
    lines.push("", fn.signature);
    const hex = (n: number): string => `0x${n.toString(16)}`;
    const values = fn.placement?.values ?? [];
    if (!fn.hasBody) {
      lines.push("  no body: the compiler inlined it at every call site");
    } else if (caps.hasOffsetProbes && fn.entryProbeOffset > 0) {
      lines.push(`  entry probe at ${hex(fn.entry + fn.entryProbeOffset)} (+${hex(fn.entryProbeOffset)}): the first instruction after the stack check, so a call whose stack grows is seen once`);
    } else if (caps.hasOffsetProbes) {
      lines.push(`  entry probe at ${hex(fn.entry)}: the function has no stack check, its entry runs once per call`);
    } else {
      lines.push(`  entry probe at ${hex(fn.entry)}: a hit that follows runtime.morestack on the same goroutine is the prologue running again after the stack grew, and is skipped`);
    }
    if (fn.hasBody) explainValues(lines, values.filter((v) => v.role !== "result"), fn);
    for (const copy of fn.inlinedProbes) {
      if (!caps.hasOffsetProbes) {
        lines.push(`  inlined in ${copy.caller} (${copy.site}): not probed, this bpftrace cannot attach inside a function`);
        continue;
      }
      lines.push(`  inlined in ${copy.caller} (${copy.site}): probe at ${hex(copy.address)}, its first instruction; arguments where the copy's DWARF puts them there; no return to probe`);
      for (const v of copy.values) {
        const where = typeof v.located === "string" ? `not available: ${v.located}` : v.located.map((p) => `${p.offset}+${p.size} ${p.place.kind === "register" ? p.place.name : p.place.kind === "stack" ? `sp+${p.place.offset}` : `not available (${p.place.why})`}`).join(", ");
        lines.push(`    ${v.name} ${v.type.name}: ${where}`);
      }
    }
    if (!fn.hasBody) {
      // Nothing else to say: no entry, no RET.
    } else if (!caps.hasOffsetProbes) {
      lines.push("  results: not available from this bpftrace (no probe can sit on a RET); goxray trace --run reads them");
    } else if (fn.retOffsets.length === 0) {
      lines.push("  results: the function has no RET instruction (it never returns, or ends in a tail call)");
    } else {
      lines.push(`  RET probes at ${fn.retOffsets.map((o) => `${hex(fn.entry + o)} (+${hex(o)})`).join(", ")}: results where the ABI puts them at return; never a uretprobe`);
      explainValues(lines, values.filter((v) => v.role === "result"), fn);
    }
    for (const h of fn.hazards) if (h.severity !== "info") lines.push(`  ${h.severity} ${h.code}: ${h.message}`);
  }
  return lines.join("\n") + "\n";
}

function explainValues(lines: string[], values: readonly PlacedValue[], fn: TracedFunction): void {
  if (fn.placement === undefined) {
    lines.push("    (no DWARF: the values are unknown)");
    return;
  }
  for (const v of values) {
    const label = `    ${v.role === "dictionary" ? "(dictionary)" : v.name} ${v.type.name}`;
    if (v.home.kind === "unknown") {
      lines.push(`${label}: not placed (${v.home.why})`);
      continue;
    }
    if (v.pieces.length === 0) {
      lines.push(`${label}: zero-sized, nothing to read`);
      continue;
    }
    const stack = v.home.kind === "stack" ? ` (on the stack: ${v.home.reason})` : "";
    const piece = (p: PlacedValue["pieces"][number]): string => {
      const where = p.location.kind === "register" ? p.location.register.name : `sp+${p.location.offset}`;
      return `${p.size} bytes ${p.encoding} in ${where}: ${readPiece(p) ?? "not readable by a uprobe (vector register)"}`;
    };
    const [only] = v.pieces;
    if (v.pieces.length === 1 && only !== undefined && only.path === v.name) {
      lines.push(`${label}${stack}, ${piece(only)}`);
      continue;
    }
    lines.push(`${label}${stack}:`);
    for (const p of v.pieces) lines.push(`      ${p.path}, ${piece(p)}`);
  }
}
