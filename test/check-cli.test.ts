import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import type { CheckReport } from "../src/report/check-report.js";
import { buildSample, requireToolchains, type GoToolchain } from "./support/samples.js";

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

type Where = string; // "RAX" or "SP+8"
const where = (r: CheckReport, value: string): Where[] =>
  [...r.params, ...r.results].filter((v) => v.name === value).flatMap((v) => v.pieces.map((p) => p.register ?? `SP+${p.stackOffset ?? "?"}`));

// Written from abi-internal.md (register assignment steps; amd64 RAX RBX RCX RDI RSI R8 R9 R10 R11,
// arm64 R0–R15; stack arguments from SP+8 at entry) and, for Go 1.15, from ABI0's memory layout,
// for `func Many(a, b, c, d, e, f, g, h int, s string, i, j, k int) int` in samples/calls/main.go.
const MANY: Record<"register-amd64" | "register-arm64" | "stack-amd64" | "stack-arm64", Record<string, Where[]>> = {
  // s needs two registers but only R11 is left: s goes to the stack, i still takes R11 (step: "assign the whole value to the stack", later values continue).
  "register-amd64": { a: ["RAX"], h: ["R10"], s: ["SP+8", "SP+16"], i: ["R11"], j: ["SP+24"], k: ["SP+32"], "~r0": ["RAX"] },
  "register-arm64": { a: ["R0"], h: ["R7"], s: ["R8", "R9"], i: ["R10"], j: ["R11"], k: ["R12"], "~r0": ["R0"] },
  // ABI0: every argument in order from SP+8, then the result, pointer-aligned.
  "stack-amd64": { a: ["SP+8"], h: ["SP+64"], s: ["SP+72", "SP+80"], i: ["SP+88"], j: ["SP+96"], k: ["SP+104"], "~r12": ["SP+112"] },
  "stack-arm64": { a: ["SP+8"], h: ["SP+64"], s: ["SP+72", "SP+80"], i: ["SP+88"], j: ["SP+96"], k: ["SP+104"], "~r12": ["SP+112"] },
};

/** RET offsets of one function from `go tool objdump`, the toolchain's own disassembler. */
function objdumpRets(toolchain: GoToolchain, path: string, symbol: string, entry: number): number[] {
  const text = execFileSync(toolchain.goBin, ["tool", "objdump", "-s", `^${symbol.replace(/[().*[\]]/g, "\\$&")}$`, path], { encoding: "utf8", env: { ...process.env, GOTOOLCHAIN: "local" } });
  const rets: number[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s+\S+:\d+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+(RET|RETQ)\b/.exec(line);
    if (m !== null) rets.push(parseInt(m[1] ?? "0", 16) - entry);
  }
  return rets;
}

describe("goxray check on the calls sample, every Go version, amd64 and arm64", () => {
  const toolchains = requireToolchains();
  const traced = (JSON.parse(readFileSync("samples/calls/signatures.json", "utf8")) as { functions: { name: string; inlining: string }[] }).functions;

  it.each(toolchains.map((t) => [t.fullVersion, t] as const))("%s", async (_v, toolchain) => {
    const counts = { functions: 0, agree: 0, explained: 0, notComparable: 0, rets: 0 };
    for (const arch of ["amd64", "arm64"] as const) {
      const path = buildSample("calls", toolchain, arch, "default");
      const names = traced.filter((f) => f.inlining !== "inlined").map((f) => f.name);
      const r = await cli("check", "--json", path, ...names);
      expect(r.stderr).toBe("");
      const reports = JSON.parse(r.stdout) as CheckReport[];
      expect(reports.map((x) => x.function)).toEqual(names);
      for (const report of reports) {
        counts.functions++;
        expect(report.traceable, report.function).toBe(true);
        const entry = parseInt(report.entry ?? "0", 16);
        // RET offsets: the same instructions go tool objdump prints.
        const want = objdumpRets(toolchain, path, report.function, entry);
        expect(report.retOffsets, report.function).toEqual(want);
        counts.rets += want.length;
        for (const p of report.params) {
          if (p.dwarf === "agrees") counts.agree++;
          else if (p.dwarf === "not-comparable") counts.notComparable++;
          else {
            // A disagreement must be one the report explains (a known compiler DWARF pattern).
            expect(report.hazards.some((h) => h.code === "dwarf-disagrees" && h.message.startsWith(`${p.name}:`) && !h.message.endsWith("check the value before relying on it")), `${report.function} ${p.name}: ${p.dwarfDetail ?? ""}`).toBe(true);
            counts.explained++;
          }
        }
        expect(report.hazards.some((h) => h.code === "uretprobe-unsafe")).toBe(true);
      }
      const many = reports.find((x) => x.function === "main.Many");
      const minor = Number(toolchain.version.split(".")[1]);
      const key = `${minor >= (arch === "amd64" ? 17 : 18) ? "register" : "stack"}-${arch}` as const;
      if (many !== undefined) for (const [value, places] of Object.entries(MANY[key])) expect(where(many, value), `main.Many ${value} (${key})`).toEqual(places);
      const floats = reports.find((x) => x.function === "main.Floats");
      expect(floats?.hazards.some((h) => h.code === "float-register"), "main.Floats").toBe(key.startsWith("register"));
    }
    console.log(`${toolchain.fullVersion}: ${counts.functions} functions; arguments vs DWARF at entry: ${counts.agree} agree, ${counts.explained} explained disagreements, ${counts.notComparable} not comparable; ${counts.rets} RETs equal go tool objdump`);
    expect(counts.agree).toBeGreaterThan(counts.explained);
  });

  it("exit codes: 7 for a function inlined everywhere, 6 for an unknown name, 0 otherwise", async () => {
    const newest = toolchains[toolchains.length - 1];
    if (newest === undefined) return;
    const path = buildSample("calls", newest, "amd64", "default");
    const inlined = await cli("check", path, "main.Double");
    expect(inlined.code).toBe(7);
    expect(inlined.stdout).toContain("inlined-always");
    expect(inlined.stdout).toContain("traceable: no");
    const missing = await cli("check", path, "main.NoSuchThing");
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/^goxray: .*: no function named "main.NoSuchThing"; goxray funcs lists them\n$/);
    const near = await cli("check", path, "Cart");
    expect(near.stderr).toContain("did you mean main.(*Cart).Add");
    expect((await cli("check", path, "main.Square")).code).toBe(0);
  });
});

describe("analyze --hazards", () => {
  const toolchains = requireToolchains();
  it("counts the main module's hazards: the inlined function, and floats in registers under the register ABI", async () => {
    for (const toolchain of toolchains) {
      const r = await cli("analyze", "--json", "--hazards", buildSample("calls", toolchain, "amd64", "default"));
      expect(r.code).toBe(0);
      const summary = (JSON.parse(r.stdout) as { hazards: { counts: { code: string; functions: number; examples: string[] }[] } }).hazards;
      const count = (code: string): number => summary.counts.find((c) => c.code === code)?.functions ?? 0;
      // samples/calls: Double is inlined at its three call sites (signatures.json).
      expect(count("inlined-always"), toolchain.version).toBeGreaterThanOrEqual(1);
      // Point.Norm returns float64, Floats and Complexes take floats: registers from Go 1.17 on amd64.
      expect(count("float-register"), toolchain.version).toBe(Number(toolchain.version.split(".")[1]) >= 17 ? 3 : 0);
    }
  });
});
