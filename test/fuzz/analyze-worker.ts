// The fuzz worker thread: rebuilds each mutant from its seed and plan, runs the analyze entry
// point on it (library and CLI) and, for some cases, funcs and the hazard rules, and reports how it ended. It runs in a thread of its own so that
// the test can stop a case that loops forever, which it cannot do to code on its own thread.
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { memorySource } from "../../src/bytes/byte-source.js";
import { runCli } from "../../src/cli/main.js";
import { GoxrayError } from "../../src/errors.js";
import { GoBinary } from "../../src/model/go-binary.js";
import { analyzeBinary } from "../../src/report/analysis.js";
import { listFunctions } from "../../src/report/function-list.js";
import { summarizeHazards } from "../../src/report/hazard-summary.js";
import { renderAnalysisJson, renderFunctionsJson } from "../../src/report/json.js";
import { renderAnalysisText } from "../../src/report/text.js";
import { applyMutation, type MutationStep } from "./mutate.js";

/** Sent once: the seed binaries, read by the worker itself. */
export interface InitMessage {
  readonly type: "init";
  readonly seeds: readonly { readonly name: string; readonly path: string }[];
}

/** One case: the mutant is seed `seedIndex` with `steps` applied; `cliPath`, when set, holds the same bytes on disk. */
export interface CaseMessage {
  readonly type: "case";
  readonly id: number;
  readonly seedIndex: number;
  readonly steps: readonly MutationStep[];
  readonly byteOffset: number;
  readonly name: string;
  readonly cliPath: string | undefined;
}

/** How one call ended. */
export type Outcome =
  | { readonly status: "ok"; readonly ms: number }
  | { readonly status: "error"; readonly ms: number; readonly kind: string; readonly message: string; readonly file: string; readonly section: string | undefined; readonly offset: number | undefined }
  | { readonly status: "crash"; readonly ms: number; readonly name: string; readonly message: string; readonly stack: string };

/** How `goxray analyze --json` ended on the mutant written to disk. */
export interface CliOutcome {
  readonly code: number;
  readonly stderr: string;
  readonly isJson: boolean;
  readonly ms: number;
}

/** The worker's answers. */
export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly id: number; readonly library: Outcome; readonly cli: CliOutcome | undefined };

const port = parentPort;
if (port === null) throw new Error("analyze-worker.ts runs only as a worker thread");

let seeds: Uint8Array[] = [];

// Every FUNCS_EVERY-th case also lists the functions and places and checks those of the main
// module (the DWARF walk, type building, placement and hazard rules), which costs more per case.
const FUNCS_EVERY = Number(process.env["FUZZ_FUNCS_EVERY"] ?? "5");

function analyzeInMemory(bytes: Uint8Array, name: string, withFunctions: boolean): Outcome {
  const start = performance.now();
  try {
    const binary = GoBinary.open(memorySource(bytes, name));
    try {
      const analysis = analyzeBinary(binary);
      renderAnalysisText(analysis);
      renderAnalysisJson(analysis);
      // funcs may fail where analyze succeeded (it reads more); only a crash there is reported,
      // so that the library outcome still matches `goxray analyze` on the same bytes.
      if (withFunctions && analysis.isGo) {
        const crash = crashOf(() => {
          renderFunctionsJson(listFunctions(binary, {}));
          if (analysis.goVersion !== null) summarizeHazards(binary);
        }, start);
        if (crash !== undefined) return crash;
      }
    } finally {
      binary.close();
    }
    return { status: "ok", ms: performance.now() - start };
  } catch (err) {
    const ms = performance.now() - start;
    if (err instanceof GoxrayError) {
      return { status: "error", ms, kind: err.kind, message: err.message, file: err.file, section: err.section, offset: err.offset };
    }
    const e = err instanceof Error ? err : new Error(String(err));
    return { status: "crash", ms, name: e.name, message: e.message, stack: e.stack ?? "" };
  }
}

/** Runs `work`; a GoxrayError is an accepted ending, anything else a crash outcome. */
function crashOf(work: () => void, start: number): Outcome | undefined {
  try {
    work();
    return undefined;
  } catch (err) {
    if (err instanceof GoxrayError) return undefined;
    const e = err instanceof Error ? err : new Error(String(err));
    return { status: "crash", ms: performance.now() - start, name: e.name, message: e.message, stack: e.stack ?? "" };
  }
}

async function analyzeWithCli(path: string): Promise<CliOutcome> {
  const start = performance.now();
  let stdout = "";
  let stderr = "";
  const code = await runCli(["analyze", "--json", path], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  let isJson = false;
  try {
    JSON.parse(stdout);
    isJson = true;
  } catch {
    isJson = false;
  }
  return { code, stderr, isJson, ms: performance.now() - start };
}

port.on("message", (message: InitMessage | CaseMessage) => {
  if (message.type === "init") {
    seeds = message.seeds.map((s) => new Uint8Array(readFileSync(s.path)));
    const reply: WorkerReply = { type: "ready" };
    port.postMessage(reply);
    return;
  }
  const seed = seeds[message.seedIndex];
  if (seed === undefined) throw new Error(`no seed ${message.seedIndex}`);
  const library = analyzeInMemory(applyMutation(seed, message.steps, message.byteOffset), message.name, message.id % FUNCS_EVERY === 0);
  const send = (cli: CliOutcome | undefined): void => {
    const reply: WorkerReply = { type: "result", id: message.id, library, cli };
    port.postMessage(reply);
  };
  if (message.cliPath === undefined) send(undefined);
  else {
    analyzeWithCli(message.cliPath).then(send, (err: unknown) => {
      send({ code: -1, stderr: `runCli rejected: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, isJson: false, ms: 0 });
    });
  }
});
