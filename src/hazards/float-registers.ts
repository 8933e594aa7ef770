import type { Hazard, HazardInput } from "./hazard.js";

/** Floats and complex numbers in floating-point registers, which a uprobe cannot read (not in pt_regs). */
export function checkFloatRegisters(input: HazardInput): Hazard[] {
  const hazards: Hazard[] = [];
  for (const v of input.placement?.values ?? []) {
    const floats = v.pieces.filter((p) => p.location.kind === "register" && p.location.register.isFloat);
    if (floats.length === 0) continue;
    const where = floats.map((p) => (p.location.kind === "register" ? p.location.register.name : "")).join(", ");
    hazards.push({ code: "float-register", severity: "warning", message: `${v.role === "result" ? "result" : "argument"} ${v.name} (${v.type.name}) is in ${where}: eBPF cannot read floating-point registers, so goxray shows it as unreadable` });
  }
  return hazards;
}
