#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { GoxrayError, type ErrorKind } from "../errors.js";
import { registerAnalyze } from "./analyze.js";
import { registerFuncs } from "./funcs.js";
import type { CliOutput } from "./output.js";

/** Exit codes, as documented in the README ("Exit codes"). */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 2,
  io: 3,
  "not-elf": 3,
  "not-go": 3,
  malformed: 4,
  unsupported: 5,
  internal: 70,
};

/**
 * Runs goxray with `argv` (without the node and script paths) and returns the exit code.
 * Every failure becomes one line on `out.stderr`; a stack trace only with --debug.
 */
export async function runCli(argv: readonly string[], out: CliOutput): Promise<number> {
  const program = new Command("goxray")
    .description("look inside Go binaries and trace their functions with eBPF")
    .version(packageVersion(), "-V, --version")
    .option("--debug", "print a stack trace with internal errors")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) })
    .showHelpAfterError("(run goxray --help for usage)");
  registerAnalyze(program, out);
  registerFuncs(program, out);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_CODES.usage;
    if (err instanceof GoxrayError) {
      out.stderr(`goxray: ${err.message}\n`);
      return EXIT_CODES[err.kind];
    }
    const isDebug = argv.includes("--debug");
    const message = err instanceof Error ? err.message : String(err);
    out.stderr(`goxray: internal error: ${message}\n`);
    if (isDebug && err instanceof Error && err.stack !== undefined) out.stderr(err.stack + "\n");
    return EXIT_CODES.internal;
  }
}

function packageVersion(): string {
  // src/cli/main.ts and dist/cli/main.js both sit two folders below package.json.
  const pkg: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string" ? pkg.version : "unknown";
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const code = await runCli(process.argv.slice(2), {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
  });
  // Set, never process.exit(): exiting at once can cut piped stdout short.
  process.exitCode = code;
}
