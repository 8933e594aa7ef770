import { readDwarfSummary, type DwarfSummary } from "../dwarf/summary.js";
import { ET_DYN, ET_EXEC } from "../elf/header.js";
import { PT_INTERP } from "../elf/program-headers.js";
import { findSetting, type BuildInfo } from "../go/buildinfo.js";
import type { GoBinary } from "../model/go-binary.js";

/** One observation about the whole binary that matters before tracing it. */
export interface BinaryNote {
  readonly code: string;
  readonly severity: "info" | "warning";
  readonly message: string;
}

/** Everything `goxray analyze` reports, as plain data; the text and JSON renderers only format it. */
export interface BinaryAnalysis {
  readonly file: string;
  readonly elf: {
    readonly class: "ELF32" | "ELF64";
    readonly byteOrder: "little-endian" | "big-endian";
    readonly type: "executable" | "position-independent" | "other";
    readonly machine: number;
    readonly linkage: "static" | "dynamic";
    readonly hasSectionHeaders: boolean;
    readonly symbols: number | null;
    readonly gnuBuildId: string | null;
  };
  readonly isGo: boolean;
  readonly goVersion: string | null;
  readonly goBuildId: string | null;
  readonly arch: string | null;
  readonly abi: "register" | "stack" | null;
  readonly abiReason: string | null;
  readonly pie: boolean;
  readonly dwarf: { readonly present: boolean; readonly version: number | null; readonly compression: "none" | "zlib" | "zdebug" | null };
  readonly stripped: boolean;
  readonly cgo: boolean | null;
  readonly cgoSource: "build setting" | "runtime/cgo in pclntab" | null;
  readonly mainPackage: string | null;
  readonly module: { readonly path: string; readonly version: string } | null;
  readonly buildSettings: Readonly<Record<string, string>>;
  readonly dependencies: readonly { readonly path: string; readonly version: string; readonly replacedBy: string | null }[];
  readonly functions: number | null;
  readonly mainModuleFunctions: number | null;
  readonly pclntab: { readonly layout: string; readonly foundIn: string } | null;
  readonly notes: readonly BinaryNote[];
}

/** Builds the analysis of an opened binary, reading only headers, build info, pclntab and the first DWARF unit header. */
export function analyzeBinary(binary: GoBinary): BinaryAnalysis {
  const elf = binary.elf;
  const info = binary.buildInfo();
  const pclntab = binary.pclntab();
  const isGo = info !== undefined || pclntab !== undefined;
  const symtab = elf.symbols();
  const dwarf = readDwarfSummary(elf);
  const arch = elf.goArch ?? null;
  const abi = info !== undefined && arch !== null ? binary.abi() : undefined;
  const settings: Record<string, string> = {};
  for (const s of info?.settings ?? []) settings[s.key] = s.value;
  const cgo = binary.cgo();
  const mainPackage = info?.path ?? null;
  const modulePath = info?.main?.path;
  const analysis: Omit<BinaryAnalysis, "notes"> = {
    file: elf.name,
    elf: {
      class: elf.header.wordSize === 8 ? "ELF64" : "ELF32",
      byteOrder: elf.header.isLittleEndian ? "little-endian" : "big-endian",
      type: elf.header.type === ET_EXEC ? "executable" : elf.header.type === ET_DYN ? "position-independent" : "other",
      machine: elf.header.machine,
      linkage: elf.segments.some((s) => s.type === PT_INTERP) ? "dynamic" : "static",
      hasSectionHeaders: elf.sections.length > 0,
      symbols: symtab === undefined ? null : symtab.count - 1,
      gnuBuildId: elf.gnuBuildId() ?? null,
    },
    isGo,
    goVersion: info?.goVersion ?? null,
    goBuildId: elf.goBuildId() ?? null,
    arch,
    abi: abi?.abi ?? null,
    abiReason: abi?.reason ?? null,
    pie: elf.isPositionIndependent,
    dwarf: { present: dwarf.isPresent, version: dwarf.version ?? null, compression: dwarf.compression ?? null },
    stripped: symtab === undefined,
    cgo: cgo?.isUsed ?? null,
    cgoSource: cgo?.source ?? null,
    mainPackage,
    module: info?.main === undefined ? null : { path: info.main.path, version: info.main.version },
    buildSettings: settings,
    dependencies: (info?.deps ?? []).map((d) => ({ path: d.path, version: d.version, replacedBy: d.replace === undefined ? null : `${d.replace.path} ${d.replace.version}`.trim() })),
    functions: pclntab?.funcCount ?? null,
    mainModuleFunctions: pclntab === undefined ? null : countMainModuleFunctions(pclntab, modulePath),
    pclntab: pclntab === undefined ? null : { layout: pclntab.layout, foundIn: pclntab.foundIn },
  };
  return { ...analysis, notes: isGo ? notesFor(analysis, info, dwarf) : [] };
}

/** Functions of package main and of the main module's other packages. */
function countMainModuleFunctions(pclntab: { readonly funcCount: number; nameAt(i: number): string }, modulePath: string | undefined): number {
  let count = 0;
  const inModule = modulePath === undefined || modulePath === "" || modulePath === "command-line-arguments" ? undefined : modulePath;
  for (let i = 0; i < pclntab.funcCount; i++) {
    const name = pclntab.nameAt(i);
    if (name.startsWith("main.") || (inModule !== undefined && (name.startsWith(inModule + ".") || name.startsWith(inModule + "/")))) count++;
  }
  return count;
}

function notesFor(a: Omit<BinaryAnalysis, "notes">, info: BuildInfo | undefined, dwarf: DwarfSummary): BinaryNote[] {
  const notes: BinaryNote[] = [];
  if (a.goVersion === null) {
    notes.push({ code: "no-buildinfo", severity: "warning", message: "no Go build info: the Go version and ABI are unknown (Go older than 1.13?)" });
  }
  const gcflags = findSetting(info, "-gcflags");
  if (info !== undefined && info.layout === "pointers" && info.settings.length === 0) {
    notes.push({ code: "inlining-unknown", severity: "warning", message: "build flags not recorded (Go before 1.18): small functions may be inlined and have no body to probe at their call sites" });
  } else if (gcflags === undefined || !/(^|\s|=)-l(\s|$)/.test(gcflags)) {
    notes.push({ code: "inlining", severity: "warning", message: "built without -gcflags=-l: small functions may be inlined and have no body to probe at some call sites (goxray check names them)" });
  }
  if (a.abi === "stack") {
    notes.push({ code: "stack-abi", severity: "info", message: `${a.abiReason ?? "stack ABI"}; goxray reads them at SP offsets` });
  }
  if (!dwarf.isPresent) {
    notes.push({ code: "no-dwarf", severity: "warning", message: "no DWARF (built with -ldflags=-w or stripped): functions are listed from pclntab, but parameter names and types are unknown" });
  }
  if (a.stripped) {
    notes.push({ code: "no-symtab", severity: "warning", message: "no .symtab (built with -ldflags=-s or stripped): bpftrace cannot attach by name; goxray attaches by address" });
  }
  if (a.cgo === true) {
    notes.push({ code: "cgo", severity: "info", message: "uses cgo: C functions have no Go signature, and Go code called from C runs on system stacks" });
  }
  if (a.arch !== null && a.arch !== "amd64" && a.arch !== "arm64") {
    notes.push({ code: "arch", severity: "warning", message: `${a.arch}: goxray places arguments for amd64 and arm64 only` });
  }
  return notes;
}
