import type { Command } from "commander";
import type { CliOutput } from "./output.js";

/** `goxray analyze BIN [--json]`: what the binary is, which ABI it uses, and what to watch for. */
export function registerAnalyze(program: Command, out: CliOutput): void {
  program
    .command("analyze")
    .description("report a binary's Go version, architecture, ABI, DWARF, symbols, build settings and tracing notes")
    .argument("<binary>", "path to an ELF binary")
    .option("--json", "print the report as JSON")
    .option("--hazards", "also count the hazards of every main-module function (reads all of the DWARF)")
    .action(async (path: string, options: { json?: boolean; hazards?: boolean }) => {
      // Loaded when the command runs (see main.ts); the hazard rules only with --hazards.
      const [{ GoBinary }, { analyzeBinary }, { renderAnalysisJson }, { renderAnalysisText, renderHazardSummaryText }] = await Promise.all([
        import("../model/go-binary.js"),
        import("../report/analysis.js"),
        import("../report/json.js"),
        import("../report/text.js"),
      ]);
      const summarizeHazards = options.hazards === true ? (await import("../report/hazard-summary.js")).summarizeHazards : undefined;
      const binary = GoBinary.open(path);
      try {
        const analysis = analyzeBinary(binary);
        const hazards = summarizeHazards !== undefined && analysis.isGo ? summarizeHazards(binary) : undefined;
        if (options.json === true) out.stdout(renderAnalysisJson(hazards === undefined ? analysis : { ...analysis, hazards }));
        else out.stdout(renderAnalysisText(analysis) + (hazards === undefined ? "" : renderHazardSummaryText(hazards)));
        binary.requireGo();
      } finally {
        binary.close();
      }
    });
}
