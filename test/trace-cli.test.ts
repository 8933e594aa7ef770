// goxray trace without running a trace: its errors and exit codes, the probes it writes checked
// against `go tool objdump` (every probe on an instruction of the function asked for, one per RET,
// never a uretprobe), and every script accepted by each bpftrace's own checker (`--dry-run`;
// 0.17 has `-d` instead) for every sample, Go release and build flavour.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { requireBpftraces } from "./support/bpftrace.js";
import { buildSample, requireToolchains, sampleSupports, type FlagSet, type GoToolchain } from "./support/samples.js";

const toolchains = requireToolchains();
const isRoot = process.getuid?.() === 0;
const bpftraces = isRoot ? requireBpftraces() : [];

async function goxray(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

const newest = toolchains[toolchains.length - 1];

describe.skipIf(newest === undefined)("goxray trace: refusals and exit codes", () => {
  const binary = (): string => buildSample("calls", newest as GoToolchain, "amd64", "default");

  it("names a missing function (6), an inlined-everywhere one (7), an old bpftrace (5), a missing bpftrace (8), a bad option (2)", async () => {
    const cases: [string[], number, RegExp][] = [
      [["trace", binary(), "main.NoSuchThing", "--bpftrace-version", "0.23"], 6, /no function with a body matches "main.NoSuchThing"/],
      [["trace", binary(), "main.Double", "--bpftrace-version", "0.23"], 7, /main.Double has no body: the compiler inlined it at every call site/],
      [["trace", binary(), "main.Greet", "--bpftrace-version", "0.16"], 5, /bpftrace 0.16.0 is older than 0.17/],
      [["trace", binary(), "main.Greet", "--bpftrace", "/nonexistent/bpftrace"], 8, /cannot run bpftrace/],
      [["trace", binary(), "main.Greet", "--bpftrace-version", "zero"], 2, /is not a version/],
      [["trace", binary(), "main.Greet", "--bpftrace-version", "0.23", "--string-bytes", "-3"], 2, /--string-bytes takes a positive integer/],
      [["trace", binary(), "main.Greet", "--bpftrace-version", "0.23", "--attach-path", "/tmp/a b:c"], 2, /has characters an attach point cannot hold/],
      [["trace", binary(), "(", "--bpftrace-version", "0.23"], 2, /names no function and is not a regular expression/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await goxray(argv);
      expect({ argv: argv.slice(2).join(" "), code: r.code }).toEqual({ argv: argv.slice(2).join(" "), code });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  });
});

/** `go tool objdump -s '^FUNC$'`: each instruction's address and text. */
function objdump(toolchain: GoToolchain, binary: string, func: string): { address: number; text: string }[] {
  const regex = `^${func.replace(/[.*()[\]]/g, (c) => `\\${c}`)}$`;
  const out = spawnSync(toolchain.goBin, ["tool", "objdump", "-s", regex, binary], { encoding: "utf8", maxBuffer: 64 << 20, env: { PATH: "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/root", GOTOOLCHAIN: "local" } });
  const list: { address: number; text: string }[] = [];
  for (const line of out.stdout.split("\n")) {
    const m = /^\s+\S*\t+0x([0-9a-f]+)\t+[0-9a-f]+\t+(.*?)\s*$/.exec(line);
    if (m !== null) list.push({ address: Number.parseInt(m[1] ?? "", 16), text: m[2] ?? "" });
  }
  return list;
}

describe("goxray trace: the probes sit where objdump shows the function's instructions", () => {
  const FUNCS = ["main.Greet", "main.(*Cart).Add", "main.Parse", "main.ErrorText", "main.Many", "main.Point.Norm"];
  for (const toolchain of toolchains) {
    for (const flags of ["default", "pie"] as FlagSet[]) {
      it(`Go ${toolchain.version} ${flags}`, async () => {
        const binary = buildSample("calls", toolchain, "amd64", flags);
        for (const version of ["0.17", "0.23"]) {
          const r = await goxray(["trace", binary, ...FUNCS, "--bpftrace-version", version]);
          expect(r.code).toBe(0);
          expect(r.stdout).not.toMatch(/uretprobe\s*:|uretprobe:|system\(|--unsafe/);
          for (const func of FUNCS) {
            const listing = objdump(toolchain, binary, func);
            const addresses = new Set(listing.map((i) => i.address));
            const rets = listing.filter((i) => /^RET\b/.test(i.text)).map((i) => i.address);
            const escaped = func.replace(/[.*()[\]]/g, (c) => `\\${c}`);
            const probes = [...r.stdout.matchAll(new RegExp(`^// ${escaped}: (entry[^\\n]*|RET at \\+0x[0-9a-f]+)\\nuprobe:[^:]+:0x([0-9a-f]+)`, "gm"))];
            const entries = probes.filter((p) => p[1]?.startsWith("entry") === true).map((p) => Number.parseInt(p[2] ?? "", 16));
            const retProbes = probes.filter((p) => p[1]?.startsWith("RET") === true).map((p) => Number.parseInt(p[2] ?? "", 16));
            expect(entries, func).toHaveLength(1);
            for (const a of [...entries, ...retProbes]) expect(addresses.has(a), `${func} probe 0x${a.toString(16)} is an instruction of the function`).toBe(true);
            if (version === "0.17") {
              expect(entries[0]).toBe(listing[0]?.address);
              expect(retProbes).toEqual([]);
            } else {
              expect(retProbes.sort()).toEqual(rets.sort());
            }
          }
        }
      });
    }
  }
});

/**
 * One script check: the script goxray writes for `patterns` in `mode`, checked by `bpftrace`'s
 * own `--dry-run` (0.17: `-d`), which parses, types and compiles it (and refuses a probe over the
 * 512-byte BPF stack) without attaching.
 */
interface DryRun {
  name: string;
  sample: string;
  toolchain: GoToolchain;
  flags: FlagSet;
  patterns: string[];
  minors: readonly string[];
}

// The sample functions with a body that the sample calls (exported names, methods included).
const EXPORTED = "^main\\.(\\(\\*)?[A-Z]";

describe.skipIf(!isRoot || bpftraces.length === 0)("every script passes each bpftrace's own checker", () => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-dry-"));
  const runs: DryRun[] = [];
  const all = bpftraces.map((b) => b.minor);
  for (const toolchain of toolchains) {
    for (const sample of ["calls", "generics", "stackgrow", "kinds"]) {
      if (sampleSupports(sample, toolchain)) runs.push({ name: `${sample} Go ${toolchain.version}`, sample, toolchain, flags: "default", patterns: [EXPORTED], minors: all });
    }
    // Every main function, the logging helpers too (slices, interfaces, many strings at once):
    // what 0.17's small BPF stack makes goxray trim.
    if (toolchain.version === "1.15" || toolchain === newest) {
      for (const flags of ["default", "noopt", "pie"] as FlagSet[]) {
        runs.push({ name: `calls Go ${toolchain.version} ${flags}, every main function`, sample: "calls", toolchain, flags, patterns: ["^main\\."], minors: ["0.17"] });
      }
    }
  }
  it.each(runs.map((r) => [r.name, r] as const))("%s", async (_name, r) => {
    const binary = buildSample(r.sample, r.toolchain, "amd64", r.flags);
    for (const bpftrace of bpftraces.filter((b) => r.minors.includes(b.minor))) {
      const made = await goxray(["trace", binary, ...r.patterns, "--bpftrace", bpftrace.command.join(" ")]);
      expect(made.stderr).toBe("");
      const path = join(scratch, `${r.sample}-${r.toolchain.version}-${r.flags}-${bpftrace.minor}.bt`);
      writeFileSync(path, made.stdout);
      const check = spawnSync("timeout", ["120", ...bpftrace.command, bpftrace.minor === "0.17" ? "-d" : "--dry-run", path], { encoding: "utf8", maxBuffer: 64 << 20 });
      expect({ version: bpftrace.version, status: check.status, errors: check.stderr.split("\n").filter((l) => /ERROR|error:/.test(l) && !/RLIMIT_MEMLOCK|traceable functions/.test(l)) }).toEqual({
        version: bpftrace.version,
        status: 0,
        errors: [],
      });
    }
  }, 300_000);
});
