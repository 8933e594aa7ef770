import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { choosePlacer } from "../src/abi/place.js";
import type { PlacedPiece, PlacedValue, Signature } from "../src/abi/placement.js";
import { decodeLocation, type Location, type LocationPiece } from "../src/dwarf/location-expr.js";
import type { DebugInfoOffset } from "../src/dwarf/offsets.js";
import { findArch, type Arch } from "../src/model/arch.js";
import { abiInForce, dictionaryPosition } from "../src/go/features.js";
import { parseGoVersion } from "../src/go/go-version.js";
import { GoBinary } from "../src/model/go-binary.js";
import { hasDictionaryArgument, isMethodName, localName, packageName, type GoFunction, type GoParam } from "../src/model/go-function.js";
import { buildSample, requireToolchains, sampleSupports, type GoToolchain, type SampleArch, cacheRoot } from "./support/samples.js";

// goxray's placement against the compiler's own account of where arguments are: for every function
// of Go's ABI test programs (test/abi/*.go of each toolchain) and of the samples, built by each
// installed toolchain for amd64 and arm64, every parameter whose DW_AT_location covers the entry PC
// with pieces that add up to its type's size must be where goxray puts it. Separately, the argument
// frame size goxray computes (stack arguments, stack results, spill area) must equal the args size
// the compiler wrote into pclntab for that function.
//
// Disagreements that are the compiler's DWARF being wrong are recognised by knownDwarfBug and
// counted apart; any other disagreement fails the test, as does a pclntab args size that differs
// for a reason other than the DWARF defects counted as "not comparable".

const cacheDir = join(cacheRoot, "abi");
const ARCHES: readonly SampleArch[] = ["amd64", "arm64"];
const SAMPLES = ["calls", "generics", "stackgrow"];

/** The test/abi programs a toolchain can build: its own "// run" files; Go 1.15 ships none and builds 1.19's. */
function abiTestPrograms(toolchain: GoToolchain, all: readonly GoToolchain[]): string[] {
  const own = join(toolchain.goroot, "test", "abi");
  const dir = existsSync(own) ? own : all.map((t) => join(t.goroot, "test", "abi")).find((d) => existsSync(d));
  if (dir === undefined) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".go") && /^\/\/ run\s*$/m.test(readFileSync(join(dir, f), "utf8").split("\n").slice(0, 3).join("\n")))
    .sort()
    .map((f) => join(dir, f));
}

/** Builds one test/abi program (cached by toolchain, arch and file name), or throws with go build's output. */
function buildProgram(toolchain: GoToolchain, arch: SampleArch, source: string): string {
  const out = join(cacheDir, `go${toolchain.version}-${arch}`, basename(source, ".go"));
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const result = spawnSync(toolchain.goBin, ["build", "-o", tmp, source], {
    env: {
      PATH: "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? "/root",
      GOTOOLCHAIN: "local",
      GOPROXY: "off",
      GOFLAGS: "",
      GO111MODULE: "off",
      CGO_ENABLED: "0",
      GOOS: "linux",
      GOARCH: arch,
      GOCACHE: join(cacheRoot, "gocache", `go${toolchain.version}`),
    },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build ${source} with ${toolchain.fullVersion} ${arch}: ${result.stderr}${result.stdout}`);
  }
  renameSync(tmp, out);
  return out;
}

/**
 * Tools from the toolchain's own source tree, for the large-binary walk (standard library and
 * cmd/ packages: go/types, debug/*, the disassemblers): cached by toolchain, arch and package.
 */
const COMMANDS = ["cmd/objdump", "cmd/vet"];
// One release is also checked on the compiler itself (about 24,000 functions, 41,000 parameters
// per arch); building and comparing it for every release would add half an hour to each run.
const LARGE_COMMANDS: Readonly<Record<string, readonly string[]>> = { "1.26": ["cmd/compile"] };
const commandsFor = (toolchain: GoToolchain): readonly string[] => [...COMMANDS, ...(LARGE_COMMANDS[toolchain.version] ?? [])];

function buildCommand(toolchain: GoToolchain, arch: SampleArch, pkg: string): string {
  const out = join(cacheDir, `go${toolchain.version}-${arch}`, pkg.replace("/", "-"));
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const result = spawnSync(toolchain.goBin, ["build", "-o", tmp, pkg], {
    env: { PATH: "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/root", GOTOOLCHAIN: "local", GOPROXY: "off", CGO_ENABLED: "0", GOOS: "linux", GOARCH: arch, GOCACHE: join(cacheRoot, "gocache", `go${toolchain.version}`) },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build ${pkg} with ${toolchain.fullVersion} ${arch}: ${result.stderr}${result.stdout}`);
  }
  renameSync(tmp, out);
  return out;
}

/** The compiler's location of one parameter at its function's entry PC, as pieces over the value's bytes. */
interface DwarfPiece {
  readonly offset: number;
  readonly size: number;
  readonly location: Location;
}

type Verdict =
  | { readonly kind: "agree"; readonly pieces: number }
  | { readonly kind: "known"; readonly rule: string; readonly detail: string }
  | { readonly kind: "disagree"; readonly detail: string }
  | { readonly kind: "skip"; readonly why: string };

/** Where goxray puts a piece, for messages: "RAX(dwarf 0)", "SP+16". */
function ourPlace(piece: PlacedPiece): string {
  return piece.location.kind === "register" ? `${piece.location.register.name}(dwarf ${piece.location.register.dwarf})` : `SP+${piece.location.offset}`;
}

/** The entry-SP offset of a DWARF memory location, or the DWARF register number. */
function dwarfPlace(arch: Arch, location: Location, plus: number): { kind: "register"; regnum: number } | { kind: "stack"; offset: number } | undefined {
  switch (location.kind) {
    case "register":
      return { kind: "register", regnum: location.regnum };
    // Go's DW_AT_frame_base is DW_OP_call_frame_cfa, so fbreg and call_frame_cfa offsets are both CFA-relative.
    case "cfaOffset":
    case "frameBaseOffset":
      return { kind: "stack", offset: arch.entryCfaOffset + location.offset + plus };
    default:
      return undefined;
  }
}

function render(arch: Arch, location: Location): string {
  const place = dwarfPlace(arch, location, 0);
  if (place === undefined) return location.kind;
  return place.kind === "register" ? `dwarf reg ${place.regnum}` : `SP+${place.offset}`;
}

/**
 * Compares one placed parameter with the compiler's pieces. Pieces with no location (dead values)
 * are not compared; a parameter agrees when every comparable piece does and at least one is.
 */
function compare(arch: Arch, functionName: string, value: PlacedValue, others: readonly PlacedValue[], dwarf: readonly DwarfPiece[]): Verdict {
  if (value.home.kind === "unknown") return { kind: "skip", why: `goxray: ${value.home.why}` };
  let compared = 0;
  const problems: string[] = [];
  for (const p of value.pieces) {
    const d = dwarf.find((q) => q.offset <= p.offset && p.offset < q.offset + q.size);
    if (d === undefined || p.offset + p.size > d.offset + d.size) {
      problems.push(`${p.path}: DWARF's pieces split it`);
      continue;
    }
    if (d.location.kind === "empty") continue;
    const want = dwarfPlace(arch, d.location, p.offset - d.offset);
    if (want === undefined) {
      problems.push(`${p.path}: DWARF says ${d.location.kind}`);
      continue;
    }
    compared++;
    // A register holds one base value from its low byte, so the DWARF piece must start with it.
    const ok =
      want.kind === "register"
        ? p.location.kind === "register" && p.location.register.dwarf === want.regnum && p.offset === d.offset
        : p.location.kind === "stack" && p.location.offset === want.offset;
    if (!ok) problems.push(`${p.path}: goxray ${ourPlace(p)}, DWARF ${want.kind === "register" ? `reg ${want.regnum}` : `SP+${want.offset}`}`);
  }
  if (problems.length === 0) return compared === 0 ? { kind: "skip", why: "no live piece" } : { kind: "agree", pieces: compared };
  const known = knownDwarfBug(arch, functionName, value, others, dwarf);
  if (known !== undefined) return { kind: "known", rule: known, detail: problems.join("; ") };
  return { kind: "disagree", detail: `${problems.join("; ")} [DWARF: ${dwarf.map((d) => `${d.offset}+${d.size} ${render(arch, d.location)}`).join(", ")}]` };
}

/**
 * The compiler DWARF bugs seen on this machine, recognised by shape; goxray's placement is right in
 * each (checked against the disassembly where noted), and the rules are narrow enough that a
 * real goxray mistake does not match them by accident.
 */
function knownDwarfBug(arch: Arch, functionName: string, value: PlacedValue, others: readonly PlacedValue[], dwarf: readonly DwarfPiece[]): string | undefined {
  // 1. go-abi.md §7, measured.md "compiler DWARF quality": when only some words of a multi-word
  // stack-assigned argument are used, Go describes the whole value with one memory location and
  // no pieces, at the address of the first word it keeps live instead of the value's start.
  const only = dwarf[0];
  if (dwarf.length === 1 && only !== undefined && value.home.kind === "stack" && value.pieces.length >= 2) {
    const at = dwarfPlace(arch, only.location, 0);
    const later = at?.kind === "stack" ? value.pieces.slice(1).find((p) => p.location.kind === "stack" && p.location.offset === at.offset) : undefined;
    if (later !== undefined) return `partly-used stack argument: DWARF puts ${value.name} at its live word ${later.path}`;
  }
  // 2. Go 1.27 describes an unused unnamed parameter ("~p0" of "func G(int, int)", "func(*T)") by
  // its spill slot, for the whole function; the slot is not written at the call, the value is in
  // goxray's register (abi-internal.md: spill space is "uninitialized at the call").
  if (dwarf.length === 1 && only !== undefined && value.home.kind === "registers" && value.home.spill !== undefined) {
    const at = dwarfPlace(arch, only.location, 0);
    if (at?.kind === "stack" && at.offset === value.home.spill) return `spill slot of an unused parameter: DWARF names ${value.name}'s spill slot`;
  }
  // 3. A parameter the body reassigns from another one: the entry range of its location list names
  // the other argument's register or stack word, the value it may hold later. Every disagreeing
  // piece must be at a place goxray gives another argument, and the case must be one of
  // REASSIGNED, read in its source (and for findScavengeCandidate in the disassembly: Go 1.22
  // amd64 tests max with TESTQ DI, DI, goxray's RDI, where DWARF says RCX).
  const otherPlaces = new Set(others.flatMap((v) => v.pieces.map((p) => (p.location.kind === "register" ? `reg ${p.location.register.dwarf}` : `SP+${p.location.offset}`))));
  let borrowed = 0;
  for (const d of dwarf) {
    for (const p of value.pieces.filter((q) => q.offset >= d.offset && q.offset + q.size <= d.offset + d.size)) {
      const want = dwarfPlace(arch, d.location, p.offset - d.offset);
      if (want === undefined) continue;
      const key = want.kind === "register" ? `reg ${want.regnum}` : `SP+${want.offset}`;
      const mine = p.location.kind === "register" ? `reg ${p.location.register.dwarf}` : `SP+${p.location.offset}`;
      if (key === mine) continue;
      if (!otherPlaces.has(key)) return undefined;
      borrowed++;
    }
  }
  const statement = REASSIGNED[`${functionName} ${value.name}`];
  return borrowed > 0 && statement !== undefined ? `reassigned parameter: DWARF gives ${value.name} another argument's place (${statement})` : undefined;
}

/** Parameters their function reassigns from another parameter, with the statement that does it. */
const REASSIGNED: Readonly<Record<string, string>> = {
  "runtime.(*pallocData).findScavengeCandidate max": "if max == 0 { max = minimum }",
  "math/big.nat.expNNMontgomery x": "x = rr, where len(rr) == len(m)",
  "math/big.euclidUpdate Ub": "Ua, Ub = Ub, Ua",
  "internal/strconv.fmtEFG prec": "prec = nd",
  "math/big.(*Int).And x": "x, y = y, x // & is symmetric",
  "math/big.(*Int).And y": "x, y = y, x // & is symmetric",
  "math/big.(*Int).Or x": "x, y = y, x // | is symmetric",
  "math/big.(*Int).Or y": "x, y = y, x // | is symmetric",
  "math/big.(*Int).Xor x": "x, y = y, x // ^ is symmetric",
  "math/big.(*Int).Xor y": "x, y = y, x // ^ is symmetric",
  "go/types.(*unifier).nify y": "x, y = y, x",
  "go/types.(*Checker).infer targs": "targs = targs2",
  // cmd/compile (Go 1.26 sources).
  "cmd/compile/internal/types2.(*unifier).nify y": "x, y = y, x",
  "cmd/compile/internal/types2.(*Checker).infer targs": "targs = targs2",
  "cmd/compile/internal/ssa.rewriteNewPhis h": "if _, ok := newphis[b]; ok { h = b }",
  "cmd/compile/internal/ssa.(*factsTable).update v": "v, w = w, v",
};

/** The compiler's pieces for a parameter at `pc`, or why there are none to compare. */
function dwarfPieces(binary: GoBinary, f: GoFunction, param: GoParam, size: number): DwarfPiece[] | string {
  const dwarf = binary.dwarf();
  if (param.location === undefined) return "no DW_AT_location";
  if (f.dwarfOffset === undefined || f.entry === undefined) return "no subprogram";
  const unit = dwarf.unitContaining(f.dwarfOffset);
  if (unit === undefined) return "no unit";
  let expr: Uint8Array | undefined;
  if (param.location.kind === "block") expr = param.location.bytes;
  else {
    const entry = (dwarf.locationList(unit, param.location) ?? []).find((e) => e.low <= (f.entry ?? -1) && (f.entry ?? -1) < e.high);
    if (entry === undefined) return "no location at the entry PC";
    expr = entry.expr;
  }
  const decoded: LocationPiece[] = decodeLocation(expr, unit.header.addressSize, unit.header.offsetSize, true, { file: binary.name, section: ".debug_loc", base: 0 });
  if (decoded.length === 0) return "empty location at the entry PC";
  const pieces: DwarfPiece[] = [];
  let offset = 0;
  for (const d of decoded) {
    const pieceSize = d.size ?? size - offset;
    pieces.push({ offset, size: pieceSize, location: d.location });
    offset += pieceSize;
  }
  return offset === size ? pieces : `pieces cover ${offset} of ${size} bytes`;
}

/** Where a GC-shape body's dictionary goes (Signature.dictionaryIndex), from go/features.ts. */
function dictionaryIndex(name: string, toolchain: GoToolchain): number | undefined {
  if (!hasDictionaryArgument(name)) return undefined;
  const version = parseGoVersion(toolchain.fullVersion);
  if (version === undefined) throw new Error(`toolchain version ${toolchain.fullVersion}`);
  return dictionaryPosition(version, undefined) === "after-receiver" && isMethodName(name) ? 1 : 0;
}

/**
 * Go 1.15 and 1.19 leave unnamed and blank parameters out of DWARF, unnamed receivers included
 * (autogenerated wrappers such as "runtime.(*errorString).Error", "func (unknownVal) String()"):
 * true when F is a method whose first DWARF parameter is not of the receiver type its name spells.
 */
function lacksReceiver(f: GoFunction): boolean {
  // Type equality functions ("type:.eq.main.T", Go 1.27 "type:.eq.M16SSM40") are not methods.
  if (f.name.startsWith("type:") || f.name.startsWith("type..")) return false;
  const local = localName(f.name);
  const pkg = packageName(f.name);
  // The method name is the last component, and not a closure's "func1", "deferwrap1", "gowrap1".
  const method = "(?!(?:func|deferwrap|gowrap)\\d+$)[A-Za-z_]\\w*$";
  const pointer = new RegExp(`^\\(\\*([^()]+)\\)\\.${method}`).exec(local);
  const value = new RegExp(`^([A-Za-z_]\\w*(?:\\[.*\\])?)\\.${method}`).exec(local);
  const receiver = pointer !== null ? `*${pkg}.${pointer[1] ?? ""}` : value !== null ? `${pkg}.${value[1] ?? ""}` : undefined;
  return receiver !== undefined && f.params[0]?.typeName !== receiver;
}

/** The toolchains whose DWARF leaves unnamed and blank parameters out (later ones name them "~p0", "~p1"). */
const OMITS_UNNAMED = new Set(["1.15", "1.19"]);

/**
 * Functions whose unnamed or blank parameters Go 1.15 and 1.19 leave out of DWARF, so that the
 * signature goxray reads is short and pclntab's args size larger, as "program:function" ("*" for
 * library code), each checked against its source. The test fails when a listed case agrees.
 */
const OMITTED_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  // func(_ interface{}, _ uintptr) in runtime/mgcscavenge.go; test/abi: func(*T), func G(int, int),
  // func poison([3]int), func H(*int), func spills(_ *float32).
  "1.15": ["*:runtime.bgscavenge.func1", "map:main.K.func1", "part_live:main.G", "part_live:main.poison", "part_live_2:main.G", "part_live_2:main.H", "part_live_2:main.poison", "spills4:main.spills"],
  // func(s any, _ uintptr) in runtime/mgcscavenge.go; the method value wrapper of
  // (*itabTableType).add, whose one parameter (m *itab) DWARF leaves out; the same test/abi functions.
  "1.19": ["*:runtime.(*scavengerState).init.func1", "*:runtime.(*itabTableType).add-fm", "map:main.K.func1", "part_live:main.G", "part_live:main.poison", "part_live_2:main.G", "part_live_2:main.H", "part_live_2:main.poison", "spills4:main.spills"],
};

/** Counts for one (Go version, arch). */
interface Tally {
  functions: number;
  params: number;
  agree: number;
  known: Map<string, number>;
  skipped: Map<string, number>;
  disagreements: string[];
  knownCases: string[];
  argsSizeAgree: number;
  argsSizeDiffer: string[];
  knownArgsSize: Map<string, number>;
  omittedSeen: string[];
}

function newTally(): Tally {
  return { functions: 0, params: 0, agree: 0, known: new Map(), skipped: new Map(), disagreements: [], knownCases: [], argsSizeAgree: 0, argsSizeDiffer: [], knownArgsSize: new Map(), omittedSeen: [] };
}

const bump = (m: Map<string, number>, key: string): void => {
  m.set(key, (m.get(key) ?? 0) + 1);
};

/** Compares every function of one binary not seen before in this (version, arch). */
function compareBinary(path: string, toolchain: GoToolchain, tally: Tally, seen: Set<string>): void {
  const binary = GoBinary.open(path);
  try {
    const goArch = binary.elf.goArch ?? "?";
    const arch = findArch(goArch);
    if (arch === undefined) throw new Error(`${path}: arch ${goArch}`);
    // The ABI from the toolchain that built the binary, not from its build info: Go 1.15 programs
    // built outside a module point their module info into .bss, which src/go/buildinfo.ts rejects.
    const version = parseGoVersion(toolchain.fullVersion);
    if (version === undefined) throw new Error(`toolchain version ${toolchain.fullVersion}`);
    const abi = abiInForce(version, goArch, undefined).abi;
    const place = choosePlacer(abi, goArch, path);
    const types = binary.types();
    const omitted = OMITTED_PARAMETERS[toolchain.version] ?? [];
    for (const f of binary.functions().functions) {
      // Library functions are the same code in every program of one toolchain: compare them once.
      // main.F differs from program to program.
      if (!f.hasDwarf || f.entry === undefined || seen.has(f.name)) continue;
      if (!f.name.startsWith("main.")) seen.add(f.name);
      const all = [...f.params, ...f.results];
      if (all.some((p) => p.typeOffset === undefined)) continue;
      // Assembly functions (ABI0, declared in .s files) have subprograms but no parameters in DWARF.
      if (f.file?.endsWith(".s") === true) {
        bump(tally.skipped, "assembly function");
        continue;
      }
      if (OMITS_UNNAMED.has(toolchain.version) && lacksReceiver(f)) {
        bump(tally.knownArgsSize, "DWARF omits the unnamed receiver (Go 1.15, 1.19)");
        continue;
      }
      const values: Signature["values"][number][] = all.map((p) => ({ name: p.name, type: types.typeAt(p.typeOffset as DebugInfoOffset), isResult: p.isResult }));
      const placement = place({ values, dictionaryIndex: dictionaryIndex(f.name, toolchain) });
      tally.functions++;
      if (f.hasKnownResults && f.argsSize !== undefined && placement.argsSize !== undefined) {
        const names = f.results.map((r) => r.name);
        if (f.argsSize === placement.argsSize) tally.argsSizeAgree++;
        else if (omitted.includes(`${f.name.startsWith("main.") ? basename(path) : "*"}:${f.name}`)) {
          bump(tally.knownArgsSize, "DWARF omits an unnamed or blank parameter (Go 1.15, 1.19)");
          tally.omittedSeen.push(`${f.name.startsWith("main.") ? basename(path) : "*"}:${f.name}`);
        } else if (OMITS_UNNAMED.has(toolchain.version)) {
          // The same defect outside the hand-checked list: the frame is larger than the DWARF
          // parameters explain. goxray's check reports it (hazard dwarf-missing-parameter) and
          // places nothing after the gap; the parameters are not compared here either.
          bump(tally.knownArgsSize, "DWARF omits an unnamed or blank parameter (Go 1.15, 1.19; args size larger than the DWARF parameters)");
          continue;
        } else if (/-range\d+$|\]\.func\d+$/.test(f.name)) {
          // Range-over-func loop bodies and closures inside generic shape bodies: the frame holds
          // more (or less) than DWARF's parameters, and goxray's check reports the mismatch
          // (hazard args-size-mismatch) instead of trusting its placement.
          bump(tally.knownArgsSize, "args size differs from DWARF's parameters; goxray flags it (range-func bodies, closures in shape bodies)");
          continue;
        } else if (new Set(names).size < names.length) {
          // Go 1.19 and later can write an unnamed result that does not fit in SSA ("~r0" of a large struct) twice.
          bump(tally.knownArgsSize, "DWARF lists a result twice");
        } else tally.argsSizeDiffer.push(`${f.name}: pclntab args ${f.argsSize}, goxray ${placement.argsSize} (${[...f.params, ...f.results].map((p) => `${p.name} ${p.typeName}`).join(", ")})`);
      }
      const placedArgs = placement.values.filter((v) => v.role === "argument");
      f.params.forEach((param, i) => {
        const value = placedArgs[i];
        if (value === undefined) return;
        if (value.type.size === 0) {
          bump(tally.skipped, "zero-sized");
          return;
        }
        const pieces = dwarfPieces(binary, f, param, value.type.size);
        if (typeof pieces === "string") {
          bump(tally.skipped, pieces.startsWith("pieces cover") ? "pieces do not add up to the type's size" : pieces);
          return;
        }
        tally.params++;
        const verdict = compare(arch, f.name, value, placedArgs.filter((v) => v !== value), pieces);
        const where = `${f.name} ${param.name} ${value.type.name}`;
        switch (verdict.kind) {
          case "agree":
            tally.agree++;
            break;
          case "known":
            bump(tally.known, verdict.rule.replace(/:.*/, ""));
            tally.knownCases.push(`${where}: ${verdict.rule} (${verdict.detail})`);
            break;
          case "disagree":
            tally.disagreements.push(`${where}: ${verdict.detail}`);
            break;
          case "skip":
            tally.params--;
            bump(tally.skipped, verdict.why);
            break;
        }
      });
    }
  } finally {
    binary.close();
  }
}

const toolchains = requireToolchains();

describe("placement agrees with the compiler's DWARF at each function's entry", () => {
  if (toolchains.length === 0) it.skip("no Go toolchain under /usr/lib/go-1.NN", () => undefined);
  for (const toolchain of toolchains) {
    for (const arch of ARCHES) {
      it(`${toolchain.fullVersion} ${arch}`, { timeout: 600_000 }, () => {
        const tally = newTally();
        const seen = new Set<string>();
        const programs = abiTestPrograms(toolchain, toolchains);
        for (const source of programs) compareBinary(buildProgram(toolchain, arch, source), toolchain, tally, seen);
        for (const sample of SAMPLES) {
          if (sampleSupports(sample, toolchain)) compareBinary(buildSample(sample, toolchain, arch, "default"), toolchain, tally, seen);
        }
        for (const pkg of commandsFor(toolchain)) compareBinary(buildCommand(toolchain, arch, pkg), toolchain, tally, seen);
        const known = [...tally.known].map(([rule, n]) => `${n} ${rule}`).join(", ");
        const skipped = [...tally.skipped].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${n} ${why}`).join(", ");
        const lines = [
          `${toolchain.fullVersion} ${arch}: ${programs.length} test/abi programs + samples + ${commandsFor(toolchain).join(", ")}, ${tally.functions} functions; ` +
            `parameters at entry: ${tally.agree}/${tally.params} agree, ${tally.params - tally.agree - tally.disagreements.length} known DWARF bugs (${known}), ${tally.disagreements.length} disagree; ` +
            `args size: ${tally.argsSizeAgree} agree with pclntab, ${tally.argsSizeDiffer.length} differ, not comparable: ${[...tally.knownArgsSize].map(([why, n]) => `${n} ${why}`).join(", ")}`,
          `  not compared: ${skipped}`,
          ...tally.knownCases.map((c) => `  known: ${c}`),
          ...tally.disagreements.slice(0, 30).map((d) => `  DISAGREE ${d}`),
          ...tally.argsSizeDiffer.slice(0, 30).map((d) => `  ARGS SIZE ${d}`),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
        expect(tally.params).toBeGreaterThan(1000);
        expect(tally.disagreements).toEqual([]);
        expect(tally.argsSizeDiffer).toEqual([]);
        expect([...new Set(tally.omittedSeen)].sort()).toEqual([...(OMITTED_PARAMETERS[toolchain.version] ?? [])].sort());
      });
    }
  }
});
