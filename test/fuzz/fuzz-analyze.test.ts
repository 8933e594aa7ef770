// Fuzz target "analyze": mutants of real Go binaries go through GoBinary.open + analyzeBinary
// (bytes in memory) and, for a subset written to .cache/fuzz/, through `goxray analyze --json`.
// Pass = a result or a GoxrayError of a documented kind, naming the file, within the time budget
// (STYLE.md "Tests", Fuzz). Everything else is a crasher: it is minimised by dropping mutation
// steps that are not needed, saved under .cache/fuzz/crashers/, and printed with its stack.
//
//   npx vitest run test/fuzz                       # FUZZ_CASES=300, part of the normal suite
//   FUZZ_CASES=5000 npx vitest run test/fuzz       # a longer run
//   FUZZ_SEED=7 FUZZ_ONLY=12,345 npx vitest run test/fuzz   # replay cases of run seed 7
//
// Other knobs: FUZZ_BUDGET_MS (2000), FUZZ_CLI_EVERY (10: every 10th case also runs the CLI),
// FUZZ_WORKERS (2 at most), FUZZ_FLAGS (default,stripped: the seeds' flag sets).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/cli/main.js";
import type { ErrorKind } from "../../src/errors.js";
import { buildSample, installedToolchains, type FlagSet, type GoToolchain, type SampleArch } from "../support/samples.js";
import type { CaseMessage, CliOutcome, InitMessage, Outcome, WorkerReply } from "./analyze-worker.js";
import { applyMutation, caseSeed, describePlan, planMutation, readElfLayout, type ElfLayout, type MutationPlan } from "./mutate.js";

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isFinite(value) ? value : fallback;
};

const CASES = envNumber("FUZZ_CASES", 300);
const RUN_SEED = envNumber("FUZZ_SEED", 1);
const BUDGET_MS = envNumber("FUZZ_BUDGET_MS", 2000);
const CLI_EVERY = Math.max(1, envNumber("FUZZ_CLI_EVERY", 10));
const WORKERS = Math.max(1, Math.min(envNumber("FUZZ_WORKERS", 2), availableParallelism()));
const ONLY = (process.env["FUZZ_ONLY"] ?? "").split(",").filter((s) => s.trim() !== "").map(Number);
/** A case still running after this long is stopped and reported as a hang. */
const HARD_LIMIT_MS = Math.max(10_000, 5 * BUDGET_MS);
/** The worker's heap cap: a mutant that makes a reader allocate without bound fails here. */
const HEAP_LIMIT_MB = 1024;

/** Kinds analyze may end in on hostile bytes (src/errors.ts ErrorKind, less usage and internal). */
const EXPECTED_KINDS: ReadonlySet<string> = new Set<ErrorKind>(["io", "not-elf", "not-go", "malformed", "unsupported"]);

const SAMPLE = "calls";
const SEED_ARCHES: readonly SampleArch[] = ["amd64", "arm64"];
/** FUZZ_FLAGS=default,stripped,nocompress adds seeds with uncompressed DWARF. */
const SEED_FLAGS = (process.env["FUZZ_FLAGS"] ?? "default,stripped").split(",").filter((f) => f !== "") as FlagSet[];

const fuzzDir = join(process.cwd(), ".cache", "fuzz");
const crasherDir = join(fuzzDir, "crashers");

interface Seed {
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly layout: ElfLayout;
}

/** A case that did not pass, before and after minimisation. */
interface Failure {
  readonly id: number;
  readonly seed: string;
  readonly category: string;
  readonly detail: string;
  readonly description: string;
  readonly minimal: string;
  readonly saved: string;
}

/** Go 1.15 (stack ABI, .zdebug_*), 1.22, and the newest installed: the seeds' toolchains. */
function seedToolchains(): { toolchains: GoToolchain[]; missing: string[] } {
  const installed = installedToolchains();
  const newest = installed[installed.length - 1];
  const wanted = ["1.15", "1.22", ...(newest === undefined ? [] : [newest.version])];
  const toolchains: GoToolchain[] = [];
  const missing: string[] = [];
  for (const v of new Set(wanted)) {
    const t = installed.find((x) => x.version === v);
    if (t === undefined) missing.push(v);
    else toolchains.push(t);
  }
  return { toolchains, missing };
}

// ---------------------------------------------------------------------------------------------
// Worker threads, one case at a time each; a case that overruns HARD_LIMIT_MS costs its worker.

type RunResult = { readonly type: "result"; readonly library: Outcome; readonly cli: CliOutcome | undefined } | { readonly type: "hang" } | { readonly type: "died"; readonly error: string };

class FuzzWorker {
  private worker: Worker | undefined;
  private settle: ((r: RunResult) => void) | undefined;

  constructor(private readonly seeds: readonly Seed[]) {}

  async run(message: CaseMessage): Promise<RunResult> {
    const worker = this.worker ?? (await this.start());
    return new Promise<RunResult>((resolve) => {
      const timer = setTimeout(() => {
        this.settle = undefined;
        this.stop();
        resolve({ type: "hang" });
      }, HARD_LIMIT_MS);
      this.settle = (r) => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve(r);
      };
      worker.postMessage(message);
    });
  }

  stop(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Promise<Worker> {
    const worker = new Worker(new URL("./worker.mjs", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
    this.worker = worker;
    return new Promise<Worker>((resolve, reject) => {
      worker.on("message", (reply: WorkerReply) => {
        if (reply.type === "ready") resolve(worker);
        else this.settle?.({ type: "result", library: reply.library, cli: reply.cli });
      });
      worker.on("error", (err: Error) => {
        // An uncaught throw or ERR_WORKER_OUT_OF_MEMORY: the case in flight killed the worker.
        if (this.worker === worker) this.worker = undefined;
        if (this.settle === undefined) reject(err);
        else this.settle({ type: "died", error: `${err.name}: ${err.message}\n${err.stack ?? ""}` });
      });
      worker.on("exit", (code: number) => {
        // process.exit() inside the worker ends it without an "error" event.
        if (this.worker === worker) this.worker = undefined;
        this.settle?.({ type: "died", error: `worker exited with code ${code}` });
      });
      const init: InitMessage = { type: "init", seeds: this.seeds.map((s) => ({ name: s.name, path: s.path })) };
      worker.postMessage(init);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/** Why a finished case fails, or undefined when it passes. */
function judge(name: string, cliPath: string | undefined, r: RunResult): { category: string; detail: string } | undefined {
  if (r.type === "hang") return { category: "hang", detail: `no answer within ${HARD_LIMIT_MS} ms` };
  if (r.type === "died") return { category: "worker-died", detail: r.error };
  const lib = r.library;
  if (lib.status === "crash") return { category: "crash", detail: `${lib.name}: ${lib.message}\n${lib.stack}` };
  if (lib.ms > BUDGET_MS) return { category: "slow", detail: `analyze took ${lib.ms.toFixed(0)} ms (budget ${BUDGET_MS} ms)` };
  if (lib.status === "error") {
    const where = `GoxrayError(${lib.kind}): ${lib.message}`;
    if (!EXPECTED_KINDS.has(lib.kind)) return { category: "bad-kind", detail: where };
    if (lib.file !== name || !lib.message.includes(name)) return { category: "bad-message", detail: `does not name the file ${name}: ${where}` };
    if (lib.offset !== undefined && !(Number.isSafeInteger(lib.offset) && lib.offset >= 0)) return { category: "bad-message", detail: `offset ${String(lib.offset)}: ${where}` };
    if (/\bNaN\b|\bundefined\b|\[object /.test(lib.message)) return { category: "bad-message", detail: `a value leaked into the message: ${where}` };
  }
  const cli = r.cli;
  if (cli !== undefined && cliPath !== undefined) {
    const said = `exit ${cli.code}, stderr: ${cli.stderr.trim()}`;
    if (cli.code === EXIT_CODES.internal || cli.code < 0) return { category: "cli-crash", detail: said };
    if (cli.ms > BUDGET_MS) return { category: "slow", detail: `goxray analyze took ${cli.ms.toFixed(0)} ms (budget ${BUDGET_MS} ms)` };
    const expected = lib.status === "ok" ? [0, EXIT_CODES["not-go"]] : [EXIT_CODES[lib.kind as ErrorKind]];
    if (!expected.includes(cli.code)) return { category: "cli-mismatch", detail: `in memory: ${lib.status === "ok" ? "ok" : `${lib.kind}: ${lib.message}`}; from the file: ${said}` };
    if (cli.code === EXIT_CODES.malformed && !cli.stderr.includes(cliPath)) return { category: "bad-message", detail: `CLI error does not name the file: ${said}` };
    if (cli.code === 0 && !cli.isJson) return { category: "cli-crash", detail: `exit 0 but stdout is not JSON; ${said}` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

describe(`fuzz: analyze (${CASES} cases, run seed ${RUN_SEED})`, () => {
  const seeds: Seed[] = [];
  const workers: FuzzWorker[] = [];
  let skipReason = "";

  beforeAll(() => {
    const { toolchains, missing } = seedToolchains();
    if (missing.length > 0) {
      const why = `Go ${missing.join(", ")} not installed under /usr/lib/go-1.NN (scripts/install-go-toolchains.sh)`;
      if ((process.env["CI"] ?? "") !== "") throw new Error(why);
      process.stdout.write(`fuzz: seeds without ${why}\n`);
    }
    for (const toolchain of toolchains) {
      for (const arch of SEED_ARCHES) {
        for (const flags of SEED_FLAGS) {
          const path = buildSample(SAMPLE, toolchain, arch, flags);
          const bytes = new Uint8Array(readFileSync(path));
          const layout = readElfLayout(bytes);
          if (layout === undefined) throw new Error(`${path}: not an ELF64 file with a section table`);
          seeds.push({ name: `${SAMPLE}-go${toolchain.version}-${arch}-${flags}`, path, bytes, layout });
        }
      }
    }
    if (seeds.length === 0) skipReason = "no Go toolchain installed: no seeds";
    mkdirSync(fuzzDir, { recursive: true });
    for (let i = 0; i < WORKERS; i++) workers.push(new FuzzWorker(seeds));
  });

  afterAll(() => {
    for (const w of workers) w.stop();
  });

  it("every unmutated seed analyzes without error", async (ctx) => {
    if (skipReason !== "") ctx.skip(skipReason);
    const worker = workers[0];
    if (worker === undefined) throw new Error("no worker");
    const problems: string[] = [];
    for (const [seedIndex, seed] of seeds.entries()) {
      const r = await worker.run({ type: "case", id: -1, seedIndex, steps: [], byteOffset: 0, name: seed.name, cliPath: undefined });
      if (r.type !== "result" || r.library.status !== "ok") problems.push(`${seed.name}: ${JSON.stringify(r)}`);
    }
    expect(problems).toEqual([]);
  });

  it(
    "mutants end in a result or a GoxrayError of a documented kind, in time",
    async (ctx) => {
      if (skipReason !== "") ctx.skip(skipReason);
      const ids = ONLY.length > 0 ? ONLY : Array.from({ length: CASES }, (_, i) => i);
      const libraryCounts = new Map<string, number>();
      const cliCounts = new Map<string, number>();
      const failures: Failure[] = [];
      let slowest = { ms: 0, id: -1 };
      const bump = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);

      const caseOf = (id: number): { seedIndex: number; seed: Seed; plan: MutationPlan } => {
        const seedIndex = id % seeds.length;
        const seed = seeds[seedIndex];
        if (seed === undefined) throw new Error("no seeds");
        return { seedIndex, seed, plan: planMutation(seed.bytes, seed.layout, caseSeed(RUN_SEED, id)) };
      };

      const runPlan = async (worker: FuzzWorker, id: number, seedIndex: number, seed: Seed, plan: MutationPlan, withCli: boolean) => {
        const name = `${seed.name}#${id}`;
        const cliPath = withCli ? join(fuzzDir, `${seed.name}-case${id}`) : undefined;
        if (cliPath !== undefined) writeFileSync(cliPath, applyMutation(seed.bytes, plan.steps, 0));
        const result = await worker.run({ type: "case", id, seedIndex, steps: plan.steps, byteOffset: plan.byteOffset, name, cliPath });
        return { name, cliPath, result, verdict: judge(name, cliPath, result) };
      };

      /** Drops steps (and the view offset) while the same category of failure remains. */
      const minimise = async (worker: FuzzWorker, id: number, seedIndex: number, seed: Seed, plan: MutationPlan, withCli: boolean, category: string) => {
        let current = plan;
        let attempts = 0;
        for (let j = current.steps.length - 1; j >= 0 && attempts < 12; j--) {
          const candidate = { ...current, steps: current.steps.filter((_, k) => k !== j) };
          attempts++;
          const r = await runPlan(worker, id, seedIndex, seed, candidate, withCli);
          if (r.cliPath !== undefined) rmSync(r.cliPath, { force: true });
          if (r.verdict?.category === category) current = candidate;
        }
        if (current.byteOffset !== 0) {
          const candidate = { ...current, byteOffset: 0 };
          const r = await runPlan(worker, id, seedIndex, seed, candidate, withCli);
          if (r.cliPath !== undefined) rmSync(r.cliPath, { force: true });
          if (r.verdict?.category === category) current = candidate;
        }
        return current;
      };

      let nextIndex = 0;
      const drive = async (worker: FuzzWorker): Promise<void> => {
        for (;;) {
          const id = ids[nextIndex++];
          if (id === undefined) return;
          const { seedIndex, seed, plan } = caseOf(id);
          const withCli = id % CLI_EVERY === 0;
          const { result, verdict, cliPath } = await runPlan(worker, id, seedIndex, seed, plan, withCli);
          if (result.type === "result") {
            bump(libraryCounts, result.library.status === "error" ? `error:${result.library.kind}` : result.library.status);
            if (result.library.ms > slowest.ms) slowest = { ms: result.library.ms, id };
            if (result.cli !== undefined) bump(cliCounts, `exit ${result.cli.code}`);
          } else {
            bump(libraryCounts, result.type);
          }
          if (verdict === undefined) {
            if (cliPath !== undefined) rmSync(cliPath, { force: true });
            continue;
          }
          if (cliPath !== undefined) rmSync(cliPath, { force: true });
          const minimal = await minimise(worker, id, seedIndex, seed, plan, withCli, verdict.category);
          mkdirSync(crasherDir, { recursive: true });
          const saved = join(crasherDir, `${seed.name}-seed${RUN_SEED}-case${id}`);
          writeFileSync(saved, applyMutation(seed.bytes, minimal.steps, 0));
          const failure: Failure = { id, seed: seed.name, category: verdict.category, detail: verdict.detail, description: describePlan(plan), minimal: describePlan(minimal), saved };
          writeFileSync(`${saved}.txt`, `${JSON.stringify(failure, null, 2)}\n`);
          failures.push(failure);
        }
      };
      await Promise.all(workers.map(drive));

      const failureCounts = new Map<string, number>();
      for (const f of failures) bump(failureCounts, f.category);
      const line = (m: Map<string, number>): string => [...m.entries()].sort().map(([k, v]) => `${k} ${v}`).join(", ") || "none";
      const errors = new Map([...libraryCounts].filter(([k]) => k.startsWith("error:")).map(([k, v]) => [k.slice(6), v] as const));
      const summary = [
        `fuzz analyze: run seed ${RUN_SEED}, ${ids.length} cases over ${seeds.length} seeds (${seeds.map((s) => s.name).join(", ")})`,
        `  ok ${libraryCounts.get("ok") ?? 0}; errors by kind: ${line(errors)}; crashes ${libraryCounts.get("crash") ?? 0}; hangs ${libraryCounts.get("hang") ?? 0}; worker deaths ${libraryCounts.get("died") ?? 0}`,
        `  CLI runs (every ${CLI_EVERY}th case): ${line(cliCounts)}`,
        `  slowest analyze: ${slowest.ms.toFixed(0)} ms (case ${slowest.id}); budget ${BUDGET_MS} ms`,
        `  failures by category: ${line(failureCounts)}`,
        ...failures.map((f) => `  FAIL case ${f.id} [${f.category}] ${f.seed}: ${f.minimal}\n    (as generated: ${f.description})\n    saved: ${f.saved}\n    ${f.detail.split("\n").slice(0, 12).join("\n    ")}`),
      ].join("\n");
      process.stdout.write(`\n${summary}\n\n`);
      writeFileSync(join(fuzzDir, "last-run.txt"), `${summary}\n`);
      expect(failures.map((f) => `case ${f.id} [${f.category}] ${f.seed}: ${f.minimal}: ${f.detail.split("\n")[0] ?? ""}`)).toEqual([]);
    },
    Math.max(120_000, CASES * 1_000),
  );
});
