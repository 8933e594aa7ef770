import { checkHazards } from "../hazards/check.js";
import type { Severity } from "../hazards/hazard.js";
import type { GoBinary } from "../model/go-binary.js";
import { packageName } from "../model/go-function.js";
import { isMainModulePackage } from "./function-list.js";
import { functionPlacer } from "./function-placement.js";

/** How many main-module functions have one hazard, with a few of their names. */
export interface HazardCount {
  readonly code: string;
  readonly severity: Severity;
  readonly functions: number;
  readonly examples: readonly string[];
}

/** The hazards of every main-module function, counted by code (most severe first). */
export interface HazardSummary {
  readonly functions: number;
  readonly counts: readonly HazardCount[];
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Runs the hazard rules over every function of package main and the main module, from DWARF and
 * placement alone (no code decoding, so RET-site hazards are left to `check`).
 */
export function summarizeHazards(binary: GoBinary): HazardSummary {
  const info = binary.buildInfo();
  const modulePath = info?.main?.path;
  const goArch = binary.elf.goArch ?? "unknown";
  const abi = binary.abi();
  const place = goArch === "amd64" || goArch === "arm64" ? functionPlacer(binary) : undefined;
  const isCgo = binary.cgo()?.isUsed === true;
  const counts = new Map<string, { severity: Severity; functions: string[] }>();
  let functions = 0;
  for (const fn of binary.functions().functions) {
    if (!isMainModulePackage(packageName(fn.name), modulePath)) continue;
    functions++;
    const placement = place === undefined || !fn.hasDwarf ? undefined : place(fn);
    const hazards = checkHazards({ fn, placement, abi: abi.abi, abiReason: abi.reason, body: undefined, isCgo, dwarfComparisons: [] });
    for (const h of new Map(hazards.map((x) => [x.code, x])).values()) {
      const entry = counts.get(h.code) ?? { severity: h.severity, functions: [] };
      entry.functions.push(fn.name);
      counts.set(h.code, entry);
    }
  }
  const sorted = [...counts.entries()]
    .map(([code, c]) => ({ code, severity: c.severity, functions: c.functions.length, examples: c.functions.slice(0, 3) }))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.functions - a.functions);
  return { functions, counts: sorted };
}
