// Injection safety, live: a calls sample (Go 1.15 and 1.27) built with uncompressed DWARF has, rewritten in place
// and at the same length (test/support/hostile-names.ts), the name of a traced function
// (everywhere it is stored), two parameter names, a type name and a source file name, holding
// quotes, a backslash, a newline, `}`, `%s`, `//`, `/*`, `*/` and a byte that is not UTF-8 (NUL
// cannot be in any of them: every table there ends names with NUL). The script goxray writes
// for it must attach exactly the probes it writes for the unmodified binary — each inside the
// right function by `go tool nm`, and the kernel's list of uprobes on the file (bpftool) must be
// those — and bpftrace (every version available) must print only the intended lines and fields.
// `goxray funcs` and `check` must keep one line per function and per row.

import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { shownName } from "../src/bpftrace/shown-name.js";
import { readElfLayout } from "./fuzz/mutate.js";
import { requireBpftraces, runBpftrace } from "./support/bpftrace.js";
import { renameInBinary } from "./support/hostile-names.js";
import { buildSample, requireToolchains } from "./support/samples.js";
import { readScriptShape } from "./support/script-shape.js";

const isRoot = process.getuid?.() === 0;
// Go 1.15 (stack ABI, DWARF 4, pclntab ver12) and 1.27 (register ABI, DWARF 5, ver120).
const toolchains = requireToolchains().filter((t) => ["1.15", "1.27"].includes(t.version));
const bpftraces = isRoot ? requireBpftraces() : [];
const hasBpftool = spawnSync("bpftool", ["version"]).status === 0;

const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));
/** How goxray (one TextDecoder for every name) reads hostile bytes: 0xff becomes U+FFFD. */
const decoded = (text: string): string => new TextDecoder().decode(latin1(text));

// Each hostile spelling is exactly as long as the name it replaces.
const FUNCTION = { from: "main.LongString", to: 'main."\\\n}%s//*\xff' };
const PARAMS = [
  { from: "label", to: '"%s\n}' },
  { from: "nums", to: "/*\\\xff" },
];
const TYPE = { from: "main.Point", to: 'main.*/"%\xff' };
const FILE = { from: "main.go", to: 'm"\n%s}\xff' };
const TRACED = ["main.LongString", "main.Sum", "main.Midpoint"];

async function goxray(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe.each(toolchains.map((t) => [t.version, t] as const))("hostile names from the binary (Go %s)", (_version, toolchain) => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-hostile-"));
  const original = buildSample("calls", toolchain, "amd64", "nocompress");
  const hostile = join(scratch, "calls");
  const bytes = new Uint8Array(readFileSync(original === "" ? "/dev/null" : original));
  const layout = readElfLayout(bytes);
  const sections = layout?.sections ?? [];
  const renamed = renameInBinary(bytes, sections, [
    { from: latin1(FUNCTION.from), to: latin1(FUNCTION.to), sections: [".gopclntab", ".strtab", ".debug_info"] },
    ...PARAMS.map((p) => ({ from: latin1(p.from), to: latin1(p.to), sections: [".debug_info"], after: latin1("main.Sum") })),
    { from: latin1(TYPE.from), to: latin1(TYPE.to), sections: [".debug_info"] },
    { from: latin1(`calls/${FILE.from}`), to: latin1(`calls/${FILE.to}`), sections: [".gopclntab"] },
    { from: latin1(FILE.from), to: latin1(FILE.to), sections: [".debug_line", ".debug_line_str", ".debug_str"] },
  ]);
  writeFileSync(hostile, renamed.bytes);
  chmodSync(hostile, 0o755);
  const hostilePatterns = [`^main\\."`, "main.Sum", "main.Midpoint"];
  const hostileName = decoded(FUNCTION.to);

  it("every copy of each name was rewritten", () => {
    const [fn, label, nums, type, pclnFile, dwarfFile] = renamed.counts;
    expect(fn).toEqual({ ".gopclntab": 1, ".strtab": 1, ".debug_info": 1 });
    expect(label).toEqual({ ".debug_info": 1 });
    expect(nums).toEqual({ ".debug_info": 1 });
    expect(type?.[".debug_info"]).toBeGreaterThanOrEqual(1);
    expect(pclnFile?.[".gopclntab"]).toBe(1);
    expect(Object.values(dwarfFile ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it("funcs and check keep one line per function and per row, the names escaped", async () => {
    const before = await goxray(["funcs", original]);
    const after = await goxray(["funcs", hostile]);
    expect(after.code).toBe(0);
    expect(after.stdout.split("\n").length).toBe(before.stdout.split("\n").length);
    expect(after.stdout).not.toMatch(/[\0-\x08\x0b-\x1f\x7f]/);
    const line = after.stdout.split("\n").find((l) => l.startsWith('main."'));
    const lineBefore = before.stdout.split("\n").find((l) => l.startsWith("main.LongString(")) ?? "";
    expect(line).toBe(lineBefore.replace("main.LongString", shownName(hostileName)).replace(`/${FILE.from}:`, `/${shownName(decoded(FILE.to))}:`));
    const sum = after.stdout.split("\n").find((l) => l.startsWith("main.Sum("));
    expect(sum?.startsWith(`main.Sum(${shownName(decoded(PARAMS[0]?.to ?? ""))} string, ${shownName(decoded(PARAMS[1]?.to ?? ""))} []int) int  `)).toBe(true);
    const check = await goxray(["check", hostile, "main.Sum", "main.Midpoint"]);
    expect(check.stderr).toBe("");
    expect(check.stdout).not.toMatch(/[\0-\x08\x0b-\x1f\x7f]/);
    const checkBefore = await goxray(["check", original, "main.Sum", "main.Midpoint"]);
    expect(check.stdout.split("\n").length).toBe(checkBefore.stdout.split("\n").length);
    expect(check.stdout).toContain(`main.Midpoint(a ${shownName(decoded(TYPE.to))}, b ${shownName(decoded(TYPE.to))}) ${shownName(decoded(TYPE.to))}`);
    // A name asked for that is not there: the near names quoted in the error stay on its one line.
    const missing = await goxray(["check", hostile, 'main."']);
    expect(missing.code).toBe(6);
    expect(missing.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  });

  const versions = ["0.17", "0.23", "0.27"];
  it.each(versions)("the script for bpftrace %s has the unmodified binary's probes, each inside its function, and nothing else", async (version) => {
    const control = await goxray(["trace", original, ...TRACED, "--bpftrace-version", version, "--attach-path", "/x/calls"]);
    const script = await goxray(["trace", hostile, ...hostilePatterns, "--bpftrace-version", version, "--attach-path", "/x/calls"]);
    expect(script.stderr).toBe("");
    expect(script.code).toBe(0);
    const shape = readScriptShape(script.stdout, "/x/calls");
    expect(shape.problems).toEqual([]);
    expect(shape.probes).toEqual(readScriptShape(control.stdout, "/x/calls").probes);
    // go tool nm's sizes on the unmodified binary: each probe is inside a traced function (or
    // runtime.morestack, which 0.17 scripts watch).
    const nm = execFileSync(toolchain.goBin, ["tool", "nm", "-size", original], { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, GOTOOLCHAIN: "local" } });
    const ranges = nm
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4 && [...TRACED, "runtime.morestack", "runtime.morestack.abi0"].includes(f[3] ?? ""))
      .map((f) => ({ start: parseInt(f[0] ?? "0", 16), size: Number(f[1]) }));
    for (const probe of shape.probes) {
      const address = parseInt(probe.slice(probe.lastIndexOf(":0x") + 3), 16);
      expect(ranges.some((r) => address >= r.start && address < r.start + r.size), probe).toBe(true);
    }
  });

  const text = sections.find((s) => s.name === ".text");
  const runs = bpftraces.flatMap((b) => (["text", "json"] as const).map((mode) => [`bpftrace ${b.version}, ${mode}`, b, mode] as const));
  it.skipIf(!isRoot || bpftraces.length === 0).each(runs)("%s: only the intended probes attach and only the intended fields print", async (_name, bpftrace, mode) => {
    const script = await goxray(["trace", hostile, ...hostilePatterns, "--bpftrace", bpftrace.command.join(" "), ...(mode === "json" ? ["--json"] : [])]);
    expect(script.stderr).toBe("");
    const shape = readScriptShape(script.stdout, hostile);
    expect(shape.problems).toEqual([]);
    const path = join(scratch, `${bpftrace.minor}-${mode}.bt`);
    writeFileSync(path, script.stdout);
    const expectedOffsets = shape.probes.map((p) => parseInt(p.slice(p.lastIndexOf(":0x") + 3), 16) - (text?.address ?? 0) + (text?.offset ?? 0)).sort((a, b) => a - b);
    let attached: number[] = [];
    const argv = [path];
    const run = await runBpftrace(bpftrace, argv, {
      program: [hostile, "-n", "40", "-interval", "100ms"],
      // Once calls of all three functions have printed, the kernel's uprobes on the file are read.
      stopWhen: (stdout) => {
        const done = mode === "json" ? stdout.includes('"event":"call","func":"main.Midpoint"') && stdout.includes('"main.Sum"') && stdout.includes('"func":"main.\\"') : stdout.includes(" main.Midpoint(") && stdout.includes(" main.Sum(") && stdout.includes(' main."');
        if (done && attached.length === 0 && hasBpftool) {
          const perf = spawnSync("bpftool", ["perf", "list"], { encoding: "utf8" }).stdout;
          attached = perf
            .split("\n")
            .filter((l) => l.includes(`filename ${hostile} `))
            .map((l) => Number(/offset (\d+)/.exec(l)?.[1] ?? "-1"))
            .sort((a, b) => a - b);
        }
        return done;
      },
      timeoutMs: 20_000,
    });
    expect(argv.join(" ")).not.toContain("--unsafe");
    expect(run.timedOut, run.stderr).toBe(false);
    if (hasBpftool) expect(attached).toEqual(expectedOffsets);
    const lines = run.stdout.split("\n").filter((l) => l !== "" && !/^Attach(ing|ed) \d+ probes?/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    const names = [hostileName, "main.Sum", "main.Midpoint"];
    const seen = new Set<string>();
    for (const line of lines) {
      if (mode === "json") {
        const event = JSON.parse(line) as { event: string; func: string; args?: Record<string, unknown> };
        expect(names).toContain(event.func);
        seen.add(event.func);
        if (event.event === "call") {
          const keys = Object.keys(event.args ?? {});
          if (event.func === hostileName) expect(keys).toEqual(["s"]);
          if (event.func === "main.Sum") expect(keys).toEqual(PARAMS.map((p) => decoded(p.to)));
          if (event.func === "main.Midpoint") expect(keys).toEqual(["a", "b"]);
        }
      } else {
        // One line per event: the goroutine, then one of the names as shown, then a call's
        // arguments or " returned".
        const shownNames = names.map(shownName);
        const match = /^g\d+ (.*?)(\(| returned)/.exec(line);
        expect(match, line).not.toBeNull();
        const head = line.slice(line.indexOf(" ") + 1);
        const name = shownNames.find((n) => head.startsWith(`${n}(`) || head.startsWith(`${n} returned`));
        expect(name, line).toBeDefined();
        seen.add(names[shownNames.indexOf(name ?? "")] ?? "");
        if (head.startsWith("main.Sum(")) expect(head.startsWith(`main.Sum(${shownName(decoded(PARAMS[0]?.to ?? ""))}="`), line).toBe(true);
      }
    }
    expect([...seen].sort()).toEqual([...names].sort());
    process.stdout.write(`hostile names, Go ${toolchain.version}, bpftrace ${bpftrace.version} ${mode}: ${lines.length} lines, ${attached.length} uprobes on the file (expected ${expectedOffsets.length})\n`);
  }, 60_000);
});
