import { resolve } from "node:path";
import { capabilitiesOf, type BpftraceCapabilities } from "../bpftrace/capabilities.js";
import { goroutineId } from "../bpftrace/goroutine.js";
import { writeScript, type ScriptBinary, type TracedFunction } from "../bpftrace/script.js";
import { chooseTypeNames } from "../bpftrace/type-names.js";
import type { OutputMode } from "../bpftrace/value-printer.js";
import { parseBpftraceVersion, type BpftraceVersion } from "../bpftrace/version.js";
import { detectBpftraceVersion } from "../run/detect-bpftrace.js";
import { GoxrayError } from "../errors.js";
import { findArch } from "../model/arch.js";
import type { GoBinary } from "../model/go-binary.js";
import type { GoFunction } from "../model/go-function.js";
import type { GoType } from "../model/go-type.js";
import { goidOffset } from "../model/runtime-g.js";
import { runtimeTypeNames } from "../model/runtime-types.js";
import { inspectFunction } from "./check-report.js";

/** What `goxray trace` is asked for. */
export interface TraceRequest {
  /** Full function names or regular expressions over them. */
  readonly patterns: readonly string[];
  /** The bpftrace to ask for its version; ignored when `bpftraceVersion` is given. */
  readonly bpftrace: string;
  /** "0.23" or "0.23.2": write for this version without running any bpftrace. */
  readonly bpftraceVersion: string | undefined;
  readonly pid: number | undefined;
  /** Written into the attach points instead of the analysed file's path. */
  readonly attachPath: string | undefined;
  readonly mode: OutputMode;
  /** At most this many bytes of each string (and no more than the bpftrace's buf() holds). */
  readonly stringBytes: number;
  /** Follow pointers this many levels deep and print what they point at. */
  readonly deref: number;
}

/** The script, and what it was written for. */
export interface TraceScript {
  readonly script: string;
  readonly functions: readonly TracedFunction[];
  readonly capabilities: BpftraceCapabilities;
}

/** Type descriptors read from DWARF at most (cmd/compile has about 4,600). */
const MAX_DESCRIPTORS = 200_000;

/** More functions than this in one script is almost always a pattern that matched too much. */
const MAX_FUNCTIONS = 100;

/** The functions `patterns` name: each is a full name, or else a regular expression matched against every name. */
function selectFunctions(binary: GoBinary, patterns: readonly string[]): GoFunction[] {
  const index = binary.functions();
  const chosen = new Map<string, GoFunction>();
  for (const pattern of patterns) {
    const exact = index.find(pattern);
    if (exact !== undefined) {
      if (exact.entry === undefined) {
        throw new GoxrayError("not-traceable", { file: binary.name }, `${pattern} has no body: the compiler inlined it at every call site (goxray check ${pattern} lists them)`);
      }
      chosen.set(exact.name, exact);
      continue;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch (err) {
      throw new GoxrayError("usage", { file: "" }, `${JSON.stringify(pattern)} names no function and is not a regular expression: ${err instanceof Error ? err.message : String(err)}`);
    }
    const matched = index.match(regex).filter((f) => f.entry !== undefined);
    if (matched.length === 0) throw new GoxrayError("no-function", { file: binary.name }, `no function with a body matches ${JSON.stringify(pattern)}; goxray funcs lists them`);
    for (const fn of matched) chosen.set(fn.name, fn);
  }
  if (chosen.size > MAX_FUNCTIONS) {
    throw new GoxrayError("usage", { file: binary.name }, `the patterns match ${chosen.size} functions, more than ${MAX_FUNCTIONS} in one script; narrow them`);
  }
  return [...chosen.values()];
}

// What may stand in an attach point unquoted on every bpftrace version: no `:` (it splits the
// probe), no space, quote, comma or brace.
const SAFE_PATH = /^[A-Za-z0-9_./+@-]+$/;

/** The bpftrace script tracing the functions `request` names, and what it was written for. */
export async function buildTraceScript(binary: GoBinary, request: TraceRequest): Promise<TraceScript> {
  binary.requireGo();
  const goArch = binary.elf.goArch ?? "unknown";
  const arch = findArch(goArch);
  if (arch === undefined) throw new GoxrayError("unsupported", { file: binary.name }, `goxray traces amd64 and arm64 binaries, not ${goArch}`);
  const { version, source } = bpftraceVersionOf(request);
  const capabilities = capabilitiesOf(version);
  const attachPath = request.attachPath ?? resolve(binary.name);
  if (!SAFE_PATH.test(attachPath)) {
    throw new GoxrayError("usage", { file: binary.name }, `the path ${JSON.stringify(attachPath)} has characters an attach point cannot hold; give --attach-path with a plain path (a symlink to the binary)`);
  }
  const functions: TracedFunction[] = [];
  for (const fn of selectFunctions(binary, request.patterns)) {
    const { report, placement } = await inspectFunction(binary, fn);
    functions.push({
      name: fn.name,
      signature: report.signature,
      entry: fn.entry as number,
      end: fn.end ?? (fn.entry as number),
      entryProbeOffset: report.entryProbeOffset ?? 0,
      retOffsets: report.retOffsets,
      hazards: report.hazards,
      placement,
    });
  }
  const abi = binary.abi().abi;
  const interfaces = new Set<string>();
  for (const fn of functions) for (const v of fn.placement?.values ?? []) collectInterfaceNames(v.type, interfaces, 0);
  const mainPath = binary.buildInfo()?.main?.path;
  const pclntab = binary.pclntab();
  const morestackIndex = pclntab?.findByName("runtime.morestack");
  const isCgo = binary.cgo()?.isUsed === true;
  const scriptBinary: ScriptBinary = {
    path: binary.name,
    buildId: binary.elf.goBuildId() ?? binary.elf.gnuBuildId(),
    goVersion: binary.goVersion().raw,
    arch: arch.name,
    abi,
    isPositionIndependent: binary.elf.isPositionIndependent,
    morestack: morestackIndex === undefined ? undefined : pclntab?.entryAt(morestackIndex),
    goroutine: goroutineId(arch.name, abi, goidOffset(binary), !binary.elf.isPositionIndependent && !isCgo),
    typeNames: chooseTypeNames(interfaces.size > 0 ? runtimeTypeNames(binary, MAX_DESCRIPTORS) : new Map(), interfaces.size > 0, ["main", ...(mainPath === undefined || mainPath === "" ? [] : [mainPath])]),
  };
  const script = writeScript(scriptBinary, functions, { capabilities, versionSource: source, attachPath, pid: request.pid, mode: request.mode, stringBytes: Math.min(request.stringBytes, capabilities.maxBufBytes), deref: request.deref });
  return { script, functions, capabilities };
}

function bpftraceVersionOf(request: TraceRequest): { version: BpftraceVersion; source: string } {
  if (request.bpftraceVersion !== undefined) {
    const version = parseBpftraceVersion(request.bpftraceVersion);
    if (version === undefined) throw new GoxrayError("usage", { file: "" }, `--bpftrace-version ${JSON.stringify(request.bpftraceVersion)} is not a version such as 0.23`);
    return { version, source: "as given by --bpftrace-version" };
  }
  return { version: detectBpftraceVersion(request.bpftrace), source: `detected from \`${request.bpftrace} --version\`` };
}

/** The names of interface types reachable from `type` by value (struct fields, array elements). */
function collectInterfaceNames(type: GoType, into: Set<string>, depth: number): void {
  if (depth > 20) return;
  if (type.kind === "interface") into.add(type.name);
  else if (type.kind === "struct") for (const f of type.fields) collectInterfaceNames(f.type, into, depth + 1);
  else if (type.kind === "array" && type.length > 0) collectInterfaceNames(type.elem, into, depth + 1);
}
