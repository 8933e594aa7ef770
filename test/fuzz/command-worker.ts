// The fuzz worker thread: rebuilds each mutant from its seed and plan and runs every command on
// it in-process — analyze, funcs (the full listing), check (functions chosen from the unmutated
// seed's pclntab) and trace (the script, for a given bpftrace version; nothing is run) — and, for
// some cases, one command through the CLI on the same bytes written to disk. It reports how each
// ended, how long it took and how much memory it kept. It runs in a thread of its own so that the
// test can stop a case that loops forever, which it cannot do to code on its own thread.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import { runCli } from "../../src/cli/main.js";
import { applyMutation, type MutationStep } from "./mutate.js";
import { ATTACH_PATH, BPFTRACE_VERSIONS, COMMANDS, functionsFor, loadSeed, runCommand, type CommandName, type LoadedSeed, type Outcome } from "./run-command.js";

/** Sent once: the seed binaries, read by the worker itself. */
export interface InitMessage {
  readonly type: "init";
  readonly seeds: readonly { readonly name: string; readonly path: string }[];
}

/** One case: the mutant is seed `seedIndex` with `steps` applied; `cli`, when set, runs one command on the same bytes on disk. */
export interface CaseMessage {
  readonly type: "case";
  readonly id: number;
  readonly seedIndex: number;
  readonly steps: readonly MutationStep[];
  readonly byteOffset: number;
  readonly name: string;
  readonly cli: { readonly path: string; readonly command: CommandName } | undefined;
  /**
   * A full GC before every command (slow: ~150 ms each with the seeds loaded), so that memory
   * growth is each command's own; otherwise one GC before the case, and garbage of earlier
   * commands counts too. The test repeats a case over its memory bound with this set.
   */
  readonly isMemoryExact: boolean;
}

/** How `goxray COMMAND` ended on the mutant written to disk. */
export interface CliOutcome {
  readonly command: CommandName;
  readonly path: string;
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Every command's outcome, and the most the thread's heap and buffers grew over the case. */
export interface CaseResult {
  readonly outcomes: Readonly<Record<CommandName, Outcome>>;
  /**
   * Bytes: the most the thread's heap and buffers grew, from a GC to the end of a command
   * (garbage left uncollected counts, so this errs high; see CaseMessage.isMemoryExact).
   */
  readonly memoryGrowth: number;
  readonly cli: CliOutcome | undefined;
}

/** The worker's answers. */
export type WorkerReply = { readonly type: "ready" } | { readonly type: "result"; readonly id: number; readonly result: CaseResult };

const port = parentPort;
if (port === null) throw new Error("command-worker.ts runs only as a worker thread");

// Full GCs, so that the memory growth measured is the case's own (CaseMessage.isMemoryExact).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

let seedPaths: readonly { readonly name: string; readonly path: string }[] = [];
const loaded = new Map<number, LoadedSeed>();

function seedAt(index: number): LoadedSeed {
  const known = loaded.get(index);
  if (known !== undefined) return known;
  const entry = seedPaths[index];
  if (entry === undefined) throw new Error(`no seed ${index}`);
  const seed = loadSeed(new Uint8Array(readFileSync(entry.path)), entry.name);
  loaded.set(index, seed);
  return seed;
}

/** Memory of this thread that a case can make grow: its V8 heap and its ArrayBuffers (decompressed sections). */
function threadMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** The argv of `goxray COMMAND` on `path`, as the in-memory run of the same case does it. */
function cliArgv(command: CommandName, path: string, functions: readonly string[], id: number): string[] {
  switch (command) {
    case "analyze":
      return ["analyze", "--json", path];
    case "funcs":
      return ["funcs", "--json", path];
    case "check":
      return ["check", path, ...functions, "runtime.mallocgc"];
    case "trace":
      return ["trace", path, ...functions, "--bpftrace-version", BPFTRACE_VERSIONS[id % BPFTRACE_VERSIONS.length] ?? "0.23", "--attach-path", ATTACH_PATH, ...(id % 2 === 0 ? [] : ["--json"]), ...(id % 5 === 0 ? ["--deref", "1"] : []), ...(id % 4 === 0 ? ["--inlined"] : [])];
    default: {
      const never: never = command;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
}

async function runWithCli(command: CommandName, path: string, functions: readonly string[], id: number): Promise<CliOutcome> {
  const start = performance.now();
  let stdout = "";
  let stderr = "";
  const argv = cliArgv(command, path, functions, id);
  let code: number;
  try {
    code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  } catch (err) {
    code = -1;
    stderr += `runCli rejected: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  }
  return { command, path, argv, code, stdout, stderr, ms: performance.now() - start };
}

async function runCase(message: CaseMessage): Promise<CaseResult> {
  const seed = seedAt(message.seedIndex);
  const bytes = applyMutation(seed.bytes, message.steps, message.byteOffset);
  let growth = 0;
  const outcomes = {} as Record<CommandName, Outcome>;
  collectGarbage();
  let before = threadMemory();
  for (const command of COMMANDS) {
    if (message.isMemoryExact) {
      collectGarbage();
      before = threadMemory();
    }
    outcomes[command] = await runCommand(command, bytes, message.name, message.id, seed);
    growth = Math.max(growth, threadMemory() - before);
  }
  const cli = message.cli === undefined ? undefined : await runWithCli(message.cli.command, message.cli.path, functionsFor(seed, message.id), message.id);
  return { outcomes, memoryGrowth: growth, cli };
}

port.on("message", (message: InitMessage | CaseMessage) => {
  if (message.type === "init") {
    seedPaths = message.seeds;
    const reply: WorkerReply = { type: "ready" };
    port.postMessage(reply);
    return;
  }
  void runCase(message).then((result) => {
    const reply: WorkerReply = { type: "result", id: message.id, result };
    port.postMessage(reply);
  });
});
