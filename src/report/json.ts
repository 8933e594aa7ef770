import type { BinaryAnalysis } from "./analysis.js";
import type { CheckReport } from "./check-report.js";
import type { FunctionRow } from "./function-list.js";
import type { HazardSummary } from "./hazard-summary.js";

/** The `--json` form of `goxray analyze`: the analysis object, two-space indented. */
export function renderAnalysisJson(a: BinaryAnalysis & { hazards?: HazardSummary }): string {
  return JSON.stringify(a, null, 2) + "\n";
}

/** The `--json` form of `goxray funcs`: an array of function rows, one per line. */
export function renderFunctionsJson(rows: Iterable<FunctionRow>): string {
  return [...functionsJsonChunks(rows)].join("");
}

// About this many characters per chunk: big enough that writes are few, small enough that a
// binary's whole listing (tens of MB) is never one string.
const CHUNK_CHARS = 1 << 20;

/**
 * `renderFunctionsJson` in pieces of about a megabyte, for writing as they are made: one row per
 * line keeps the array greppable and line-oriented tools usable on a 20 MB listing.
 */
export function* functionsJsonChunks(rows: Iterable<FunctionRow>): Generator<string> {
  let chunk = "[";
  let isFirst = true;
  for (const row of rows) {
    chunk += (isFirst ? "\n" : ",\n") + JSON.stringify(row);
    isFirst = false;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk + (isFirst ? "]\n" : "\n]\n");
}

/** The `--json` form of `goxray check`: an array with one report per function asked for. */
export function renderChecksJson(reports: readonly CheckReport[]): string {
  return JSON.stringify(reports, null, 2) + "\n";
}
