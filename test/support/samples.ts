// Go toolchains and sample binaries for tests: finds /usr/lib/go-1.NN, builds samples/<name>/
// into the same cache as scripts/build-samples.sh (keep KEY_VERSION, the env and the flag sets of
// the two in step), and reads each sample's hand-written signatures.json.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One Go toolchain installed side by side under /usr/lib/go-1.NN. */
export interface GoToolchain {
  /** Major.minor, as in the directory name: "1.22". */
  version: string;
  goroot: string;
  goBin: string;
  /** The third word of `go version`: "go1.22.12". */
  fullVersion: string;
}

/** The build variants every sample is built with; the arguments are in FLAGSET_ARGS. */
export type FlagSet = "default" | "noopt" | "pie" | "stripped" | "nodwarf" | "nocompress";

/** The target architectures samples are built for. */
export type SampleArch = "amd64" | "arm64";

/** Every flag set, in the order scripts/build-samples.sh builds them. */
export const FLAG_SETS: readonly FlagSet[] = ["default", "noopt", "pie", "stripped", "nodwarf", "nocompress"];

/** The toolchains scripts/install-go-toolchains.sh installs; CI fails when one is missing. */
export const REQUIRED_GO_VERSIONS: readonly string[] = ["1.15", "1.19", "1.22", "1.24", "1.26", "1.27"];

const FLAGSET_ARGS: Readonly<Record<FlagSet, readonly string[]>> = {
  default: [],
  noopt: ["-gcflags=all=-N -l"],
  pie: ["-buildmode=pie"],
  stripped: ["-ldflags=-s -w"],
  nodwarf: ["-ldflags=-w"],
  nocompress: ["-ldflags=-compressdwarf=false"],
};

// Bumped with scripts/build-samples.sh's KEY_VERSION when the build recipe changes.
const KEY_VERSION = 1;
const TOOLCHAINS_DIR = "/usr/lib";
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const samplesDir = join(repoRoot, "samples");
// GOXRAY_CACHE moves the build cache out of the checkout (CI keeps it across clones).
export const cacheRoot = process.env["GOXRAY_CACHE"] ?? join(repoRoot, ".cache");
const defaultCacheDir = join(cacheRoot, "samples");

let toolchainsFound: GoToolchain[] | undefined;

/** Every /usr/lib/go-1.NN that has bin/go, oldest first. */
export function installedToolchains(): GoToolchain[] {
  if (toolchainsFound === undefined) {
    const found: GoToolchain[] = [];
    for (const entry of existsSync(TOOLCHAINS_DIR) ? readdirSync(TOOLCHAINS_DIR) : []) {
      const match = /^go-(1\.\d+)$/.exec(entry);
      const version = match?.[1];
      if (version === undefined) continue;
      const goroot = join(TOOLCHAINS_DIR, entry);
      const goBin = join(goroot, "bin", "go");
      if (!existsSync(goBin)) continue;
      found.push({ version, goroot, goBin, fullVersion: readFullVersion(goBin) });
    }
    toolchainsFound = found.sort((a, b) => compareVersions(a.version, b.version));
  }
  return [...toolchainsFound];
}

let missingReported = false;

/**
 * The installed toolchains. When the CI environment variable is set, throws if any of
 * REQUIRED_GO_VERSIONS is missing; elsewhere says once which are missing and returns what there
 * is, and tests skip the rest.
 */
export function requireToolchains(): GoToolchain[] {
  const installed = installedToolchains();
  const missing = REQUIRED_GO_VERSIONS.filter((v) => !installed.some((t) => t.version === v));
  if (missing.length > 0) {
    const message = `Go ${missing.join(", ")} not installed under ${TOOLCHAINS_DIR}/go-1.NN: run scripts/install-go-toolchains.sh`;
    if ((process.env["CI"] ?? "") !== "") throw new Error(message);
    if (!missingReported) console.warn(`skipping cases that need them: ${message}`);
    missingReported = true;
  }
  return installed;
}

/** The samples: each directory of samples/ that holds a go.mod, sorted. */
export function sampleNames(): string[] {
  return readdirSync(samplesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(samplesDir, e.name, "go.mod")))
    .map((e) => e.name)
    .sort();
}

/** Whether the toolchain is at least the Go version the sample's go.mod asks for (generics: 1.18). */
export function sampleSupports(sample: string, toolchain: GoToolchain): boolean {
  const needed = sampleGoVersion(sample);
  return needed === undefined || compareVersions(toolchain.version, needed) >= 0;
}

/** Where buildSample (or buildSampleForArch, for any GOARCH) puts or finds this build; nothing is built. */
export function samplePath(
  sample: string,
  toolchain: GoToolchain,
  goarch: string,
  flags: FlagSet,
  cacheDir: string = defaultCacheDir,
): string {
  const hash = createHash("sha256").update(keyText(sample, toolchain, goarch, flags)).digest("hex").slice(0, 16);
  return join(cacheDir, sample, `go${toolchain.version}-${goarch}-${flags}-${hash}`, sample);
}

/**
 * The path of the sample built by this toolchain for arch with these flags, building it first
 * when the cache does not hold it. Throws an Error holding go build's output if the build fails.
 * cacheDir is for tests of the cache itself; everything else shares scripts/build-samples.sh's.
 */
export function buildSample(
  sample: string,
  toolchain: GoToolchain,
  arch: SampleArch,
  flags: FlagSet,
  cacheDir: string = defaultCacheDir,
): string {
  return buildSampleForArch(sample, toolchain, arch, flags, cacheDir);
}

/**
 * buildSample for a GOARCH outside the test matrix (386, arm, mips, s390x, …), for tests of byte
 * order and pointer size; the samples build for 32-bit targets too. Same cache, same errors.
 */
export function buildSampleForArch(
  sample: string,
  toolchain: GoToolchain,
  goarch: string,
  flags: FlagSet = "default",
  cacheDir: string = defaultCacheDir,
): string {
  const binary = samplePath(sample, toolchain, goarch, flags, cacheDir);
  if (existsSync(binary)) return binary;
  if (!sampleSupports(sample, toolchain)) {
    throw new Error(`sample ${sample} needs go ${sampleGoVersion(sample) ?? "?"}, not ${toolchain.fullVersion}`);
  }
  const finalDir = dirname(binary);
  // scripts/build-samples.sh records builds the toolchain cannot do at all (e.g. PIE on 386).
  const cannotBuild = `${finalDir}.cannot-build`;
  if (existsSync(cannotBuild)) {
    const reason = readFileSync(cannotBuild, "utf8").trim();
    throw new Error(`go build of ${sample} with ${toolchain.fullVersion} ${goarch} ${flags} cannot work: ${reason}`);
  }
  mkdirSync(dirname(finalDir), { recursive: true });
  const tmpDir = mkdtempSync(join(dirname(finalDir), ".tmp-"));
  const args = ["build", ...buildArgs(toolchain, flags), "-o", join(tmpDir, sample), "."];
  const result = spawnSync(toolchain.goBin, args, {
    cwd: join(samplesDir, sample),
    env: buildEnv(toolchain, goarch),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    rmSync(tmpDir, { recursive: true, force: true });
    const why = result.error?.message ?? `exit status ${String(result.status ?? result.signal)}`;
    throw new Error(
      `go build of ${sample} with ${toolchain.fullVersion} ${goarch} ${flags} failed (${why}):\n${result.stderr}${result.stdout}`,
    );
  }
  try {
    renameSync(tmpDir, finalDir);
  } catch (err) {
    // Another process finished the same build first; its copy is as good as ours.
    rmSync(tmpDir, { recursive: true, force: true });
    if (!existsSync(binary)) throw err;
  }
  return binary;
}

/** One parameter or result in signatures.json; name is null where the source gives none. */
export interface SignatureValue {
  name: string | null;
  type: string;
}

/** One traced function as samples/<name>/signatures.json writes it, from the Go source. */
export interface FunctionSignature {
  /** As the symbol table spells it ("main.(*Cart).Add"); for generics, the source form. */
  name: string;
  receiver: SignatureValue | null;
  params: SignatureValue[];
  results: SignatureValue[];
  /** noinline: marked //go:noinline; inlined: expected to have no out-of-line copy in optimised builds. */
  inlining: "noinline" | "inlined" | "closure";
  inlinedInto?: string[];
  captures?: SignatureValue[];
  typeParams?: { name: string; constraint: string }[];
  instantiations?: {
    typeArgs: string[];
    logName: string;
    symbols: { minGo: string; maxGo: string | null; name: string }[];
  }[];
}

/** A sample's signatures.json: its traced functions and the struct types they use. */
export interface SampleSignatures {
  sample: string;
  functions: FunctionSignature[];
  types: Record<string, SignatureValue[]>;
}

/** Reads samples/<sample>/signatures.json. */
export function readSignatures(sample: string): SampleSignatures {
  return JSON.parse(readFileSync(join(samplesDir, sample, "signatures.json"), "utf8")) as SampleSignatures;
}

/** The symbol a generic instantiation has when built by this toolchain, from signatures.json. */
export function instantiationSymbol(
  symbols: readonly { minGo: string; maxGo: string | null; name: string }[],
  toolchain: GoToolchain,
): string | undefined {
  return symbols.find(
    (s) =>
      compareVersions(toolchain.version, s.minGo) >= 0 &&
      (s.maxGo === null || compareVersions(toolchain.version, s.maxGo) <= 0),
  )?.name;
}

// The lines whose sha256 names a build directory; scripts/build-samples.sh key_text writes the same.
function keyText(sample: string, toolchain: GoToolchain, goarch: string, flags: FlagSet): string {
  const lines = [
    `goxray-sample-build ${KEY_VERSION}`,
    `go ${toolchain.fullVersion}`,
    `arch ${goarch}`,
    `flagset ${flags}`,
    ...buildArgs(toolchain, flags).map((a) => `arg ${a}`),
  ];
  const dir = join(samplesDir, sample);
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && (e.name === "go.mod" || e.name === "go.sum" || e.name.endsWith(".go")))
    .map((e) => e.name)
    .sort();
  for (const file of files) {
    lines.push(`file ${file} ${createHash("sha256").update(readFileSync(join(dir, file))).digest("hex")}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

const buildvcsSupport = new Map<string, boolean>();

// Go 1.18+ stamps the git state into binaries unless given -buildvcs=false, which older
// toolchains reject; ask the toolchain rather than compare versions, as the script does.
function buildArgs(toolchain: GoToolchain, flags: FlagSet): string[] {
  let hasBuildvcs = buildvcsSupport.get(toolchain.goBin);
  if (hasBuildvcs === undefined) {
    const help = spawnSync(toolchain.goBin, ["help", "build"], {
      env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GOTOOLCHAIN: "local" },
      encoding: "utf8",
    });
    hasBuildvcs = `${help.stdout}${help.stderr}`.includes("-buildvcs");
    buildvcsSupport.set(toolchain.goBin, hasBuildvcs);
  }
  return [...FLAGSET_ARGS[flags], ...(hasBuildvcs ? ["-buildvcs=false"] : [])];
}

function buildEnv(toolchain: GoToolchain, goarch: string): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/bin:/bin",
    HOME: process.env["HOME"] ?? "/root",
    GOTOOLCHAIN: "local",
    GOPROXY: "off",
    GOFLAGS: "-mod=mod",
    CGO_ENABLED: "0",
    GO111MODULE: "on",
    GOWORK: "off",
    GOENV: "off",
    GOOS: "linux",
    GOARCH: goarch,
    GOCACHE: join(cacheRoot, "gocache", `go${toolchain.version}`),
    GOPATH: join(cacheRoot, "gopath"),
  };
}

function readFullVersion(goBin: string): string {
  const result = spawnSync(goBin, ["version"], {
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GOTOOLCHAIN: "local" },
    encoding: "utf8",
  });
  const word = /^go version (\S+)/.exec(result.stdout)?.[1];
  if (result.status !== 0 || word === undefined) {
    throw new Error(`${goBin} version failed: ${result.stderr}${result.stdout}`);
  }
  return word;
}

function sampleGoVersion(sample: string): string | undefined {
  const goMod = readFileSync(join(samplesDir, sample, "go.mod"), "utf8");
  return /^go (\d+\.\d+)/m.exec(goMod)?.[1];
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
