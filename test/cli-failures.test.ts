// Every command on every class of broken input: exactly one line on stderr, starting "goxray: ",
// and the exit code README "Exit codes" gives for that class. `--debug` changes nothing for
// these (they are not bugs); it adds a stack trace to an internal error only.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli/main.js";
import { readElfLayout } from "./fuzz/mutate.js";
import { buildSample, buildSampleForArch, requireToolchains } from "./support/samples.js";

const toolchain = requireToolchains().find((t) => t.version === "1.27");
const scratch = mkdtempSync(join(tmpdir(), "goxray-cli-failures-"));

async function goxray(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/** The argv of each command on BIN (check and trace on a function the calls sample has). */
const COMMANDS: Readonly<Record<string, (bin: string) => string[]>> = {
  analyze: (bin) => ["analyze", bin],
  funcs: (bin) => ["funcs", bin],
  check: (bin) => ["check", bin, "main.Greet"],
  trace: (bin) => ["trace", bin, "main.Greet", "--bpftrace-version", "0.23"],
};

/** Writes `bytes` with `edit` applied at the start of section `name` (plus `at`). */
function withEdit(bytes: Uint8Array, section: string, at: number, edit: readonly number[], file: string): string {
  const layout = readElfLayout(bytes);
  const s = layout?.sections.find((x) => x.name === section);
  if (s === undefined) throw new Error(`no ${section}`);
  const out = new Uint8Array(bytes);
  out.set(edit, s.offset + at);
  const path = join(scratch, file);
  writeFileSync(path, out);
  return path;
}

interface BrokenInput {
  readonly name: string;
  readonly path: () => string;
  /** The exit code of analyze, funcs, check and trace, in that order. */
  readonly codes: readonly [number, number, number, number];
}

const calls = (): Uint8Array => new Uint8Array(readFileSync(toolchain === undefined ? "/dev/null" : buildSample("calls", toolchain, "amd64", "default")));

const INPUTS: readonly BrokenInput[] = [
  { name: "missing file", path: () => join(scratch, "missing"), codes: [3, 3, 3, 3] },
  { name: "a directory", path: () => scratch, codes: [3, 3, 3, 3] },
  { name: "empty file", path: () => (writeFileSync(join(scratch, "empty"), ""), join(scratch, "empty")), codes: [3, 3, 3, 3] },
  { name: "text file", path: () => (writeFileSync(join(scratch, "text"), "#!/bin/sh\necho hello\n"), join(scratch, "text")), codes: [3, 3, 3, 3] },
  // analyze reports a non-Go ELF's facts on stdout and exits 3 with one line on stderr.
  { name: "ELF, not Go", path: () => "/bin/true", codes: [3, 3, 3, 3] },
  { name: "Go binary cut inside its section table", path: () => (writeFileSync(join(scratch, "cut"), calls().subarray(0, 0x400)), join(scratch, "cut")), codes: [4, 4, 4, 4] },
  { name: "pclntab magic of an unknown newer Go", path: () => withEdit(calls(), ".gopclntab", 0, [0xf2, 0xff, 0xff, 0xff], "newer-pclntab"), codes: [5, 5, 5, 5] },
  { name: "pclntab pointer size 3", path: () => withEdit(calls(), ".gopclntab", 7, [3], "bad-pclntab"), codes: [4, 4, 4, 4] },
  { name: "zstd-compressed .debug_info", path: () => withEdit(calls(), ".debug_info", 0, [2, 0, 0, 0], "zstd-info"), codes: [5, 5, 5, 5] },
  { name: ".debug_info zlib stream cut short", path: () => withEdit(calls(), ".debug_info", 24, [0, 0, 0, 0, 0, 0, 0, 0], "bad-zlib"), codes: [4, 4, 4, 4] },
];

describe.skipIf(toolchain === undefined)("every failure is one stderr line and its documented exit code", () => {
  const cases = INPUTS.flatMap((input) => Object.keys(COMMANDS).map((command, k) => [input.name, command, input, k] as const));
  it.each(cases)("%s: %s", async (_name, command, input, k) => {
    const path = input.path();
    const argv = COMMANDS[command]?.(path) ?? [];
    for (const debug of [false, true]) {
      const r = await goxray(debug ? ["--debug", ...argv] : argv);
      expect(r.code, r.stderr).toBe(input.codes[k]);
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      if (r.code === 0) expect(lines).toEqual([]);
      else {
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^goxray: /);
        expect(lines[0]).toContain(path);
      }
    }
  });

  const other: readonly (readonly [string, () => string[], number])[] = [
    ["check: no such function", () => ["check", buildSample("calls", toolchain ?? requireToolchains()[0]!, "amd64", "default"), "main.NoSuchFunction"], 6],
    ["trace: no function matches", () => ["trace", buildSample("calls", toolchain ?? requireToolchains()[0]!, "amd64", "default"), "^nothing$", "--bpftrace-version", "0.23"], 6],
    ["trace: inlined everywhere", () => ["trace", buildSample("calls", toolchain ?? requireToolchains()[0]!, "amd64", "default"), "main.Double", "--bpftrace-version", "0.23"], 7],
    ["trace: unsupported architecture", () => ["trace", buildSampleForArch("calls", toolchain ?? requireToolchains()[0]!, "mips"), "main.Greet", "--bpftrace-version", "0.23"], 5],
    ["trace: no bpftrace there", () => ["trace", buildSample("calls", toolchain ?? requireToolchains()[0]!, "amd64", "default"), "main.Greet", "--bpftrace", join(scratch, "no-bpftrace")], 8],
    ["trace: bad --bpftrace-version", () => ["trace", buildSample("calls", toolchain ?? requireToolchains()[0]!, "amd64", "default"), "main.Greet", "--bpftrace-version", "x"], 2],
    ["funcs: bad regular expression", () => ["funcs", buildSample("calls", toolchain ?? requireToolchains()[0]!, "amd64", "default"), "("], 2],
    ["check: no function given", () => ["check", "/bin/true"], 2],
    ["an unknown command", () => ["frobnicate"], 2],
  ];
  it.each(other)("%s", async (_name, argv, code) => {
    for (const debug of [false, true]) {
      const r = await goxray(debug ? ["--debug", ...argv()] : argv());
      expect(r.code, r.stderr).toBe(code);
      const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("(run goxray --help"));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^goxray: |^error: /);
    }
  });
});

describe("an internal error", () => {
  afterEach(() => {
    vi.doUnmock("../src/model/go-binary.js");
    vi.resetModules();
  });

  it("is one line with exit 70, and --debug adds its stack trace", async () => {
    // A bug stands in as a TypeError from the first module every command loads.
    vi.resetModules();
    vi.doMock("../src/model/go-binary.js", () => ({
      GoBinary: {
        open: () => {
          throw new TypeError("cannot read properties of undefined (reading 'x')");
        },
      },
    }));
    const { runCli: run } = await import("../src/cli/main.js");
    for (const command of ["analyze", "funcs", "check"]) {
      const argv = command === "check" ? [command, "/bin/true", "main.F"] : [command, "/bin/true"];
      let stderr = "";
      const code = await run(argv, { stdout: () => undefined, stderr: (s) => void (stderr += s) });
      expect(code).toBe(70);
      expect(stderr).toBe("goxray: internal error: cannot read properties of undefined (reading 'x')\n");
      let debugStderr = "";
      const debugCode = await run(["--debug", ...argv], { stdout: () => undefined, stderr: (s) => void (debugStderr += s) });
      expect(debugCode).toBe(70);
      const lines = debugStderr.split("\n").filter((l) => l !== "");
      expect(lines[0]).toBe("goxray: internal error: cannot read properties of undefined (reading 'x')");
      expect(lines.slice(1).some((l) => /^\s+at /.test(l))).toBe(true);
    }
  });
});
