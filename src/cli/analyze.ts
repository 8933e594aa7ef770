import type { Command } from "commander";
import { GoxrayError } from "../errors.js";
import { GoBinary } from "../model/go-binary.js";
import { analyzeBinary } from "../report/analysis.js";
import { renderAnalysisJson } from "../report/json.js";
import { renderAnalysisText } from "../report/text.js";
import type { CliOutput } from "./output.js";

/** `goxray analyze BIN [--json]`: what the binary is, which ABI it uses, and what to watch for. */
export function registerAnalyze(program: Command, out: CliOutput): void {
  program
    .command("analyze")
    .description("report a binary's Go version, architecture, ABI, DWARF, symbols, build settings and tracing notes")
    .argument("<binary>", "path to an ELF binary")
    .option("--json", "print the report as JSON")
    .action((path: string, options: { json?: boolean }) => {
      const binary = GoBinary.open(path);
      try {
        const analysis = analyzeBinary(binary);
        out.stdout(options.json === true ? renderAnalysisJson(analysis) : renderAnalysisText(analysis));
        if (!analysis.isGo) throw new GoxrayError("not-go", { file: path }, "not a Go binary: no Go build info (.go.buildinfo) and no pclntab");
      } finally {
        binary.close();
      }
    });
}
