import type { Command } from "commander";
import type { CheckReport } from "../report/check-report.js";
import type { CliOutput } from "./output.js";

// README "Exit codes": 0 traceable, 1 an error-severity hazard, 7 not traceable.
const EXIT_HAZARD = 1;
const EXIT_NOT_TRACEABLE = 7;

/** `goxray check BIN FUNC...`: where every argument and result is, the RET sites, and the hazards. */
export function registerCheck(program: Command, out: CliOutput, setExitCode: (code: number) => void): void {
  program
    .command("check")
    .description("place each argument and result, find the RET sites, and list the hazards of tracing the functions")
    .argument("<binary>", "path to a Go ELF binary")
    .argument("<function...>", "full Go names, as goxray funcs prints them (e.g. 'main.(*Cart).Add')")
    .option("--json", "print a JSON array, one report per function")
    .action(async (path: string, names: string[], options: { json?: boolean }) => {
      // Loaded when the command runs (see main.ts).
      const [{ GoBinary }, { checkFunction, findFunction }, { renderChecksJson }, { renderCheckText }] = await Promise.all([
        import("../model/go-binary.js"),
        import("../report/check-report.js"),
        import("../report/json.js"),
        import("../report/text.js"),
      ]);
      const binary = GoBinary.open(path);
      try {
        binary.requireGo();
        const reports: CheckReport[] = [];
        for (const name of names) reports.push(await checkFunction(binary, findFunction(binary, name)));
        out.stdout(options.json === true ? renderChecksJson(reports) : reports.map(renderCheckText).join("\n"));
        if (reports.some((r) => !r.traceable)) setExitCode(EXIT_NOT_TRACEABLE);
        else if (reports.some((r) => r.hazards.some((h) => h.severity === "error"))) setExitCode(EXIT_HAZARD);
      } finally {
        binary.close();
      }
    });
}
