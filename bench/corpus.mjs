// The benchmark corpus: Go's own compiler built by several toolchains, and the
// peer program, each built once and cached under <cache>/bench.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The binaries every row runs on. cmd/compile is big (≈30 MB with DWARF) and
 * is in every toolchain's source tree, so no network is needed.
 */
export const corpusSpecs = [
  { name: "compile-1.26", go: "1.26", pkg: "cmd/compile", ldflags: undefined, about: "Go 1.26: DWARF 5, SHF_COMPRESSED" },
  { name: "compile-1.22", go: "1.22", pkg: "cmd/compile", ldflags: undefined, about: "Go 1.22: DWARF 4, SHF_COMPRESSED" },
  { name: "compile-1.15", go: "1.15", pkg: "cmd/compile", ldflags: undefined, about: "Go 1.15: DWARF 4 in .zdebug_*, stack ABI" },
  { name: "compile-1.26-stripped", go: "1.26", pkg: "cmd/compile", ldflags: "-s -w", about: "Go 1.26 -ldflags='-s -w': pclntab only" },
];

/** Path of the go command of toolchain 1.NN, as scripts/install-go-toolchains.sh installs it. */
export function goCommand(version) {
  return `/usr/lib/go-${version}/bin/go`;
}

function goEnv(cacheRoot, version, extra = {}) {
  return {
    PATH: "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    GOTOOLCHAIN: "local",
    GOPROXY: "off",
    CGO_ENABLED: "0",
    GOENV: "off",
    GOWORK: "off",
    GOCACHE: join(cacheRoot, "gocache", `go${version}`),
    GOPATH: join(cacheRoot, "gopath"),
    ...extra,
  };
}

/** The full version a toolchain reports ("go1.26.10"), or undefined when it does not run. */
export function goVersion(version) {
  const go = goCommand(version);
  if (!existsSync(go)) return undefined;
  const result = spawnSync(go, ["version"], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", GOTOOLCHAIN: "local" }, encoding: "utf8" });
  return /^go version (\S+)/.exec(result.stdout)?.[1];
}

/**
 * Builds (or reuses) one corpus binary; returns { path } or { skipped: reason }.
 * A build goes to a temporary directory and is renamed into place, so an
 * interrupted build never leaves a half-written binary to be reused.
 */
export function ensureCorpusFile(spec, { cacheRoot, repoRoot, log }) {
  const benchDir = join(cacheRoot, "bench");
  const path = join(benchDir, spec.name);
  if (existsSync(path)) return { path };
  mkdirSync(benchDir, { recursive: true });
  // The repository's default cache may already hold it when GOXRAY_CACHE points elsewhere.
  const repoCopy = join(repoRoot, ".cache", "bench", spec.name);
  if (resolve(repoCopy) !== resolve(path) && existsSync(repoCopy)) {
    log(`corpus: copying ${repoCopy}`);
    copyFileSync(repoCopy, `${path}.tmp`);
    renameSync(`${path}.tmp`, path);
    return { path };
  }
  const version = goVersion(spec.go);
  if (version === undefined) return { skipped: `Go ${spec.go} not installed (${goCommand(spec.go)}); scripts/install-go-toolchains.sh installs it` };
  const args = ["build", ...(spec.ldflags === undefined ? [] : [`-ldflags=${spec.ldflags}`])];
  const tmp = mkdtempSync(join(benchDir, ".tmp-"));
  log(`corpus: building ${spec.name}: ${version} go ${args.join(" ")} ${spec.pkg} (a cold build takes 2–3 minutes)`);
  const start = Date.now();
  const result = spawnSync(goCommand(spec.go), [...args, "-o", join(tmp, spec.name), spec.pkg], {
    cwd: `/usr/lib/go-${spec.go}/src`,
    env: goEnv(cacheRoot, spec.go),
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  try {
    if (result.status !== 0) {
      const lines = `${result.error ?? ""}${result.stderr}${result.stdout}`.trim().split("\n");
      return { skipped: `go build failed: ${lines.slice(-3).join(" / ")}` };
    }
    renameSync(join(tmp, spec.name), path);
    log(`corpus: built ${spec.name} in ${((Date.now() - start) / 1000).toFixed(0)} s`);
    return { path };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The Go toolchain the peer program is built with. */
export const peerGo = "1.26";

/**
 * Builds (or reuses) bench/go as <cache>/bench/dwarfwalk-<hash of its source>;
 * returns { path } or { skipped: reason }.
 */
export function ensurePeer({ cacheRoot, benchRoot, log }) {
  const sourceDir = join(benchRoot, "go");
  const hash = createHash("sha256");
  for (const file of ["go.mod", "main.go"]) hash.update(file).update(readFileSync(join(sourceDir, file)));
  const version = goVersion(peerGo);
  if (version === undefined) return { skipped: `Go ${peerGo} not installed (${goCommand(peerGo)}), so the peer program cannot be built` };
  hash.update(version);
  const benchDir = join(cacheRoot, "bench");
  const path = join(benchDir, `dwarfwalk-${hash.digest("hex").slice(0, 12)}`);
  if (existsSync(path)) return { path };
  mkdirSync(benchDir, { recursive: true });
  log(`peer: building bench/go with ${version}`);
  const tmp = mkdtempSync(join(benchDir, ".tmp-"));
  try {
    const result = spawnSync(goCommand(peerGo), ["build", "-o", join(tmp, "dwarfwalk"), "."], {
      cwd: sourceDir,
      env: goEnv(cacheRoot, peerGo, { GOFLAGS: "-mod=mod", GO111MODULE: "on" }),
      encoding: "utf8",
    });
    if (result.status !== 0) return { skipped: `peer build failed: ${`${result.error ?? ""}${result.stderr}`.trim()}` };
    renameSync(join(tmp, "dwarfwalk"), path);
    return { path };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
