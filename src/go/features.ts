import { isAtLeast, type GoVersion } from "./go-version.js";

/**
 * Facts that change with the Go release and the architecture, in one table that the rest of
 * goxray asks (the esbuild compat habit): no other file compares Go versions.
 */

/**
 * The first Go release whose compiler passes arguments in registers on each GOARCH, by default.
 * Sources: abi-internal.md and internal/buildcfg/exp.go of each toolchain (regabiSupported):
 * amd64 1.17 (go1.17 release notes); arm64, ppc64, ppc64le 1.18 (exp.go 1.19 "regabiAlwaysOn");
 * riscv64 1.19 (exp.go 1.19); loong64 1.22 (exp.go 1.22; its regabi CLs landed in Aug 2023);
 * s390x 1.26 (exp.go 1.26; 1.24 lacks it, 1.25 was not checked).
 */
const REGISTER_ABI_SINCE: Readonly<Record<string, readonly [number, number]>> = {
  amd64: [1, 17],
  arm64: [1, 18],
  ppc64: [1, 18],
  ppc64le: [1, 18],
  riscv64: [1, 19],
  loong64: [1, 22],
  s390x: [1, 26],
};

/** Which calling convention Go functions of a binary use, and the sentence that says why. */
export interface AbiInForce {
  readonly abi: "register" | "stack";
  readonly reason: string;
}

/**
 * The ABI that Go functions (ABIInternal) use for (Go version, GOARCH), honouring a GOEXPERIMENT
 * build setting that turned register arguments off (possible while the arch was not "always on").
 */
export function abiInForce(version: GoVersion, goArch: string, goExperiment: string | undefined): AbiInForce {
  const since = REGISTER_ABI_SINCE[goArch];
  const go = `Go ${version.major}.${version.minor}`;
  if (since === undefined) {
    return { abi: "stack", reason: `${go} on ${goArch}: Go has no register ABI on ${goArch}; arguments and results are on the stack` };
  }
  const first = `Go ${since[0]}.${since[1]}`;
  if (!isAtLeast(version, since[0], since[1])) {
    return { abi: "stack", reason: `${go} predates the register ABI on ${goArch} (from ${first}): arguments and results are on the stack` };
  }
  const experiments = (goExperiment ?? "").split(",");
  if (experiments.includes("noregabi") || experiments.includes("noregabiargs")) {
    return { abi: "stack", reason: `${go} on ${goArch} built with GOEXPERIMENT=${goExperiment}: register arguments turned off` };
  }
  return { abi: "register", reason: `${go} on ${goArch} passes arguments and results in registers (register ABI since ${first})` };
}

/**
 * Where a generic shape body's hidden dictionary argument goes among its arguments: first in
 * Go 1.18–1.19, after the receiver from Go 1.20, whose unified IR frontend keeps the receiver in
 * front (cmd/compile/internal/noder/reader.go shapeSig); Go 1.20 with GOEXPERIMENT=nounified still
 * put it first. Pinned by test/abi-compiler.test.ts against the compiler's DWARF (1.19, 1.22–1.27).
 */
export function dictionaryPosition(version: GoVersion, goExperiment: string | undefined): "first" | "after-receiver" {
  if (!isAtLeast(version, 1, 20)) return "first";
  if (!isAtLeast(version, 1, 21) && (goExperiment ?? "").split(",").includes("nounified")) return "first";
  return "after-receiver";
}
