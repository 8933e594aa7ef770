// Safety of goxray's entry probes: samples/stackgrow recurses on several goroutines at once, so
// each goroutine's stack grows (morestack, then the prologue runs again) many times inside the
// traced function. Under the script goxray writes, every goroutine must show exactly depth+1
// calls of main.Recurse (and as many returns where the bpftrace can probe RETs), on every
// bpftrace: the probe after the stack check (0.23, 0.27) and the entry probe with morestack's
// re-run dropped (0.17) both fire once per call. The program keeps running throughout. A
// uretprobe on the same function, attached by the test itself, kills it (Go's "unexpected
// return pc ... called from 0x7fffffffe000": the kernel's uprobe trampoline page).

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
      // Iterations for about 3 s (probes attach within the first second), then a second for
      // bpftrace to print what its buffers still hold: every event of the finished goroutines.
      program: [binary, "-n", "20", "-interval", "150ms", "-goroutines", String(GOROUTINES), "-depth", String(DEPTH)],
      stopAfterProgramExitMs: 1000,
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
    // Goroutines traced from their first call (depth DEPTH) to their last (depth 0).
    const complete = [...byGoroutine.values()].filter((list) => {
      const calls = list.filter((e) => e.event === "call");
      return calls[0]?.args?.depth === DEPTH && calls.some((e) => e.args?.depth === 0);
    });
    expect(complete.length).toBeGreaterThanOrEqual(4 * GOROUTINES);
    expect(run.timedOut).toBe(false);
    for (const list of complete) {
      expect(list.filter((e) => e.event === "call").length).toBe(DEPTH + 1);
      if (bpftrace.minor !== "0.17") expect(list.filter((e) => e.event === "return").length).toBe(DEPTH + 1);
    }
    // The program logged iterations while traced and stopped only when the runner stopped it.
    expect(iterations(programOut)).toBeGreaterThan(3);
    expect(programOut).not.toMatch(/goroutines disagree|fatal|panic/);
  });

  // Without goxray's care the hazard is real: a probe on the entry byte fires more than once per
  // call for some goroutine (the goroutine expression is the one goxray's script uses).
  const host = bpftraces.find((b) => b.minor === "0.17") ?? bpftraces[0];
  it.each(toolchains.map((t) => [`Go ${t.version}`, t] as const))("a plain entry probe fires again after morestack (%s)", async (_name, toolchain) => {
    if (host === undefined) return;
    const binary = buildSample("stackgrow", toolchain, "amd64", "default");
    let script = "";
    await runCli(["trace", binary, "main.Recurse", "--bpftrace-version", "0.17"], { stdout: (s) => void (script += s), stderr: () => undefined });
    const goroutine = /\$g = (.*);/.exec(script)?.[1];
    const entry = /\/\/ main\.Recurse: entry\n(uprobe:[^\n]*)/.exec(script)?.[1];
    expect(goroutine).toBeDefined();
    expect(entry).toBeDefined();
    const path = join(scratch, `plain-go${toolchain.version}.bt`);
    writeFileSync(path, `${String(entry)} { printf("%lu\\n", ${String(goroutine)}); }\n`);
    const run = await runBpftrace(host, [path], {
      program: [binary, "-n", "20", "-interval", "150ms", "-goroutines", String(GOROUTINES), "-depth", String(DEPTH)],
      stopAfterProgramExitMs: 1000,
      timeoutMs: 20_000,
    });
    const hits = new Map<string, number>();
    for (const line of run.stdout.split("\n")) if (/^\d+$/.test(line)) hits.set(line, (hits.get(line) ?? 0) + 1);
    expect(Math.max(...hits.values())).toBeGreaterThan(DEPTH + 1);
  });

  // Why goxray never writes a uretprobe (docs/trace.md): the kernel replaces the return address
  // on the stack with its trampoline, and when the goroutine's stack grows, Go copies the frames
  // and walks them, meets a return address that is no function of the program, and dies. Here
  // the test itself, not goxray, attaches one to main.Recurse with the host's bpftrace.
  it.each(toolchains.map((t) => [`Go ${t.version}`, t] as const))("a uretprobe on the recursive function crashes the program (%s)", async (_name, toolchain) => {
    if (host === undefined) return;
    const binary = buildSample("stackgrow", toolchain, "amd64", "default");
    const path = join(scratch, `uretprobe-go${toolchain.version}.bt`);
    writeFileSync(path, `uretprobe:${binary}:main.Recurse { @returns = count(); }\n`);
    const run = await runBpftrace(host, [path], {
      program: [binary, "-n", "20", "-interval", "150ms", "-goroutines", String(GOROUTINES), "-depth", String(DEPTH)],
      stopAfterProgramExitMs: 500,
      timeoutMs: 20_000,
    });
    const fatal = /^(fatal error: .*|runtime: .*unexpected return pc.*|unexpected fault address.*|signal SIG\w+.*)$/m.exec(run.programStderr)?.[0] ?? "(nothing on stderr)";
    process.stdout.write(`uretprobe on main.Recurse, Go ${toolchain.version}: ${run.programStdout.split('"iter"').length - 1} of 20 iterations, exit ${JSON.stringify(run.programExit)}, ${fatal}\n`);
    // Killed by the Go runtime's fatal error (exit 2) or a signal, before its 20 iterations.
    expect(run.programExit?.code === 0).toBe(false);
    expect(run.programExit?.signal).not.toBe("SIGKILL");
    expect(run.programStdout.split('"iter"').length - 1).toBeLessThan(20);
    expect(run.programStderr).toMatch(/unexpected return pc|unknown caller pc|fatal error|SIGSEGV/);
  });
});
