import type { Command } from "commander";
import { GoBinary } from "../model/go-binary.js";
import { analyzeBinary } from "../report/analysis.js";
import { renderAnalysisJson } from "../report/json.js";
import { summarizeHazards } from "../report/hazard-summary.js";
import { renderAnalysisText, renderHazardSummaryText } from "../report/text.js";
import type { CliOutput } from "./output.js";

/** `goxray analyze BIN [--json]`: what the binary is, which ABI it uses, and what to watch for. */
export function registerAnalyze(program: Command, out: CliOutput): void {
  program
    .command("analyze")
    .description("report a binary's Go version, architecture, ABI, DWARF, symbols, build settings and tracing notes")
    .argument("<binary>", "path to an ELF binary")
    .option("--json", "print the report as JSON")
    .option("--hazards", "also count the hazards of every main-module function (reads all of the DWARF)")
    .action((path: string, options: { json?: boolean; hazards?: boolean }) => {
      const binary = GoBinary.open(path);
      try {
        const analysis = analyzeBinary(binary);
        const hazards = options.hazards === true && analysis.isGo ? summarizeHazards(binary) : undefined;
        if (options.json === true) out.stdout(renderAnalysisJson(hazards === undefined ? analysis : { ...analysis, hazards }));
        else out.stdout(renderAnalysisText(analysis) + (hazards === undefined ? "" : renderHazardSummaryText(hazards)));
        binary.requireGo();
      } finally {
        binary.close();
      }
    });
}
