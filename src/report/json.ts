import type { BinaryAnalysis } from "./analysis.js";

/** The `--json` form of `goxray analyze`: the analysis object, two-space indented. */
export function renderAnalysisJson(a: BinaryAnalysis): string {
  return JSON.stringify(a, null, 2) + "\n";
}
