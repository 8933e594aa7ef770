// Runs one goxray command in-process on bytes in memory, as the fuzz worker and the regression
// replay both do, and says how it ended: a result, a GoxrayError (kind, file, section, offset),
// anything else thrown (a crash), or a trace script whose shape is wrong.
import { GoxrayError } from "../../src/errors.js";
import { memorySource } from "../../src/bytes/byte-source.js";
import { GoBinary } from "../../src/model/go-binary.js";
import { analyzeBinary } from "../../src/report/analysis.js";
import { checkFunction, findFunction } from "../../src/report/check-report.js";
import { listFunctions } from "../../src/report/function-list.js";
import { renderAnalysisJson, renderChecksJson, renderFunctionsJson } from "../../src/report/json.js";
import { renderAnalysisText, renderCheckText, renderFunctionsText } from "../../src/report/text.js";
import { buildTraceScript } from "../../src/report/trace-script.js";
import { readScriptShape } from "../support/script-shape.js";

/** The commands every case runs, in this order. */
export const COMMANDS = ["analyze", "funcs", "check", "trace"] as const;
/** One of COMMANDS. */
export type CommandName = (typeof COMMANDS)[number];

/** How one command ended on the mutant in memory. */
export type Outcome =
  | { readonly status: "ok"; readonly ms: number }
  | { readonly status: "error"; readonly ms: number; readonly kind: string; readonly message: string; readonly file: string; readonly section: string | undefined; readonly offset: number | undefined }
  | { readonly status: "crash"; readonly ms: number; readonly name: string; readonly message: string; readonly stack: string }
  | { readonly status: "bad-script"; readonly ms: number; readonly problems: readonly string[] };

/** The path trace scripts attach to: the fuzzed bytes are never run. */
export const ATTACH_PATH = "/usr/local/bin/fuzzed";

/** bpftrace versions the trace command writes for, one per case in turn (each has its own probe shapes). */
export const BPFTRACE_VERSIONS = ["0.17", "0.23", "0.27"];

/** A seed binary and the functions check and trace are asked for on its mutants. */
export interface LoadedSeed {
  readonly bytes: Uint8Array;
  /** main.* functions of the unmutated seed whose names are also plain regular expressions. */
  readonly mainFunctions: readonly string[];
}

/** The seed `bytes` with its main.* functions, from its own (unmutated) pclntab. */
export function loadSeed(bytes: Uint8Array, name: string): LoadedSeed {
  const binary = GoBinary.open(memorySource(bytes, name));
  const mainFunctions: string[] = [];
  try {
    const pclntab = binary.pclntab();
    for (let i = 0; pclntab !== undefined && i < pclntab.funcCount; i++) {
      const fn = pclntab.nameAt(i);
      if (/^main\.[A-Za-z0-9_]+$/.test(fn)) mainFunctions.push(fn);
    }
  } finally {
    binary.close();
  }
  return { bytes, mainFunctions };
}

/** Two main.* functions for case `id` (a different pair each case), and for check also runtime.mallocgc. */
export function functionsFor(seed: LoadedSeed, id: number): string[] {
  const n = seed.mainFunctions.length;
  if (n === 0) return ["main.main"];
  const a = seed.mainFunctions[id % n] ?? "main.main";
  const b = seed.mainFunctions[(id * 7 + 3) % n] ?? "main.main";
  return [...new Set([a, b])];
}

/** Runs `command` on `bytes` (named `name` in errors) for case `id`. */
export async function runCommand(command: CommandName, bytes: Uint8Array, name: string, id: number, seed: LoadedSeed): Promise<Outcome> {
  const start = performance.now();
  // A fresh binary per command: each command opens the file itself, and must not lean on
  // caches another command filled.
  let binary: GoBinary | undefined;
  try {
    binary = GoBinary.open(memorySource(bytes, name));
    switch (command) {
      case "analyze": {
        const analysis = analyzeBinary(binary);
        renderAnalysisText(analysis);
        renderAnalysisJson(analysis);
        break;
      }
      case "funcs": {
        binary.requireGo();
        const rows = listFunctions(binary, {});
        renderFunctionsJson(rows);
        renderFunctionsText(rows);
        break;
      }
      case "check": {
        binary.requireGo();
        const reports = [];
        for (const fn of [...functionsFor(seed, id), "runtime.mallocgc"]) reports.push(await checkFunction(binary, findFunction(binary, fn)));
        renderChecksJson(reports);
        reports.map(renderCheckText);
        break;
      }
      case "trace": {
        const trace = await buildTraceScript(binary, {
          patterns: functionsFor(seed, id),
          bpftrace: "bpftrace",
          bpftraceVersion: BPFTRACE_VERSIONS[id % BPFTRACE_VERSIONS.length],
          pid: undefined,
          attachPath: ATTACH_PATH,
          mode: id % 2 === 0 ? "text" : "json",
          stringBytes: 64,
          deref: id % 5 === 0 ? 1 : 0,
          inlined: id % 4 === 0,
        });
        const { problems } = readScriptShape(trace.script, ATTACH_PATH);
        if (problems.length > 0) return { status: "bad-script", ms: performance.now() - start, problems };
        break;
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${String(never)}`);
      }
    }
    return { status: "ok", ms: performance.now() - start };
  } catch (err) {
    const ms = performance.now() - start;
    if (err instanceof GoxrayError) {
      return { status: "error", ms, kind: err.kind, message: err.message, file: err.file, section: err.section, offset: err.offset };
    }
    const e = err instanceof Error ? err : new Error(String(err));
    return { status: "crash", ms, name: e.name, message: e.message, stack: e.stack ?? "" };
  } finally {
    binary?.close();
  }
}

