import type { BinaryAnalysis } from "./analysis.js";
import type { CheckReport } from "./check-report.js";
import type { FunctionRow } from "./function-list.js";
import type { HazardSummary } from "./hazard-summary.js";

/** The `--json` form of `goxray analyze`: the analysis object, two-space indented. */
export function renderAnalysisJson(a: BinaryAnalysis & { hazards?: HazardSummary }): string {
  return JSON.stringify(a, null, 2) + "\n";
}

/** The `--json` form of `goxray funcs`: an array of function rows. */
export function renderFunctionsJson(rows: readonly FunctionRow[]): string {
  return JSON.stringify(rows, null, 2) + "\n";
}

/** The `--json` form of `goxray check`: an array with one report per function asked for. */
export function renderChecksJson(reports: readonly CheckReport[]): string {
  return JSON.stringify(reports, null, 2) + "\n";
}
