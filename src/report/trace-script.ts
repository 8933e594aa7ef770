import { basename, resolve } from "node:path";
import { capabilitiesOf, type BpftraceCapabilities } from "../bpftrace/capabilities.js";
import { goroutineId } from "../bpftrace/goroutine.js";
import { writeScript, type InlinedProbe, type ScriptBinary, type TracedFunction } from "../bpftrace/script.js";
import type { LocatedPiece } from "../bpftrace/value-printer.js";
import { chooseTypeNames } from "../bpftrace/type-names.js";
import type { OutputMode } from "../bpftrace/value-printer.js";
import { formatBpftraceVersion, parseBpftraceVersion, type BpftraceVersion } from "../bpftrace/version.js";
import { detectBpftraceVersion } from "../run/detect-bpftrace.js";
import { GoxrayError } from "../errors.js";
import { findArch, generalRegister, type Arch } from "../model/arch.js";
import type { EntryLocation } from "../model/entry-locations.js";
import { readInlinedParams } from "../model/inlined-locations.js";
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
  /** Also probe each function's inlined copies at their first instruction. */
  readonly inlined: boolean;
  /** Print a marker line once every probe is attached (for goxray trace --run). */
  readonly readyMarker?: boolean;
}

/** The script, and what it was written for. */
export interface TraceScript {
  readonly script: string;
  readonly functions: readonly TracedFunction[];
  readonly capabilities: BpftraceCapabilities;
  /** The facts about the binary the script was written from. */
  readonly binary: ScriptBinary;
}

/** Type descriptors read from DWARF at most (cmd/compile has about 4,600). */
const MAX_DESCRIPTORS = 200_000;

/** More functions than this in one script is almost always a pattern that matched too much. */
const MAX_FUNCTIONS = 100;

/** The functions `patterns` name: each is a full name, or else a regular expression matched against every name. */
function selectFunctions(binary: GoBinary, patterns: readonly string[], isInlinedWanted: boolean): GoFunction[] {
  const chosen = new Map<string, GoFunction>();
  // With --inlined, a function inlined everywhere is traced through its copies.
  const isTraceable = (f: GoFunction): boolean => f.entry !== undefined || (isInlinedWanted && f.inlinedCopies.some((c) => c.dwarfOffset !== undefined));
  for (const pattern of patterns) {
    // Inlined copies from the one-function lookup carry no DWARF entries; --inlined needs them.
    const exact = isInlinedWanted ? binary.functions().find(pattern) : binary.findFunction(pattern);
    if (exact !== undefined) {
      if (!isTraceable(exact)) {
        const how = isInlinedWanted ? "and none of its inlined copies has a DWARF entry to probe" : "; --inlined probes its inlined copies";
        throw new GoxrayError("not-traceable", { file: binary.name }, `${pattern} has no body: the compiler inlined it at every call site (goxray check ${pattern} lists them)${how.startsWith(";") ? how : ` ${how}`}`);
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
    const matched = binary.functions().match(regex).filter(isTraceable);
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
  for (const fn of selectFunctions(binary, request.patterns, request.inlined)) {
    const { report, placement, entryGoroutine } = await inspectFunction(binary, fn);
    functions.push({
      name: fn.name,
      signature: report.signature,
      entry: fn.entry ?? 0,
      end: fn.end ?? fn.entry ?? 0,
      hasBody: fn.entry !== undefined,
      entryProbeOffset: report.entryProbeOffset ?? 0,
      retOffsets: report.retOffsets,
      hazards: report.hazards,
      placement,
      inlinedProbes: request.inlined ? inlinedProbes(binary, fn, arch) : [],
      entryGoroutine,
    });
  }
  if (!capabilities.hasOffsetProbes && functions.every((f) => !f.hasBody)) {
    throw new GoxrayError("not-traceable", { file: binary.name }, `bpftrace ${formatBpftraceVersion(version)} cannot attach inside a function, so inlined copies cannot be probed with it, and ${functions.map((f) => f.name).join(", ")} has no body; goxray trace --run reads them through tracefs`);
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
  const script = writeScript(scriptBinary, functions, { capabilities, versionSource: source, attachPath, pid: request.pid, mode: request.mode, stringBytes: Math.min(request.stringBytes, capabilities.maxBufBytes), deref: request.deref, readyMarker: request.readyMarker === true });
  return { script, functions, capabilities, binary: scriptBinary };
}

/**
 * The inlined copies of `fn` that can be probed (those with a DWARF entry and a first PC), each
 * with its parameters where the compiler's DWARF puts them at that PC. The types are the
 * function's own (its DWARF declaration); the places, the copy's.
 */
function inlinedProbes(binary: GoBinary, fn: GoFunction, arch: Arch): InlinedProbe[] {
  const types = binary.types();
  const typeOf = (name: string): GoType | undefined => {
    const param = fn.params.find((p) => p.name === name);
    return param?.typeOffset === undefined ? undefined : types.typeAt(param.typeOffset);
  };
  const probes: InlinedProbe[] = [];
  for (const copy of fn.inlinedCopies) {
    if (copy.dwarfOffset === undefined) continue;
    // The copy's first instruction: the lowest address of its DWARF ranges.
    const ranges = binary.functions().copyRanges(copy);
    const firstPc = copy.firstPc ?? (ranges.length === 0 ? undefined : Math.min(...ranges.map((r) => r.low)));
    if (firstPc === undefined) continue;
    const params = readInlinedParams(binary, copy, firstPc, arch, (name) => typeOf(name)?.size ?? 0) ?? [];
    const values = fn.params.flatMap((p) => {
      const type = typeOf(p.name);
      if (type === undefined) return [];
      const found = params.find((q) => q.name === p.name);
      const located = found === undefined ? "no entry in the inlined copy's DWARF (the compiler dropped it)" : locatedPieces(found.location, arch);
      return [{ name: p.name, type, located }];
    });
    const site = `${basename(copy.callFile ?? "?")}:${copy.callLine ?? "?"}`;
    probes.push({ caller: copy.caller, site, address: firstPc, values });
  }
  return probes;
}

/** The compiler's location as the script reads it: general registers by their bpftrace names, SP-relative memory, or why not. */
function locatedPieces(location: EntryLocation, arch: Arch): readonly LocatedPiece[] | string {
  if (location.kind === "none") return location.why;
  return location.pieces.map((p): LocatedPiece => {
    const place = p.place;
    switch (place.kind) {
      case "register": {
        const register = generalRegister(arch, place.dwarf);
        return register?.bpftraceName === undefined
          ? { offset: p.offset, size: p.size, place: { kind: "none", why: `in DWARF register ${place.dwarf}, which a uprobe cannot read` } }
          : { offset: p.offset, size: p.size, place: { kind: "register", name: register.name, bpftraceName: register.bpftraceName } };
      }
      case "stack":
        return { offset: p.offset, size: p.size, place: { kind: "stack", offset: place.offset } };
      case "empty":
        return { offset: p.offset, size: p.size, place: { kind: "none", why: "optimized out at that PC" } };
      case "other":
        return { offset: p.offset, size: p.size, place: { kind: "none", why: place.what } };
      default: {
        const never: never = place;
        return never;
      }
    }
  });
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
