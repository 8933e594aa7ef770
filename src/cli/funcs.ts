import type { Command } from "commander";
import { GoxrayError } from "../errors.js";
import type { CliOutput } from "./output.js";

/** `goxray funcs BIN [REGEX]`: every function's Go signature, position and inlining. */
export function registerFuncs(program: Command, out: CliOutput): void {
  program
    .command("funcs")
    .description("list functions with their Go signatures, file:line and inlining")
    .argument("<binary>", "path to a Go ELF binary")
    .argument("[regex]", "only functions whose full name matches this regular expression")
    .option("--package <path>", "only functions of this package (e.g. main, net/http)")
    .option("--main-only", "only functions of package main and the main module")
    .option("--json", "print a JSON array")
    .action(async (path: string, regex: string | undefined, options: { package?: string; mainOnly?: boolean; json?: boolean }) => {
      let pattern: RegExp | undefined;
      if (regex !== undefined) {
        try {
          pattern = new RegExp(regex);
        } catch (err) {
          throw new GoxrayError("usage", { file: "" }, `bad regular expression ${JSON.stringify(regex)}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      // Loaded when the command runs (see main.ts).
      const [{ GoBinary }, { functionRows }, { functionsJsonChunks }, { renderFunctionsText }] = await Promise.all([
        import("../model/go-binary.js"),
        import("../report/function-list.js"),
        import("../report/json.js"),
        import("../report/text.js"),
      ]);
      const binary = GoBinary.open(path);
      try {
        binary.requireGo();
        const rows = functionRows(binary, { ...(pattern === undefined ? {} : { pattern }), ...(options.package === undefined ? {} : { packageName: options.package }), isMainOnly: options.mainOnly === true });
        if (options.json === true) for (const chunk of functionsJsonChunks(rows)) out.stdout(chunk);
        else out.stdout(renderFunctionsText([...rows]));
        for (const s of binary.functions().skippedUnits) out.stderr(`goxray: warning: skipped unit at .debug_info+0x${s.offset.toString(16)}: ${s.message}\n`);
      } finally {
        binary.close();
      }
    });
}
