// Replays every fuzz crasher kept in test/fuzz/regressions/ (regression.ts: a sample build and the
// edits that broke goxray): each command must now end in a result or a GoxrayError of a kind it
// may give, naming the file and, for malformed input, the offset where reading stopped.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSample, installedToolchains } from "../support/samples.js";
import { applyMutation } from "./mutate.js";
import type { Regression } from "./regression.js";
import { COMMANDS, loadSeed, runCommand } from "./run-command.js";
import { EXPECTED_KINDS } from "./verdict.js";

const dir = join(import.meta.dirname, "regressions");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

describe("fuzz regressions", () => {
  it.each(files)("%s", async (file) => {
    const regression = JSON.parse(readFileSync(join(dir, file), "utf8")) as Regression;
    const toolchain = installedToolchains().find((t) => t.version === regression.go);
    if (toolchain === undefined) {
      if ((process.env["CI"] ?? "") !== "") throw new Error(`Go ${regression.go} is not installed`);
      return;
    }
    const seedPath = buildSample(regression.sample, toolchain, regression.arch, regression.flags);
    const seed = loadSeed(new Uint8Array(readFileSync(seedPath)), file);
    const mutant = applyMutation(seed.bytes, regression.steps, 0);
    const problems: string[] = [];
    for (const command of COMMANDS) {
      const outcome = await runCommand(command, mutant, file, 0, seed);
      if (outcome.status === "ok") continue;
      if (outcome.status !== "error") {
        problems.push(`${command}: ${JSON.stringify(outcome)}`);
        continue;
      }
      if (!EXPECTED_KINDS[command].has(outcome.kind)) problems.push(`${command}: kind ${outcome.kind}: ${outcome.message}`);
      if (!outcome.message.startsWith(`${file}: `)) problems.push(`${command}: does not start with the file: ${outcome.message}`);
      if (outcome.kind === "malformed" && outcome.offset === undefined) problems.push(`${command}: no offset: ${outcome.message}`);
    }
    expect(problems).toEqual([]);
  });
});
