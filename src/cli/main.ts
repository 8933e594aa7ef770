import { Command, CommanderError } from "commander";
import { GoxrayError, type ErrorKind } from "../errors.js";
import { GOXRAY_VERSION } from "./version.js";
import { registerAnalyze } from "./analyze.js";
import { registerCheck } from "./check.js";
import { registerFuncs } from "./funcs.js";
import { registerTrace } from "./trace.js";
import type { CliOutput } from "./output.js";

// Each command imports what it runs on inside its action: loading every module of goxray
// (about a hundred files) costs Node 50 ms more than loading one command's, on every run.

/** Exit codes, as documented in the README ("Exit codes"). */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 2,
  io: 3,
  "not-elf": 3,
  "not-go": 3,
  malformed: 4,
  unsupported: 5,
  "no-function": 6,
  "not-traceable": 7,
  bpftrace: 8,
  "cannot-trace": 9,
  internal: 70,
};

/**
 * Runs goxray with `argv` (without the node and script paths) and returns the exit code.
 * Every failure becomes one line on `out.stderr`; a stack trace only with --debug.
 */
export async function runCli(argv: readonly string[], out: CliOutput): Promise<number> {
  const program = new Command("goxray")
    .description("look inside Go binaries and trace their functions with eBPF")
    .version(GOXRAY_VERSION, "-V, --version")
    .option("--debug", "print a stack trace with internal errors")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) })
    .showHelpAfterError("(run goxray --help for usage)");
  let exitCode = 0;
  registerAnalyze(program, out);
  registerFuncs(program, out);
  registerCheck(program, out, (code) => {
    exitCode = code;
  });
  registerTrace(program, out, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_CODES.usage;
    if (err instanceof GoxrayError) {
      out.stderr(`goxray: ${oneLine(err.message)}\n`);
      return EXIT_CODES[err.kind];
    }
    const isDebug = argv.includes("--debug");
    const message = err instanceof Error ? err.message : String(err);
    out.stderr(`goxray: internal error: ${oneLine(message)}\n`);
    if (isDebug && err instanceof Error && err.stack !== undefined) out.stderr(err.stack + "\n");
    return EXIT_CODES.internal;
  }
}

/**
 * `message` with its control characters as `\xNN`: a message may quote names from the binary
 * (the functions near a name asked for), and every failure must stay one line on stderr.
 */
function oneLine(message: string): string {
  return message.replace(/[\0-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
