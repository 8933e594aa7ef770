// Safety of goxray's entry probes: samples/stackgrow recurses on several goroutines at once, so
// each goroutine's stack grows (morestack, then the prologue runs again) many times inside the
// traced function. Under the script goxray writes, every goroutine must show exactly depth+1
// calls of main.Recurse (and as many returns where the bpftrace can probe RETs), on every
// bpftrace: the probe after the stack check (0.23, 0.27) and the entry probe with morestack's
// re-run dropped (0.17) both fire once per call. The program keeps running throughout.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { requireBpftraces, runBpftrace } from "./support/bpftrace.js";
import { buildSample, requireToolchains } from "./support/samples.js";

const isRoot = process.getuid?.() === 0;
const toolchains = requireToolchains().filter((t) => ["1.15", "1.22", "1.27"].includes(t.version));
const bpftraces = isRoot ? requireBpftraces() : [];
const DEPTH = 300;
const GOROUTINES = 4;

interface Event {
  event: "call" | "return";
  goid: number;
  args?: { depth: number };
}

describe.skipIf(!isRoot || bpftraces.length === 0)("entry probes fire once per call while stacks grow", () => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-stackgrow-"));
  const cases = toolchains.flatMap((t) => bpftraces.map((b) => [`Go ${t.version}, bpftrace ${b.version}`, t, b] as const));
  it.each(cases)("%s", async (_name, toolchain, bpftrace) => {
    const binary = buildSample("stackgrow", toolchain, "amd64", "default");
    let script = "";
    let stderr = "";
    const code = await runCli(["trace", binary, "main.Recurse", "--json", "--bpftrace", bpftrace.command.join(" ")], { stdout: (s) => void (script += s), stderr: (s) => void (stderr += s) });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const path = join(scratch, `go${toolchain.version}-${bpftrace.minor}.bt`);
    writeFileSync(path, script);
    const iterations = (stdout: string): number => stdout.split('"iter"').length - 1;
    let programOut = "";
    const run = await runBpftrace(bpftrace, [path], {
      program: [binary, "-n", "40", "-interval", "150ms", "-goroutines", String(GOROUTINES), "-depth", String(DEPTH)],
      // Enough complete goroutines: the events of eight iterations.
      stopWhen: (stdout) => stdout.split('"depth":0').length > 8 * GOROUTINES + 1,
      timeoutMs: 20_000,
    });
    programOut = run.programStdout;
    const byGoroutine = new Map<number, Event[]>();
    for (const line of run.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const e = JSON.parse(line) as Event;
      const list = byGoroutine.get(e.goid) ?? [];
      list.push(e);
      byGoroutine.set(e.goid, list);
    }
    expect(run.stdout + run.stderr).not.toMatch(/Lost \d+ events/);
    // Goroutines traced from their first call (depth DEPTH) to their last (depth 0), leaving out
    // the last iterations' (goids grow), whose returns may have come after bpftrace was stopped.
    const goids = [...byGoroutine.keys()].sort((a, b) => a - b).slice(0, -2 * GOROUTINES);
    const complete = goids.map((g) => byGoroutine.get(g) ?? []).filter((list) => {
      const calls = list.filter((e) => e.event === "call");
      return calls[0]?.args?.depth === DEPTH && calls.some((e) => e.args?.depth === 0);
    });
    expect(complete.length).toBeGreaterThanOrEqual(4);
    for (const list of complete) {
      expect(list.filter((e) => e.event === "call").length).toBe(DEPTH + 1);
      if (bpftrace.minor !== "0.17") expect(list.filter((e) => e.event === "return").length).toBe(DEPTH + 1);
    }
    // The program logged iterations while traced and stopped only when the runner stopped it.
    expect(iterations(programOut)).toBeGreaterThan(3);
    expect(programOut).not.toMatch(/goroutines disagree|fatal|panic/);
  });
});
