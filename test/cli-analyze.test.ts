import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import type { BinaryAnalysis } from "../src/report/analysis.js";
import { goPrintedSetting, goVersionM } from "./support/go-tools.js";
import { readelfHeader, readelfSections } from "./support/readelf.js";
import { buildSample, cacheRoot, requireToolchains, type FlagSet } from "./support/samples.js";

const scratch = join(process.cwd(), ".cache", "test-scratch");
mkdirSync(scratch, { recursive: true });

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

async function analyzeJson(path: string): Promise<BinaryAnalysis> {
  const r = await cli("analyze", "--json", path);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as BinaryAnalysis;
}

const FLAG_SETS: readonly FlagSet[] = ["default", "noopt", "pie", "stripped", "nodwarf", "nocompress"];

describe("goxray analyze on samples of every Go version", () => {
  const toolchains = requireToolchains();
  it.each(toolchains.map((t) => [t.fullVersion, t] as const))("%s, amd64 and arm64, every flag set", async (_v, toolchain) => {
    for (const arch of ["amd64", "arm64"] as const) {
      for (const flags of FLAG_SETS) {
        const path = buildSample("calls", toolchain, arch, flags);
        const a = await analyzeJson(path);
        const where = `${toolchain.version} ${arch} ${flags}`;
        const truth = goVersionM(toolchain, path);
        // Build info: exactly what the Go toolchain itself reads.
        expect(a.goVersion, where).toBe(truth.goVersion);
        expect(a.goVersion, where).toBe(toolchain.fullVersion);
        expect(a.mainPackage, where).toBe(truth.path ?? null);
        expect(a.module, where).toEqual(truth.mod ?? null);
        expect(Object.entries(a.buildSettings).map(([k, v]) => goPrintedSetting(k, v)), where).toEqual(truth.buildLines);
        // Machine and ABI: the arch we asked for; registers from Go 1.17 (amd64) / 1.18 (arm64), per abi-internal.md.
        expect(a.arch, where).toBe(arch);
        const minor = Number(toolchain.version.split(".")[1]);
        expect(a.abi, where).toBe(minor >= (arch === "amd64" ? 17 : 18) ? "register" : "stack");
        // ELF facts: what readelf says.
        const header = readelfHeader(path);
        expect(a.pie, where).toBe(header.type.startsWith("DYN"));
        expect(a.pie, where).toBe(flags === "pie");
        const sections = readelfSections(path).map((s) => s.name);
        expect(a.stripped, where).toBe(!sections.includes(".symtab"));
        expect(a.stripped, where).toBe(flags === "stripped");
        const hasDwarf = sections.some((s) => s === ".debug_info" || s === ".zdebug_info");
        expect(a.dwarf.present, where).toBe(hasDwarf);
        expect(a.dwarf.present, where).toBe(flags !== "nodwarf" && flags !== "stripped");
        if (a.dwarf.present) {
          // Measured (reference/measured.md): 1.15 .zdebug_*, 1.19+ SHF_COMPRESSED, DWARF 5 from 1.25 except when not compressed.
          expect(a.dwarf.compression, where).toBe(flags === "nocompress" ? "none" : minor < 19 ? "zdebug" : "zlib");
          expect(a.dwarf.version, where).toBe(minor >= 25 ? 5 : 4);
        }
        expect(a.cgo, where).toBe(false);
        expect(a.functions, where).toBeGreaterThan(500);
        expect(a.mainModuleFunctions, where).toBeGreaterThan(10);
        expect(a.notes.some((n) => n.code === "no-symtab"), where).toBe(flags === "stripped");
        // -gcflags=all=-N -l turns inlining off; only then is there no inlining note (Go ≥ 1.18 records the flags).
        expect(a.notes.some((n) => n.code === "inlining"), where).toBe(minor >= 18 && flags !== "noopt");
      }
    }
  });

  it("reads Go 1.15 build info outside a module (module info pointing into .bss)", async () => {
    const go115 = toolchains.find((t) => t.version === "1.15");
    if (go115 === undefined) return;
    const dir = join(scratch, "gopath-mode");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.go"), "package main\n\nfunc main() {}\n");
    const out = join(dir, "nomod");
    execFileSync(go115.goBin, ["build", "-o", out, "main.go"], { cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir, GO111MODULE: "off", GOTOOLCHAIN: "local", CGO_ENABLED: "0", GOCACHE: join(cacheRoot, "gocache", "go1.15") } });
    const a = await analyzeJson(out);
    const truth = goVersionM(go115, out);
    expect(a.goVersion).toBe(truth.goVersion);
    expect(a.module).toBeNull();
    expect(truth.mod).toBeUndefined();
  });

  it("prints a human report with the same facts", async () => {
    const newest = toolchains[toolchains.length - 1];
    if (newest === undefined) return;
    const r = await cli("analyze", buildSample("calls", newest, "amd64", "default"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Go version      ${newest.fullVersion}`);
    expect(r.stdout).toMatch(/ABI\s+register: Go 1\.\d+ on amd64 passes arguments and results in registers/);
    expect(r.stdout).toContain("inlining");
  });
});

describe("bad input: one line, the file named, a documented exit code", () => {
  const toolchains = requireToolchains();
  const newest = toolchains[toolchains.length - 1];

  it("a missing file, a directory, an empty file and a text file", async () => {
    const empty = join(scratch, "empty");
    writeFileSync(empty, "");
    const text = join(scratch, "text");
    writeFileSync(text, "#!/bin/sh\necho not an ELF file\n");
    const cases: [string, RegExp, number][] = [
      [join(scratch, "missing"), /^goxray: .*missing: cannot open: no such file\n$/, 3],
      [scratch, /^goxray: .*test-scratch: is a directory, not a binary\n$/, 3],
      [empty, /^goxray: .*empty: empty file, not an ELF binary\n$/, 3],
      [text, /^goxray: .*text: not an ELF binary \(no \\x7fELF magic\)\n$/, 3],
    ];
    for (const [path, message, code] of cases) {
      const r = await cli("analyze", path);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe("");
    }
  });

  it("a non-Go ELF gets an ELF report and 'not a Go binary'", async () => {
    const r = await cli("analyze", "/bin/ls");
    expect(r.stdout).toMatch(/^\/bin\/ls: not a Go binary\n/);
    expect(r.stdout).toContain("ELF64, little-endian");
    expect(r.stderr).toBe("goxray: /bin/ls: not a Go binary: no Go build info (.go.buildinfo) and no pclntab\n");
    expect(r.code).toBe(3);
  });

  it("a truncated Go binary names the file, the place and exits 4", async () => {
    if (newest === undefined) return;
    const original = buildSample("calls", newest, "amd64", "default");
    const size = readFileSync(original).byteLength;
    for (const keep of [40, 100, 4096, Math.floor(size / 2), size - 100]) {
      const cut = join(scratch, `truncated-${keep}`);
      copyFileSync(original, cut);
      truncateSync(cut, keep);
      const r = await cli("analyze", cut);
      expect(r.stderr, `kept ${keep}`).toMatch(new RegExp(`^goxray: ${cut}: (offset 0x[0-9a-f]+|\\.[a-z_.]+\\+0x[0-9a-f]+): [^\\n]+\\n$`));
      expect(r.code, `kept ${keep}: ${r.stderr}`).toBe(4);
    }
  });

  it("a corrupted section header entry size is reported at its offset", async () => {
    if (newest === undefined) return;
    const bytes = readFileSync(buildSample("calls", newest, "amd64", "default"));
    bytes.writeUInt16LE(12, 0x3a); // e_shentsize
    const bad = join(scratch, "bad-shentsize");
    writeFileSync(bad, bytes);
    const r = await cli("analyze", bad);
    expect(r.stderr).toBe(`goxray: ${bad}: offset 0x3a: ELF header: e_shentsize 12, expected 64\n`);
    expect(r.code).toBe(4);
  });

  it("a usage error exits 2; --help and --version exit 0", async () => {
    expect((await cli("analyze")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("--help")).code).toBe(0);
    const v = await cli("--version");
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
  });

  it("the installed command sets the process exit code and prints one line", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, ["dist/cli/bin.js", "analyze", "/nonexistent/binary"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(3);
    expect(stderr).toBe("goxray: /nonexistent/binary: cannot open: no such file\n");
  });
});
