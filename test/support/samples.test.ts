import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildSample,
  buildSampleForArch,
  installedToolchains,
  instantiationSymbol,
  readSignatures,
  requireToolchains,
  sampleNames,
  samplePath,
  sampleSupports,
  type GoToolchain,
  cacheRoot,
} from "./samples.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const toolchains = requireToolchains();
const newest = toolchains.at(-1);
if (newest === undefined) console.warn("samples.test: skipped: no Go toolchain under /usr/lib/go-1.NN");

function fakeToolchain(version: string): GoToolchain {
  return { version, goroot: `/nonexistent/go-${version}`, goBin: `/nonexistent/go-${version}/bin/go`, fullVersion: `go${version}.0` };
}

// Text symbols of a binary as `go tool nm` prints them: "  4a8700 T main.Square".
function textSymbols(toolchain: GoToolchain, binary: string): Set<string> {
  const result = spawnSync(toolchain.goBin, ["tool", "nm", binary], {
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GOTOOLCHAIN: "local", GOCACHE: join(cacheRoot, "gocache", `go${toolchain.version}`) },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(result.status, result.stderr).toBe(0);
  const names = new Set<string>();
  for (const line of result.stdout.split("\n")) {
    const match = /^\s*[0-9a-f]+ [Tt] (.+)$/.exec(line);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}

function runSample(binary: string): { func: string }[] {
  const result = spawnSync(binary, ["-n", "2", "-interval", "0"], { encoding: "utf8", timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as { func: string });
}

describe("installedToolchains", () => {
  it("finds each /usr/lib/go-1.NN oldest first, with its go version", () => {
    const found = installedToolchains();
    for (const t of found) {
      expect(t.goBin).toBe(join(t.goroot, "bin", "go"));
      expect(t.fullVersion === `go${t.version}` || t.fullVersion.startsWith(`go${t.version}.`)).toBe(true);
    }
    const minors = found.map((t) => Number(t.version.split(".")[1]));
    expect(minors).toEqual([...minors].sort((a, b) => a - b));
  });
});

describe("sampleSupports", () => {
  it("holds back the generics sample from toolchains older than its go.mod's go 1.18", () => {
    expect(sampleNames()).toEqual(expect.arrayContaining(["calls", "generics", "stackgrow"]));
    expect(sampleSupports("generics", fakeToolchain("1.15"))).toBe(false);
    expect(sampleSupports("generics", fakeToolchain("1.17"))).toBe(false);
    expect(sampleSupports("generics", fakeToolchain("1.18"))).toBe(true);
    expect(sampleSupports("generics", fakeToolchain("1.27"))).toBe(true);
    expect(sampleSupports("calls", fakeToolchain("1.15"))).toBe(true);
  });
});

describe.skipIf(newest === undefined)("buildSample", () => {
  const toolchain = newest as GoToolchain;
  const cacheDir = mkdtempSync(join(tmpdir(), "goxray-samples-"));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it("builds into an empty cache, then returns the same file without rebuilding", () => {
    const expected = samplePath("calls", toolchain, "amd64", "default", cacheDir);
    expect(existsSync(expected)).toBe(false);
    const built = buildSample("calls", toolchain, "amd64", "default", cacheDir);
    expect(built).toBe(expected);
    const first = statSync(built);
    expect(runSample(built)[0]?.func).toBe("main.SignedInts");

    const again = buildSample("calls", toolchain, "amd64", "default", cacheDir);
    expect(again).toBe(built);
    const second = statSync(again);
    expect(second.ino).toBe(first.ino);
    expect(second.mtimeMs).toBe(first.mtimeMs);
  });

  it("names builds as scripts/build-samples.sh does", () => {
    const script = spawnSync(
      "bash",
      [join(repoRoot, "scripts", "build-samples.sh"), "--print-paths", "-s", "calls,stackgrow", "-a", "arm64", "-f", "noopt,pie", toolchain.version],
      { encoding: "utf8" },
    );
    expect(script.status, script.stderr).toBe(0);
    expect(script.stdout.trimEnd().split("\n")).toEqual([
      samplePath("calls", toolchain, "arm64", "noopt"),
      samplePath("calls", toolchain, "arm64", "pie"),
      samplePath("stackgrow", toolchain, "arm64", "noopt"),
      samplePath("stackgrow", toolchain, "arm64", "pie"),
    ]);
  });

  it("throws go build's own message when the build fails", () => {
    // Internal linking cannot make a PIE for mips, and CGO_ENABLED=0 rules out the external linker.
    expect(() => buildSampleForArch("stackgrow", toolchain, "mips", "pie", cacheDir)).toThrow(
      /go build of stackgrow with go1\.\d+\.\d+ mips pie failed \(exit status 1\):\n.*-buildmode=pie/,
    );
    expect(existsSync(samplePath("stackgrow", toolchain, "mips", "pie", cacheDir))).toBe(false);
  });

  it("refuses a sample the toolchain is too old for", () => {
    const old = toolchains.find((t) => !sampleSupports("generics", t));
    if (old === undefined) return;
    expect(() => buildSample("generics", old, "amd64", "default", cacheDir)).toThrow(/needs go 1\.18/);
  });
});

// signatures.json is written from the source; the symbol table and the samples' own logs must agree.
describe.each(toolchains.map((t) => [t.fullVersion, t] as const))("samples built by %s", (_, toolchain) => {
  it.each(sampleNames().filter((s) => sampleSupports(s, toolchain)))("%s matches its signatures.json", (sample) => {
    const binary = buildSample(sample, toolchain, "amd64", "default");
    const symbols = textSymbols(toolchain, binary);
    const signatures = readSignatures(sample);
    const logNames = new Set<string>();
    for (const f of signatures.functions) {
      if (f.instantiations !== undefined) {
        for (const inst of f.instantiations) {
          logNames.add(inst.logName);
          const symbol = instantiationSymbol(inst.symbols, toolchain);
          expect(symbol, `${inst.logName} with ${toolchain.fullVersion}`).toBeDefined();
          expect(symbols.has(symbol ?? ""), `${symbol ?? ""} in ${sample}`).toBe(true);
        }
        continue;
      }
      logNames.add(f.name);
      expect(symbols.has(f.name), `${f.name} in ${sample} ${toolchain.fullVersion}`).toBe(f.inlining !== "inlined");
    }
    for (const line of runSample(binary)) expect(logNames).toContain(line.func);

    const inlined = signatures.functions.filter((f) => f.inlining === "inlined");
    if (inlined.length > 0) {
      const noopt = textSymbols(toolchain, buildSample(sample, toolchain, "amd64", "noopt"));
      for (const f of inlined) expect(noopt.has(f.name), `${f.name} in a -N -l build`).toBe(true);
    }
  });
});

// samples/bundled/README.md gives the command and the sha256; rebuilding must give the same bytes.
const go127 = toolchains.find((t) => t.version === "1.27");
describe.skipIf(go127 === undefined)("samples/bundled/calls-go1.27-amd64", () => {
  it("is what its README's command builds from samples/calls", () => {
    const toolchain = go127 as GoToolchain;
    const bundled = join(repoRoot, "samples", "bundled", "calls-go1.27-amd64");
    const readme = readFileSync(join(repoRoot, "samples", "bundled", "README.md"), "utf8");
    const documented = /^sha256 ([0-9a-f]{64}) {2}calls-go1\.27-amd64$/m.exec(readme)?.[1];
    const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");
    expect(sha256(bundled)).toBe(documented);

    const outDir = mkdtempSync(join(tmpdir(), "goxray-bundled-"));
    try {
      const rebuilt = join(outDir, "calls-go1.27-amd64");
      const result = spawnSync(toolchain.goBin, ["build", "-trimpath", "-buildvcs=false", "-o", rebuilt, "."], {
        cwd: join(repoRoot, "samples", "calls"),
        env: {
          PATH: "/usr/bin:/bin",
          HOME: "/nonexistent",
          GOTOOLCHAIN: "local",
          GOPROXY: "off",
          GOFLAGS: "-mod=mod",
          CGO_ENABLED: "0",
          GOOS: "linux",
          GOARCH: "amd64",
          GOCACHE: join(cacheRoot, "gocache", "go1.27"),
        },
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);
      expect(sha256(rebuilt), "samples/calls changed: rebuild the bundled binary with the README's command").toBe(documented);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
