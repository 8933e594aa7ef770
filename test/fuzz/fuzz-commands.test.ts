// Fuzz target "commands": mutants of real Go binaries — every Go release the tests install, amd64
// and arm64, with compressed DWARF (.zdebug_* for Go 1.15), uncompressed DWARF (so that unit
// headers and abbreviation tables can be hit) and stripped — go through analyze, funcs, check and
// trace in-process (command-worker.ts), and every 5th case one of them through the CLI as well.
// Pass = each command ends in a result or a GoxrayError of a kind it may give, naming the file,
// within the time budget, with memory growth under 64 MB + 4 × the file's size (verdict.ts).
// A failing case is minimised by dropping mutation steps that are not needed and written, as a
// seed plus edits, to .cache/fuzz/crashers/ ready to move to test/fuzz/regressions/.
//
//   npx vitest run test/fuzz/fuzz-commands.test.ts      # FUZZ_CASES=100, part of the normal suite (60–90 s)
//   FUZZ_CASES=3000 npm run fuzz                         # a longer run
//   FUZZ_SEED=7 FUZZ_ONLY=12,345 npm run fuzz            # replay cases of run seed 7
//
// Other knobs: FUZZ_BUDGET_MS (5000 per command; the 2-core machine is shared), FUZZ_CLI_EVERY (5), FUZZ_WORKERS (2 at most),
// FUZZ_FLAGS (default,nocompress,stripped), FUZZ_GO (Go versions, e.g. 1.15,1.27).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSample, cacheRoot, installedToolchains, REQUIRED_GO_VERSIONS, type FlagSet, type GoToolchain, type SampleArch } from "../support/samples.js";
import type { CaseMessage } from "./command-worker.js";
import { FuzzWorker, type RunResult } from "./fuzz-worker.js";
import { applyMutation, caseSeed, describePlan, planMutation, readElfLayout, type ElfLayout, type MutationPlan } from "./mutate.js";
import type { Regression } from "./regression.js";
import { COMMANDS, type CommandName } from "./run-command.js";
import { judgeCase, type CaseFailure, type Limits } from "./verdict.js";

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isFinite(value) ? value : fallback;
};

const CASES = envNumber("FUZZ_CASES", 100);
const RUN_SEED = envNumber("FUZZ_SEED", 1);
const CLI_EVERY = Math.max(1, envNumber("FUZZ_CLI_EVERY", 5));
const WORKERS = Math.max(1, Math.min(envNumber("FUZZ_WORKERS", 2), availableParallelism()));
const ONLY = (process.env["FUZZ_ONLY"] ?? "").split(",").filter((s) => s.trim() !== "").map(Number);
const BUDGET_MS = envNumber("FUZZ_BUDGET_MS", 5000);
const LIMITS: Limits = { budgetMs: BUDGET_MS, hardLimitMs: Math.max(20_000, 6 * BUDGET_MS), fixedBytes: 64 * 2 ** 20, perFileByte: 4 };
/** The worker's heap cap: a mutant that makes a reader allocate without bound kills only its thread. */
const HEAP_LIMIT_MB = 1024;

const SAMPLE = "calls";
const SEED_ARCHES: readonly SampleArch[] = ["amd64", "arm64"];
const SEED_FLAGS = (process.env["FUZZ_FLAGS"] ?? "default,nocompress,stripped").split(",").filter((f) => f !== "") as FlagSet[];
const SEED_GO = (process.env["FUZZ_GO"] ?? REQUIRED_GO_VERSIONS.join(",")).split(",").filter((v) => v !== "");

const fuzzDir = join(cacheRoot, "fuzz");
const crasherDir = join(fuzzDir, "crashers");

interface Seed {
  readonly name: string;
  readonly goVersion: string;
  readonly arch: SampleArch;
  readonly flags: FlagSet;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly layout: ElfLayout;
}

/** A case that did not pass, before and after minimisation. */
interface Failure {
  readonly id: number;
  readonly seed: Seed;
  readonly failures: readonly CaseFailure[];
  readonly description: string;
  readonly minimal: MutationPlan;
  readonly saved: string;
}

function seedToolchains(): { toolchains: GoToolchain[]; missing: string[] } {
  const installed = installedToolchains();
  const toolchains: GoToolchain[] = [];
  const missing: string[] = [];
  for (const v of SEED_GO) {
    const t = installed.find((x) => x.version === v);
    if (t === undefined) missing.push(v);
    else toolchains.push(t);
  }
  return { toolchains, missing };
}

describe(`fuzz: analyze, funcs, check and trace (${CASES} cases, run seed ${RUN_SEED})`, () => {
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
          seeds.push({ name: `${SAMPLE}-go${toolchain.version}-${arch}-${flags}`, goVersion: toolchain.version, arch, flags, path, bytes, layout });
        }
      }
    }
    if (seeds.length === 0) skipReason = "no Go toolchain installed: no seeds";
    mkdirSync(fuzzDir, { recursive: true });
    for (let i = 0; i < WORKERS; i++) workers.push(new FuzzWorker(seeds.map((s) => ({ name: s.name, path: s.path })), LIMITS.hardLimitMs, HEAP_LIMIT_MB));
  });

  afterAll(() => {
    for (const w of workers) w.stop();
  });

  it("the mutation targets include every structure the issue names, in every seed that has it", (ctx) => {
    if (skipReason !== "") ctx.skip(skipReason);
    const problems: string[] = [];
    for (const seed of seeds) {
      const groups = new Set(seed.layout.structures.map((f) => f.group));
      const wanted = ["pclntab-count", "pclntab-offset", "func-nameoff", "func-pctab", "functab-funcoff", "buildinfo-byte"];
      if (seed.flags === "nocompress") wanted.push("unit_length", "abbrev_offset", "abbrev-code", "abbrev-form", "header_length");
      if (seed.flags === "nocompress" && ["1.26", "1.27"].includes(seed.goVersion)) wanted.push("line-format-count", "line-form", "line-count");
      if (seed.flags === "default") wanted.push(seed.goVersion === "1.15" ? "zdebug-size" : "chdr-size");
      for (const group of wanted) if (!groups.has(group)) problems.push(`${seed.name}: no ${group} field found`);
    }
    expect(problems).toEqual([]);
  });

  it("every command works on every unmutated seed", async (ctx) => {
    if (skipReason !== "") ctx.skip(skipReason);
    const problems: string[] = [];
    // Both workers warm up (the first case in a thread pays for loading and compiling goxray).
    await Promise.all(
      workers.map(async (worker, w) => {
        for (const [seedIndex, seed] of seeds.entries()) {
          if (seedIndex % workers.length !== w) continue;
          const r = await worker.run({ type: "case", id: seedIndex, seedIndex, steps: [], byteOffset: 0, name: seed.name, cli: undefined, isMemoryExact: false });
          if (r.type !== "result") {
            problems.push(`${seed.name}: ${JSON.stringify(r)}`);
            continue;
          }
          process.stdout.write(`fuzz seed ${seed.name}: ${(seed.bytes.byteLength / 2 ** 20).toFixed(1)} MB, a command grew memory by ${(r.result.memoryGrowth / 2 ** 20).toFixed(1)} MB at most\n`);
          for (const command of COMMANDS) if (r.result.outcomes[command].status !== "ok") problems.push(`${seed.name} ${command}: ${JSON.stringify(r.result.outcomes[command])}`);
        }
      }),
    );
    expect(problems).toEqual([]);
  }, 300_000);

  it(
    "mutants end in a result or one typed error naming file and offset, in time and memory",
    async (ctx) => {
      if (skipReason !== "") ctx.skip(skipReason);
      const ids = ONLY.length > 0 ? ONLY : Array.from({ length: CASES }, (_, i) => i);
      // command → outcome (ok, error:<kind>, crash, …) → count; and per Go version.
      const counts = new Map<string, Map<string, number>>();
      const byVersion = new Map<string, Map<string, number>>();
      const caseCounts = new Map<string, number>();
      const cliCounts = new Map<string, number>();
      const failures: Failure[] = [];
      let slowest = { ms: 0, id: -1, command: "" };
      let mostMemory = { bytes: 0, id: -1 };
      const bump = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);
      const bumpIn = (m: Map<string, Map<string, number>>, outer: string, key: string): void => {
        const inner = m.get(outer) ?? new Map<string, number>();
        bump(inner, key);
        m.set(outer, inner);
      };

      const caseOf = (id: number): { seedIndex: number; seed: Seed; plan: MutationPlan } => {
        const seedIndex = id % seeds.length;
        const seed = seeds[seedIndex];
        if (seed === undefined) throw new Error("no seeds");
        return { seedIndex, seed, plan: planMutation(seed.bytes, seed.layout, caseSeed(RUN_SEED, id)) };
      };

      const runPlan = async (worker: FuzzWorker, id: number, seedIndex: number, seed: Seed, plan: MutationPlan, cliCommand: CommandName | undefined) => {
        const name = `${seed.name}#${id}`;
        const mutant = applyMutation(seed.bytes, plan.steps, 0);
        const cliPath = cliCommand === undefined ? undefined : join(fuzzDir, `${seed.name}-case${id}`);
        if (cliPath !== undefined) writeFileSync(cliPath, mutant);
        const message: CaseMessage = { type: "case", id, seedIndex, steps: plan.steps, byteOffset: plan.byteOffset, name, cli: cliPath === undefined || cliCommand === undefined ? undefined : { path: cliPath, command: cliCommand }, isMemoryExact: false };
        let result: RunResult = await worker.run(message);
        let failures = judgeCase(name, mutant.byteLength, result, LIMITS);
        // Over the bound with the garbage of earlier commands counted: measure each command alone.
        if (failures.some((f) => f.category === "over-memory")) {
          result = await worker.run({ ...message, isMemoryExact: true });
          failures = judgeCase(name, mutant.byteLength, result, LIMITS);
        }
        if (cliPath !== undefined) rmSync(cliPath, { force: true });
        return { result, failures };
      };

      /** Drops steps (and the view offset) while a failure of the same category remains. */
      const minimise = async (worker: FuzzWorker, id: number, seedIndex: number, seed: Seed, plan: MutationPlan, cliCommand: CommandName | undefined, category: string) => {
        let current = plan;
        for (let j = current.steps.length - 1; j >= 0; j--) {
          const candidate = { ...current, steps: current.steps.filter((_, k) => k !== j) };
          const r = await runPlan(worker, id, seedIndex, seed, candidate, cliCommand);
          if (r.failures.some((f) => f.category === category)) current = candidate;
        }
        if (current.byteOffset !== 0) {
          const candidate = { ...current, byteOffset: 0 };
          const r = await runPlan(worker, id, seedIndex, seed, candidate, cliCommand);
          if (r.failures.some((f) => f.category === category)) current = candidate;
        }
        return current;
      };

      let nextIndex = 0;
      const drive = async (worker: FuzzWorker): Promise<void> => {
        for (;;) {
          const id = ids[nextIndex++];
          if (id === undefined) return;
          const { seedIndex, seed, plan } = caseOf(id);
          const cliCommand = id % CLI_EVERY === 0 ? COMMANDS[(id / CLI_EVERY) % COMMANDS.length] : undefined;
          const { result, failures: found } = await runPlan(worker, id, seedIndex, seed, plan, cliCommand);
          if (result.type === "result") {
            for (const command of COMMANDS) {
              const o = result.result.outcomes[command];
              const key = o.status === "error" ? `error:${o.kind}` : o.status;
              bumpIn(counts, command, key);
              bumpIn(byVersion, `go${seed.goVersion} ${command}`, o.status === "error" ? "error" : o.status);
              if (o.ms > slowest.ms) slowest = { ms: o.ms, id, command };
            }
            if (result.result.memoryGrowth > mostMemory.bytes) mostMemory = { bytes: result.result.memoryGrowth, id };
            if (result.result.cli !== undefined) bump(cliCounts, `${result.result.cli.command} exit ${result.result.cli.code}`);
          }
          bump(caseCounts, result.type === "result" ? "finished" : result.type);
          for (const f of found) bump(caseCounts, f.category);
          if (found.length === 0) continue;
          const first = found[0];
          if (first === undefined) continue;
          const minimal = await minimise(worker, id, seedIndex, seed, plan, cliCommand, first.category);
          mkdirSync(crasherDir, { recursive: true });
          const saved = join(crasherDir, `${seed.name}-seed${RUN_SEED}-case${id}.json`);
          const regression: Regression = { found: `fuzz run seed ${RUN_SEED}, case ${id}: ${first.category} in ${first.command}: ${first.detail.split("\n")[0] ?? ""}`, sample: SAMPLE, go: seed.goVersion, arch: seed.arch, flags: seed.flags, steps: minimal.steps };
          writeFileSync(saved, `${JSON.stringify(regression, null, 2)}\n`);
          failures.push({ id, seed, failures: found, description: describePlan(plan), minimal, saved });
        }
      };
      await Promise.all(workers.map(drive));

      const line = (m: Map<string, number> | undefined): string => [...(m ?? new Map<string, number>()).entries()].sort().map(([k, v]) => `${k} ${v}`).join(", ") || "none";
      const cases = ids.length;
      const summary = [
        `fuzz commands: run seed ${RUN_SEED}, ${cases} cases over ${seeds.length} seeds (Go ${[...new Set(seeds.map((s) => s.goVersion))].join(", ")}; ${SEED_ARCHES.join(", ")}; ${SEED_FLAGS.join(", ")}), each through ${COMMANDS.join(", ")}`,
        ...COMMANDS.map((c) => `  ${c.padEnd(8)} ${line(counts.get(c))}`),
        `  per Go version: ${[...byVersion.entries()].sort().map(([k, m]) => `${k}: ${line(m)}`).join("; ")}`,
        `  cases: ${line(caseCounts)}; crashes ${caseCounts.get("crash") ?? 0}, hangs ${caseCounts.get("hang") ?? 0}, over-memory ${caseCounts.get("over-memory") ?? 0}, worker deaths ${caseCounts.get("worker-died") ?? 0}`,
        `  CLI runs (every ${CLI_EVERY}th case): ${line(cliCounts)}`,
        `  slowest command: ${slowest.command} ${slowest.ms.toFixed(0)} ms (case ${slowest.id}); budget ${BUDGET_MS} ms; most memory: ${(mostMemory.bytes / 2 ** 20).toFixed(1)} MB (case ${mostMemory.id})`,
        ...failures.map((f) => `  FAIL case ${f.id} ${f.seed.name}: ${describePlan(f.minimal)}\n    (as generated: ${f.description})\n    saved: ${f.saved}\n    ${f.failures.map((x) => `[${x.category} in ${x.command}] ${x.detail.split("\n").slice(0, 10).join("\n      ")}`).join("\n    ")}`),
      ].join("\n");
      process.stdout.write(`\n${summary}\n\n`);
      writeFileSync(join(fuzzDir, "last-run.txt"), `${summary}\n`);
      expect(failures.map((f) => `case ${f.id} ${f.seed.name}: ${describePlan(f.minimal)}: ${f.failures.map((x) => `[${x.category} in ${x.command}] ${x.detail.split("\n")[0] ?? ""}`).join("; ")}`)).toEqual([]);
    },
    Math.max(300_000, CASES * 3_000),
  );
});
