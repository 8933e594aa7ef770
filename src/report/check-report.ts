import { compareWithDwarf, type DwarfComparison } from "../abi/compare-dwarf.js";
import type { PlacedValue, Placement } from "../abi/placement.js";
import { findStackCheck } from "../code/prologue.js";
import { findRetSites, type CodeArch } from "../code/ret-sites.js";
import { GoxrayError } from "../errors.js";
import { checkHazards } from "../hazards/check.js";
import type { BodyFacts, Hazard } from "../hazards/hazard.js";
import { amd64Register, findArch } from "../model/arch.js";
import { readEntryLocation } from "../model/entry-locations.js";
import type { GoBinary } from "../model/go-binary.js";
import type { GoFunction } from "../model/go-function.js";
import { functionPlacer } from "./function-placement.js";

/** One piece of a placed value as `check` shows it. */
export interface PieceReport {
  /** Go access path: "it.Name.len". */
  readonly path: string;
  /** Register name ("RAX", "X0", "R0") when the piece is in a register. */
  readonly register?: string;
  /** Offset from SP at entry (also at each RET) when the piece is in memory. */
  readonly stackOffset?: number;
  readonly size: number;
  readonly encoding: string;
  /** False for floating-point registers, which no uprobe can read. */
  readonly isReadable: boolean;
}

/** One argument or result: where it is, and whether the compiler's DWARF agrees. */
export interface ValueReport {
  readonly name: string;
  readonly type: string;
  readonly home: "registers" | "stack" | "unknown";
  readonly pieces: readonly PieceReport[];
  /** The comparison with DW_AT_location at the entry PC (arguments only). */
  readonly dwarf: DwarfComparison["kind"] | "no location for results";
  readonly dwarfDetail?: string;
}

/** Everything `goxray check` says about one function. */
export interface CheckReport {
  readonly function: string;
  readonly signature: string;
  readonly entry: string | null;
  readonly fileOffset: number | null;
  readonly size: number | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly goVersion: string;
  readonly arch: string;
  readonly abi: "register" | "stack";
  readonly dictionary: ValueReport | null;
  readonly params: readonly ValueReport[];
  readonly results: readonly ValueReport[];
  /** Bytes from the entry to each RET: where result probes go. */
  readonly retOffsets: readonly number[];
  readonly tailCallOffsets: readonly number[];
  /** Bytes from the entry to the first instruction after the stack-growth check: the once-per-call entry probe. */
  readonly entryProbeOffset: number | null;
  readonly hazards: readonly Hazard[];
  /** True when the function has a body to probe. */
  readonly traceable: boolean;
}

/** The function named exactly `name`, or a `no-function` error that suggests near names. */
export function findFunction(binary: GoBinary, name: string): GoFunction {
  const fn = binary.findFunction(name);
  if (fn !== undefined) return fn;
  const index = binary.functions();
  const lower = name.toLowerCase();
  const near = index.functions.filter((f) => f.name.toLowerCase().includes(lower)).slice(0, 5).map((f) => f.name);
  const hint = near.length > 0 ? `; did you mean ${near.join(", ")}?` : "; goxray funcs lists them";
  throw new GoxrayError("no-function", { file: binary.name }, `no function named ${JSON.stringify(name)}${hint}`);
}

/** Places, decodes and checks one function. */
export async function checkFunction(binary: GoBinary, fn: GoFunction): Promise<CheckReport> {
  return (await inspectFunction(binary, fn)).report;
}

/** What checking one function found: the report, and the placement it was made from (for the script writer). */
interface Inspection {
  readonly report: CheckReport;
  readonly placement: Placement | undefined;
  /** The register holding g at the entry probe, as bpftrace names it ("cx"), when the stack check loaded it from TLS (Go < 1.17 on amd64); undefined otherwise. */
  readonly entryGoroutine: string | undefined;
}

/** Checks one function and keeps its placement. */
export async function inspectFunction(binary: GoBinary, fn: GoFunction): Promise<Inspection> {
  const version = binary.goVersion();
  const goArch = binary.elf.goArch ?? "unknown";
  const abi = binary.abi();
  const arch = findArch(goArch);
  const placement = fn.hasDwarf && arch !== undefined ? functionPlacer(binary)(fn) : undefined;
  const comparisons: { name: string; comparison: DwarfComparison }[] = [];
  const argumentValues = placement?.values.filter((v) => v.role === "argument") ?? [];
  if (placement !== undefined && arch !== undefined) {
    const byName = new Map(fn.params.map((p) => [p.name, p]));
    const registerName = (dwarf: number): string | undefined => [...arch.integerArgs, ...arch.floatArgs, arch.closureContext, arch.goroutine].find((r) => r.dwarf === dwarf)?.name;
    for (const v of argumentValues) {
      const param = byName.get(v.name);
      if (param === undefined) continue;
      comparisons.push({ name: v.name, comparison: compareWithDwarf(v, readEntryLocation(binary, fn, param, v.type.size, arch), placement.values, registerName) });
    }
  }
  const body = fn.entry !== undefined && fn.end !== undefined && (goArch === "amd64" || goArch === "arm64") ? await readBody(binary, fn, goArch) : undefined;
  const hazards = checkHazards({ fn, placement, abi: abi.abi, abiReason: abi.reason, body: body?.facts, isCgo: binary.cgo()?.isUsed === true, dwarfComparisons: comparisons });
  const comparisonOf = (name: string): DwarfComparison | undefined => comparisons.find((c) => c.name === name)?.comparison;
  const values = placement?.values ?? [];
  const report: CheckReport = {
    function: fn.name,
    signature: renderSignature(fn),
    entry: fn.entry === undefined ? null : `0x${fn.entry.toString(16)}`,
    fileOffset: fn.entry === undefined ? null : binary.elf.fileOffsetOf(fn.entry) ?? null,
    size: fn.entry === undefined || fn.end === undefined ? null : fn.end - fn.entry,
    file: fn.file ?? null,
    line: fn.line ?? null,
    goVersion: version.raw,
    arch: goArch,
    abi: abi.abi,
    dictionary: values.filter((v) => v.role === "dictionary").map((v) => valueReport(v, undefined))[0] ?? null,
    params: values.filter((v) => v.role === "argument").map((v) => valueReport(v, comparisonOf(v.name))),
    results: values.filter((v) => v.role === "result").map((v) => valueReport(v, undefined)),
    retOffsets: body?.facts.retOffsets ?? [],
    tailCallOffsets: body?.facts.tailCallOffsets ?? [],
    entryProbeOffset: body === undefined ? null : body.entryProbeOffset,
    hazards,
    traceable: fn.entry !== undefined,
  };
  const tlsRegister = body?.tlsRegister;
  return { report, placement, entryGoroutine: tlsRegister === undefined || arch === undefined ? undefined : amd64Register(arch, tlsRegister)?.bpftraceName };
}

async function readBody(binary: GoBinary, fn: GoFunction, arch: CodeArch): Promise<{ facts: BodyFacts; entryProbeOffset: number; tlsRegister: string | undefined }> {
  const entry = fn.entry as number;
  const bytes = binary.elf.readAtAddress(entry, (fn.end as number) - entry, `code of ${fn.name}`);
  const code = { file: binary.name, entry, bytes, arch, fileOffset: binary.elf.fileOffsetOf(entry) ?? 0 };
  const sites = await findRetSites(code);
  const stackCheck = await findStackCheck(code);
  const pclntab = binary.pclntab();
  const deferIndex = pclntab?.findByName("runtime.deferreturn");
  const deferReturn = deferIndex === undefined ? undefined : pclntab?.entryAt(deferIndex);
  return {
    facts: {
      retOffsets: sites.rets,
      tailCallOffsets: sites.tailCalls.map((t) => t.offset),
      isNoReturn: sites.isNoReturn,
      deferReturnOffsets: sites.calls.filter((c) => c.target !== undefined && c.target === deferReturn).map((c) => c.returnOffset),
    },
    // Without a stack check (small NOSPLIT leaves) the prologue cannot re-run: the entry is safe.
    entryProbeOffset: stackCheck?.bodyOffset ?? 0,
    tlsRegister: stackCheck?.tlsRegister,
  };
}

function valueReport(v: PlacedValue, comparison: DwarfComparison | undefined): ValueReport {
  const pieces: PieceReport[] = v.pieces.map((p) =>
    p.location.kind === "register"
      ? { path: p.path, register: p.location.register.name, size: p.size, encoding: p.encoding, isReadable: !p.location.register.isFloat }
      : { path: p.path, stackOffset: p.location.offset, size: p.size, encoding: p.encoding, isReadable: true },
  );
  const base = { name: v.name, type: v.type.name, home: v.home.kind, pieces };
  if (v.role === "result") return { ...base, dwarf: "no location for results" };
  if (comparison === undefined) return { ...base, dwarf: "not-comparable" };
  if (comparison.kind === "disagrees") return { ...base, dwarf: comparison.kind, dwarfDetail: comparison.detail };
  if (comparison.kind === "not-comparable") return { ...base, dwarf: comparison.kind, dwarfDetail: comparison.why };
  return { ...base, dwarf: comparison.kind };
}

function renderSignature(fn: GoFunction): string {
  if (!fn.hasDwarf) return `${fn.name}(?)`;
  const params = fn.params.map((p) => `${p.name} ${p.typeName}`).join(", ");
  if (!fn.hasKnownResults) return `${fn.name}(${params}) ?`;
  const results = fn.results.map((r) => (r.isUnnamed ? r.typeName : `${r.name} ${r.typeName}`));
  const [only] = fn.results;
  const tail = fn.results.length === 0 ? "" : fn.results.length === 1 && only?.isUnnamed === true ? ` ${only.typeName}` : ` (${results.join(", ")})`;
  return `${fn.name}(${params})${tail}`;
}
