import { shownName } from "../bpftrace/shown-name.js";
import type { BinaryAnalysis } from "./analysis.js";
import type { CheckReport, ValueReport } from "./check-report.js";
import type { FunctionRow, ParamRow } from "./function-list.js";
import type { HazardSummary } from "./hazard-summary.js";

/** The human report of `goxray analyze`: one labelled line per fact, then the notes. */
export function renderAnalysisText(a: BinaryAnalysis): string {
  const rows: [string, string][] = [];
  const elfLine = `${a.elf.class}, ${a.elf.byteOrder}, ${a.elf.type === "position-independent" ? "PIE (ET_DYN)" : a.elf.type === "executable" ? "executable (ET_EXEC)" : "other ELF type"}, ${a.elf.linkage}ally linked`;
  rows.push(["ELF", elfLine]);
  if (!a.isGo) {
    rows.push(["Machine", a.arch ?? `ELF machine ${a.elf.machine}`]);
    rows.push(["Symbols", a.elf.symbols === null ? "no .symtab" : `${a.elf.symbols} in .symtab`]);
    rows.push(["DWARF", dwarfLine(a)]);
    if (a.elf.gnuBuildId !== null) rows.push(["GNU build ID", a.elf.gnuBuildId]);
    return `${a.file}: not a Go binary\n${table(rows)}`;
  }
  rows.push(["Go version", a.goVersion ?? "unknown (no build info)"]);
  rows.push(["Architecture", a.arch ?? `ELF machine ${a.elf.machine} (not a Go architecture)`]);
  rows.push(["ABI", a.abi === null ? "unknown" : `${a.abi}: ${a.abiReason ?? ""}`]);
  rows.push(["PIE", a.pie ? "yes" : "no"]);
  rows.push(["DWARF", dwarfLine(a)]);
  rows.push(["Symbols", a.stripped ? "stripped (no .symtab)" : `${a.elf.symbols ?? 0} in .symtab`]);
  rows.push(["cgo", a.cgo === null ? "unknown" : `${a.cgo ? "yes" : "no"} (${a.cgoSource ?? ""})`]);
  if (a.mainPackage !== null) rows.push(["Main package", a.mainPackage]);
  if (a.module !== null) rows.push(["Module", `${a.module.path} ${a.module.version}`]);
  const functions = a.functions === null ? "unknown (no pclntab)" : `${a.functions} (pclntab ${a.pclntab?.layout ?? "?"} in ${a.pclntab?.foundIn ?? "?"}), ${a.mainModuleFunctions ?? 0} in the main module`;
  rows.push(["Functions", functions]);
  if (a.goBuildId !== null) rows.push(["Go build ID", a.goBuildId]);
  if (a.elf.gnuBuildId !== null) rows.push(["GNU build ID", a.elf.gnuBuildId]);
  const settings = Object.entries(a.buildSettings);
  rows.push(["Build settings", settings.length === 0 ? "not recorded" : settings.map(([k, v]) => `${k}=${v}`).join("\n")]);
  rows.push(["Dependencies", a.dependencies.length === 0 ? "none" : a.dependencies.map((d) => `${d.path} ${d.version}${d.replacedBy === null ? "" : ` => ${d.replacedBy}`}`).join("\n")]);
  let out = `${a.file}: Go binary\n${table(rows)}`;
  if (a.notes.length > 0) {
    out += "\nNotes:\n";
    for (const n of a.notes) out += `  ${n.severity.padEnd(7)} ${n.code.padEnd(16)} ${n.message}\n`;
  }
  return out;
}

function dwarfLine(a: BinaryAnalysis): string {
  if (!a.dwarf.present) return "absent";
  const compression = a.dwarf.compression === "zlib" ? ", zlib-compressed (SHF_COMPRESSED)" : a.dwarf.compression === "zdebug" ? ", zlib-compressed (.zdebug_*)" : ", uncompressed";
  return `version ${a.dwarf.version ?? "?"}${compression}`;
}

function table(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  let out = "";
  for (const [key, value] of rows) {
    const [first, ...rest] = value.split("\n");
    out += `  ${key.padEnd(width)}${first ?? ""}\n`;
    for (const line of rest) out += `  ${" ".repeat(width)}${line}\n`;
  }
  return out;
}

/** One line per function: `name(params) results  file:line  [flags]`, in Go syntax. */
export function renderFunctionsText(rows: readonly FunctionRow[]): string {
  let out = "";
  for (const r of rows) {
    const signature = r.params === null ? "(?)  no DWARF: types unknown" : `(${r.params.map(renderParam).join(", ")})${r.results === null ? " ?" : renderResults(r.results)}`;
    const where = r.file === null && r.line === null ? "" : `  ${r.file ?? "?"}:${r.line ?? "?"}`;
    const flags: string[] = [];
    if (r.inlined === "always") flags.push("inlined everywhere: no body to probe");
    else if (r.inlined === "partly") flags.push(`inlined at ${r.inlinedAt.length} site${r.inlinedAt.length === 1 ? "" : "s"}`);
    if (r.isMethod) flags.push("method");
    if (r.isGeneric) flags.push("generic");
    if (r.hasFloatArgs) flags.push("float args");
    // Names, types and files come from the binary: shown so that each function stays one line.
    out += `${shownName(`${r.name}${signature}${where}`)}${flags.length > 0 ? `  [${flags.join(", ")}]` : ""}\n`;
  }
  return out;
}

function renderParam(p: ParamRow): string {
  return p.name === null ? p.type : `${p.name} ${p.type}`;
}

function renderResults(results: readonly ParamRow[]): string {
  if (results.length === 0) return "";
  const [only] = results;
  if (results.length === 1 && only !== undefined && only.name === null) return ` ${only.type}`;
  return ` (${results.map(renderParam).join(", ")})`;
}

/** The human form of `goxray check` for one function. */
export function renderCheckText(r: CheckReport): string {
  const hex = (n: number): string => `+0x${n.toString(16)}`;
  // Names, types, files and hazard messages come from the binary: shown so that none adds a line.
  let out = `${shownName(r.signature)}\n`;
  out += r.entry === null ? "  no out-of-line body\n" : `  entry ${r.entry} (file offset 0x${(r.fileOffset ?? 0).toString(16)}), ${r.size ?? "?"} bytes, ${shownName(r.file ?? "?")}:${r.line ?? "?"}\n`;
  out += `  ${r.goVersion}, ${r.arch}, ${r.abi} ABI\n`;
  if (r.entry !== null) {
    const entry = r.entryProbeOffset === null ? "entry probe at +0x0" : r.entryProbeOffset === 0 ? "entry probe at +0x0 (no stack-growth check)" : `entry probe at ${hex(r.entryProbeOffset)} (after the stack-growth check)`;
    const rets = r.retOffsets.length === 0 ? "no RET" : `RET at ${r.retOffsets.map(hex).join(", ")}`;
    out += `  ${entry}; ${rets}\n`;
  }
  const rows: string[][] = [];
  const add = (label: string, values: readonly ValueReport[]): void => {
    for (const v of values) {
      const where = v.pieces.length === 0 ? (v.home === "unknown" ? "unknown" : "no bytes") : "";
      rows.push([label, shownName(v.name), shownName(v.type), where, v.dwarf === "no location for results" ? "" : shownName(v.dwarf + (v.dwarfDetail === undefined ? "" : `: ${v.dwarfDetail}`))]);
      for (const p of v.pieces) {
        const at = p.register !== undefined ? p.register : `SP+${p.stackOffset ?? 0}`;
        rows.push(["", `  ${shownName(p.path)}`, `${p.size}B ${p.encoding}`, p.isReadable ? at : `${at} (unreadable)`, ""]);
      }
      label = "";
    }
  };
  if (r.dictionary !== null) add("dictionary", [r.dictionary]);
  add("arguments", r.params);
  add("results", r.results);
  if (rows.length > 0) {
    const header = ["", "value", "type / size", "location", "DWARF at entry"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
    const line = (row: readonly string[]): string => "  " + row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd() + "\n";
    out += "\n" + line(header);
    for (const row of rows) out += line(row);
  }
  if (r.hazards.length > 0) {
    out += "\nhazards:\n";
    for (const h of r.hazards) out += `  ${h.severity.padEnd(7)} ${h.code.padEnd(22)} ${shownName(h.message)}\n`;
  }
  out += `\ntraceable: ${r.traceable ? "yes" : "no"}\n`;
  return out;
}

/** The `analyze --hazards` section: hazards of the main module's functions, counted by code. */
export function renderHazardSummaryText(summary: HazardSummary): string {
  let out = `\nHazards over the main module (${summary.functions} functions):\n`;
  if (summary.counts.length === 0) return out + "  none\n";
  for (const c of summary.counts) {
    const more = c.functions > c.examples.length ? `, … ${c.functions - c.examples.length} more` : "";
    out += `  ${c.severity.padEnd(7)} ${c.code.padEnd(22)} ${String(c.functions).padStart(4)}  ${shownName(c.examples.join(", "))}${more}\n`;
  }
  return out;
}
