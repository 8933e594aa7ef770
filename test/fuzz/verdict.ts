// Whether one fuzz case passed: every command ended in a result or a GoxrayError of a kind that
// command may give, naming the file, within its time budget and memory bound; and the CLI run on
// the same bytes exited with that kind's documented code and one line on stderr.
import { EXIT_CODES } from "../../src/cli/main.js";
import type { ErrorKind } from "../../src/errors.js";
import type { CliOutcome } from "./command-worker.js";
import { COMMANDS, type CommandName, type Outcome } from "./run-command.js";
import type { RunResult } from "./fuzz-worker.js";

/** What a case is held to. */
export interface Limits {
  /** Each command, in memory or through the CLI, must end within this. */
  readonly budgetMs: number;
  /** The hard limit after which the case was stopped (for the message). */
  readonly hardLimitMs: number;
  /** Memory growth allowed: `fixedBytes` + `perFileByte` × the mutant's size. */
  readonly fixedBytes: number;
  readonly perFileByte: number;
}

/** One way a case failed. */
export interface CaseFailure {
  readonly category: "crash" | "hang" | "worker-died" | "slow" | "over-memory" | "bad-kind" | "bad-message" | "bad-script" | "cli-crash" | "cli-mismatch" | "cli-stderr";
  readonly command: CommandName | "case";
  readonly detail: string;
}

const FILE_KINDS: readonly ErrorKind[] = ["io", "not-elf", "not-go", "malformed", "unsupported"];

/** The error kinds each command may end in on hostile bytes (src/errors.ts; never usage or internal). */
export const EXPECTED_KINDS: Readonly<Record<CommandName, ReadonlySet<string>>> = {
  analyze: new Set(FILE_KINDS),
  funcs: new Set(FILE_KINDS),
  // A mutant may lose the function's name (no-function) or its body (not-traceable).
  check: new Set([...FILE_KINDS, "no-function"]),
  trace: new Set([...FILE_KINDS, "no-function", "not-traceable"]),
};

/** Exit codes of a command that ended without an error (README "Exit codes"). */
const OK_EXIT_CODES: Readonly<Record<CommandName, readonly number[]>> = {
  // analyze prints the ELF facts of a file that is not Go, and exits 3.
  analyze: [0, EXIT_CODES["not-go"]],
  funcs: [0],
  // check: 1 an error-severity hazard, 7 not traceable.
  check: [0, 1, EXIT_CODES["not-traceable"]],
  trace: [0],
};

/** Every failure of one finished (or stopped) case. */
export function judgeCase(name: string, size: number, run: RunResult, limits: Limits): CaseFailure[] {
  if (run.type === "hang") return [{ category: "hang", command: "case", detail: `no answer within ${limits.hardLimitMs} ms` }];
  if (run.type === "died") return [{ category: "worker-died", command: "case", detail: run.error }];
  const failures: CaseFailure[] = [];
  for (const command of COMMANDS) failures.push(...judgeOutcome(command, name, run.result.outcomes[command], limits));
  const bound = limits.fixedBytes + limits.perFileByte * size;
  if (run.result.memoryGrowth > bound) {
    failures.push({ category: "over-memory", command: "case", detail: `memory grew ${mb(run.result.memoryGrowth)} MB, over ${mb(bound)} MB (${mb(limits.fixedBytes)} MB + ${limits.perFileByte} × ${mb(size)} MB)` });
  }
  if (run.result.cli !== undefined) failures.push(...judgeCli(run.result.cli, run.result.outcomes[run.result.cli.command], limits));
  return failures;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function judgeOutcome(command: CommandName, name: string, outcome: Outcome, limits: Limits): CaseFailure[] {
  const fail = (category: CaseFailure["category"], detail: string): CaseFailure[] => [{ category, command, detail }];
  switch (outcome.status) {
    case "crash":
      return fail("crash", `${outcome.name}: ${outcome.message}\n${outcome.stack}`);
    case "bad-script":
      return fail("bad-script", outcome.problems.slice(0, 5).join("\n"));
    case "ok":
      return outcome.ms > limits.budgetMs ? fail("slow", `took ${outcome.ms.toFixed(0)} ms (budget ${limits.budgetMs} ms)`) : [];
    case "error": {
      const where = `GoxrayError(${outcome.kind}): ${outcome.message}`;
      if (outcome.ms > limits.budgetMs) return fail("slow", `took ${outcome.ms.toFixed(0)} ms (budget ${limits.budgetMs} ms), then ${where}`);
      if (!EXPECTED_KINDS[command].has(outcome.kind)) return fail("bad-kind", where);
      if (outcome.file !== name || !outcome.message.includes(name)) return fail("bad-message", `does not name the file ${name}: ${where}`);
      // A malformed file is always reported with where in it the reader stopped.
      if (outcome.kind === "malformed" && outcome.offset === undefined) return fail("bad-message", `no offset: ${where}`);
      if (outcome.offset !== undefined && !(Number.isSafeInteger(outcome.offset) && outcome.offset >= 0)) return fail("bad-message", `offset ${String(outcome.offset)}: ${where}`);
      if (/\bNaN\b|\bundefined\b|\[object /.test(outcome.message)) return fail("bad-message", `a value leaked into the message: ${where}`);
      return [];
    }
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

function judgeCli(cli: CliOutcome, library: Outcome, limits: Limits): CaseFailure[] {
  const fail = (category: CaseFailure["category"], detail: string): CaseFailure[] => [{ category, command: cli.command, detail: `goxray ${cli.argv.join(" ")}: ${detail}` }];
  const said = `exit ${cli.code}, stderr: ${cli.stderr.trim().slice(0, 2000)}`;
  if (cli.code === EXIT_CODES.internal || cli.code < 0) return fail("cli-crash", said);
  if (cli.ms > limits.budgetMs) return fail("slow", `took ${cli.ms.toFixed(0)} ms (budget ${limits.budgetMs} ms)`);
  const expected = library.status === "error" ? [EXIT_CODES[library.kind as ErrorKind]] : OK_EXIT_CODES[cli.command];
  if (!expected.includes(cli.code)) return fail("cli-mismatch", `in memory: ${library.status === "error" ? `${library.kind}: ${library.message}` : library.status}; from the file: ${said}`);
  const lines = cli.stderr.split("\n").filter((l) => l !== "");
  if (library.status === "error") {
    if (lines.length !== 1 || !lines[0]?.startsWith("goxray: ")) return fail("cli-stderr", `an error must be exactly one stderr line starting "goxray: ": ${said}`);
    if (FILE_KINDS.includes(library.kind as ErrorKind) && !cli.stderr.includes(cli.path)) return fail("cli-stderr", `the error does not name the file: ${said}`);
  } else if (lines.some((l) => !l.startsWith("goxray: warning: "))) {
    return fail("cli-stderr", `stderr of a run that worked holds more than warnings: ${said}`);
  }
  if (cli.code === 0 && cli.argv.includes("--json") && cli.command !== "trace") {
    try {
      JSON.parse(cli.stdout);
    } catch {
      return fail("cli-crash", `exit 0 but stdout is not JSON; ${said}`);
    }
  }
  return [];
}
