// Inline trees from pclntab against readers that are not ours, for every installed toolchain,
// amd64 and arm64:
// - samples/calls/signatures.json: main.Double is inlined at exactly the call sites listed in
//   "inlinedInto" in default builds, and nowhere when built with -gcflags='all=-N -l';
// - the compiler's DWARF, read by GNU readelf: for each function, the set of (inlined function,
//   call line) pairs of its DW_TAG_inlined_subroutine entries (any depth) equals pclntab's;
// - addr2line at the first PC of every PC range of every inlined call: the chain of frames
//   llvm-addr2line prints (names and lines), and the lines GNU addr2line prints, are pclntab's;
// - stripped builds, where no symbol says where funcdata starts, give the same trees as
//   unstripped ones, and ver112 entries' own parent and line fields agree with the derived ones.
// The counts compared are printed per toolchain, arch and sample.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { openFileSource } from "../src/bytes/byte-source.js";
import { ElfFile } from "../src/elf/elf-file.js";
import type { InlinedSite } from "../src/go/inline-tree.js";
import { readPclntab, type Pclntab } from "../src/go/pclntab.js";
import { buildSample, readSignatures, requireToolchains, sampleNames, sampleSupports, type GoToolchain, type SampleArch } from "./support/samples.js";

const ARCHES: readonly SampleArch[] = ["amd64", "arm64"];

// Debian's llvm-N packages install llvm-addr2line-N, and llvm-defaults the unversioned link.
const LLVM_ADDR2LINE = ["llvm-addr2line", "llvm-addr2line-19", "llvm-addr2line-16", "llvm-addr2line-14"].find((tool) => spawnSync(tool, ["--version"]).status === 0);

function open(path: string): Pclntab {
  const table = readPclntab(ElfFile.open(openFileSource(path)));
  if (table === undefined) throw new Error(`${path}: no pclntab`);
  return table;
}

/** One DW_TAG_inlined_subroutine as readelf prints it, under the concrete subprogram at `callerEntry`. */
interface DwarfInline {
  callerEntry: number;
  origin: number;
  callLine: number | undefined;
}

/**
 * readelf --debug-dump=info: every inlined subroutine with the low_pc of the concrete
 * subprogram that holds it (at any depth), and the DW_AT_name of every entry by offset.
 */
function readelfInlines(path: string): { inlines: DwarfInline[]; names: Map<number, string> } {
  const text = execFileSync("readelf", ["-W", "--debug-dump=info", path], { encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: "C" } });
  const inlines: DwarfInline[] = [];
  const names = new Map<number, string>();
  // Open subprograms by depth: their low_pc once read.
  const stack: { depth: number; tag: string; lowPc: number | undefined }[] = [];
  let current: { offset: number; depth: number; tag: string; lowPc: number | undefined; inline: DwarfInline | undefined } | undefined;
  const callerEntry = (): number | undefined => {
    for (let k = stack.length - 1; k >= 0; k--) {
      const s = stack[k];
      if (s !== undefined && s.tag === "DW_TAG_subprogram") return s.lowPc;
    }
    return undefined;
  };
  for (const line of text.split("\n")) {
    const entry = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\S+)\))?/.exec(line);
    if (entry !== null) {
      const depth = Number(entry[1]);
      while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? -1) >= depth) stack.pop();
      if (entry[3] === "0") {
        current = undefined;
        continue;
      }
      const tag = entry[4] ?? "?";
      current = { offset: parseInt(entry[2] ?? "0", 16), depth, tag, lowPc: undefined, inline: undefined };
      if (tag === "DW_TAG_inlined_subroutine") {
        current.inline = { callerEntry: callerEntry() ?? -1, origin: -1, callLine: undefined };
        inlines.push(current.inline);
      }
      stack.push(current);
      continue;
    }
    if (current === undefined) continue;
    const attr = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s(.*)$/.exec(line);
    if (attr === null) continue;
    const [, name = "", value = ""] = attr;
    if (name === "DW_AT_name") {
      names.set(current.offset, value.replace(/^\((?:string|strp|line_strp|strx\d?)\) |^\(indirect (?:line )?string, offset: 0x[0-9a-f]+\): /, ""));
    } else if (name === "DW_AT_low_pc") {
      const m = /0x([0-9a-f]+)\s*$/.exec(value);
      if (m !== null) current.lowPc = parseInt(m[1] ?? "0", 16);
    } else if (current.inline !== undefined && name === "DW_AT_abstract_origin") {
      current.inline.origin = parseInt(/<0x([0-9a-f]+)>/.exec(value)?.[1] ?? "-1", 16);
    } else if (current.inline !== undefined && name === "DW_AT_call_line") {
      current.inline.callLine = Number(/(\d+)\s*$/.exec(value)?.[1]);
    }
  }
  return { inlines, names };
}

/** "name@line" pairs per function entry PC, from pclntab, with whether each is inside a compiler-made wrapper's call. */
function pclntabPairs(table: Pclntab): Map<number, Map<string, boolean>> {
  const byEntry = new Map<number, Map<string, boolean>>();
  for (let i = 0; i < table.funcCount; i++) {
    const sites = table.inlinedSites(i);
    if (sites.length === 0) continue;
    const isInWrapper = (site: InlinedSite | undefined): boolean => site !== undefined && ((site.callFile === "<autogenerated>" && site.callLine === 1) || isInWrapper(sites[site.parent]));
    const pairs = new Map<string, boolean>();
    for (const s of sites) pairs.set(`${s.name}@${s.callLine ?? "?"}`, (pairs.get(`${s.name}@${s.callLine ?? "?"}`) ?? true) && isInWrapper(s));
    byEntry.set(table.entryAt(i), pairs);
  }
  return byEntry;
}

/** "name@line" pairs per concrete subprogram low_pc, from DWARF. */
function dwarfPairs(path: string): Map<number, Set<string>> {
  const { inlines, names } = readelfInlines(path);
  const byEntry = new Map<number, Set<string>>();
  for (const inline of inlines) {
    const pairs = byEntry.get(inline.callerEntry) ?? new Set<string>();
    pairs.add(`${names.get(inline.origin) ?? `?${inline.origin.toString(16)}`}@${inline.callLine ?? "?"}`);
    byEntry.set(inline.callerEntry, pairs);
  }
  return byEntry;
}

/** One address's frames as addr2line -a -i -f prints them: (function, line) innermost first. */
function addr2lineFrames(tool: string, path: string, pcs: readonly number[]): Map<number, { name: string; line: number | undefined }[]> {
  const text = execFileSync(tool, ["-a", "-i", "-f", "-e", path], { input: pcs.map((pc) => `0x${pc.toString(16)}`).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
  const frames = new Map<number, { name: string; line: number | undefined }[]>();
  let current: { name: string; line: number | undefined }[] = [];
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k] ?? "";
    if (/^0x[0-9a-f]+$/.test(line)) {
      current = [];
      frames.set(parseInt(line, 16), current);
      continue;
    }
    if (line === "") continue;
    const position = lines[++k] ?? "";
    const lineNumber = /:(\d+)(?: \(discriminator \d+\))?$/.exec(position)?.[1];
    current.push({ name: line, line: lineNumber === undefined ? undefined : Number(lineNumber) });
  }
  return frames;
}

/** The inline chain pclntab gives at `pc` in function `i`: innermost frame first, the function last. */
function pclntabFrames(table: Pclntab, i: number, sites: readonly InlinedSite[], pc: number): { name: string; line: number | undefined }[] {
  let innermost: InlinedSite | undefined;
  for (const s of sites) {
    if (s.ranges.some((r) => r.low <= pc && pc < r.high) && (innermost === undefined || s.depth > innermost.depth)) innermost = s;
  }
  const frames: { name: string; line: number | undefined }[] = [];
  let line = table.pcValueAt(i, "pcln", pc);
  for (let s = innermost; s !== undefined; s = sites[s.parent]) {
    frames.push({ name: s.name, line });
    line = s.callLine;
  }
  frames.push({ name: table.nameAt(i), line });
  return frames;
}

describe.each(requireToolchains().flatMap((t) => ARCHES.map((arch) => [t.version, arch, t] as const)))("Go %s %s", (_version, arch, toolchain: GoToolchain) => {
  it("finds main.Double at the call sites signatures.json lists, and nowhere in a -N -l build", () => {
    const expected = readSignatures("calls").functions.find((f) => f.name === "main.Double")?.inlinedInto ?? [];
    expect(expected.length).toBe(3);
    const table = open(buildSample("calls", toolchain, arch, "default"));
    const sites = table.inlinedCallSitesOf("main.Double");
    expect(sites.map((s) => s.caller).sort()).toEqual([...expected].sort());
    for (const s of sites) {
      expect(s.callFile).toMatch(/samples\/calls\/main\.go$/);
      expect(s.depth).toBe(1);
      expect(s.firstPc).toBeDefined();
    }
    const noopt = open(buildSample("calls", toolchain, arch, "noopt"));
    expect(noopt.inlinedCallSitesOf("main.Double")).toEqual([]);
  });

  // Go 1.15 and 1.19 sometimes give a compiler-made wrapper (DW_AT_trampoline, position
  // <autogenerated>:1) no DW_TAG_inlined_subroutine for the method it inlines, nor for the calls
  // inlined into that method, which its inline tree does list: runtime.(*errorString).Error
  // (1.15), runtime.(*lockRank).String (1.19), cmd/compile's ssa.(*bySourcePos).Less (1.15).
  // PIE builds too: their code differs (Go 1.15 and 1.19 arm64 PIEs keep one more inlined call in
  // runtime.gcFlushBgCredit), so each build is compared with its own DWARF.
  it.each(sampleNames().filter((s) => sampleSupports(s, toolchain)).flatMap((s) => [[s, "default"], [s, "pie"]] as const))("pairs (inlined function, call line) per function as DWARF does in %s (%s)", (sample, flags) => {
    const path = buildSample(sample, toolchain, arch, flags);
    const ours = pclntabPairs(open(path));
    const theirs = dwarfPairs(path);
    const entries = new Set([...ours.keys(), ...theirs.keys()]);
    let compared = 0;
    let wrappers = 0;
    const differences: string[] = [];
    for (const entry of entries) {
      const a = ours.get(entry) ?? new Map<string, boolean>();
      const b = theirs.get(entry) ?? new Set<string>();
      compared += new Set([...a.keys(), ...b]).size;
      for (const [pair, isInWrapper] of a) {
        if (b.has(pair)) continue;
        if (isInWrapper) wrappers++;
        else differences.push(`0x${entry.toString(16)} pclntab only ${pair}`);
      }
      for (const pair of b) if (!a.has(pair)) differences.push(`0x${entry.toString(16)} dwarf only ${pair}`);
    }
    console.log(`Go ${toolchain.version} ${arch} ${sample} ${flags}: ${compared} (function, inlined function, call line) triples in ${entries.size} functions agree; ${wrappers} wrapper calls only in pclntab`);
    expect(compared).toBeGreaterThan(1000);
    expect(differences).toEqual([]);
  });

  it("gives the inline chain that addr2line prints at PCs inside inlined code", (context) => {
    if (LLVM_ADDR2LINE === undefined) {
      const message = "llvm-addr2line not installed (apt-get install llvm)";
      if ((process.env["CI"] ?? "") !== "") throw new Error(message);
      context.skip(message);
      return;
    }
    const path = buildSample("calls", toolchain, arch, "default");
    const table = open(path);
    const wanted: { i: number; pc: number }[] = [];
    const sitesOf = new Map<number, InlinedSite[]>();
    for (let i = 0; i < table.funcCount; i++) {
      const sites = table.inlinedSites(i);
      if (sites.length === 0) continue;
      sitesOf.set(i, sites);
      for (const s of sites) for (const r of s.ranges) wanted.push({ i, pc: r.low });
    }
    const pcs = [...new Set(wanted.map((w) => w.pc))];
    // GNU addr2line 2.40 names every inlined frame after the function that holds it ("main.run"
    // for main.Double's body in main.run) and reads no line from Go 1.26's and 1.27's DWARF 5
    // line tables ("go.go:?"): names and lines come from llvm-addr2line, and GNU's lines are
    // compared too where it prints them.
    const llvm = addr2lineFrames(LLVM_ADDR2LINE, path, pcs);
    const gnu = addr2lineFrames("addr2line", path, pcs);
    let gnuCompared = 0;
    let wrappers = 0;
    const differences: string[] = [];
    for (const { i, pc } of wanted) {
      const sites = sitesOf.get(i) ?? [];
      const ours = pclntabFrames(table, i, sites, pc);
      const theirs = llvm.get(pc) ?? [];
      const gnuLines = (gnu.get(pc) ?? []).map((f) => f.line);
      const isWrapper = sites.some((s) => s.callFile === "<autogenerated>" && s.ranges.some((r) => r.low <= pc && pc < r.high));
      if (isWrapper && theirs.length === 1) {
        wrappers++;
        continue;
      }
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) differences.push(`0x${pc.toString(16)}: llvm-addr2line ${JSON.stringify(theirs)}, pclntab ${JSON.stringify(ours)}`);
      if (gnuLines.every((l) => l !== undefined)) {
        gnuCompared++;
        if (JSON.stringify(gnuLines) !== JSON.stringify(ours.map((f) => f.line))) differences.push(`0x${pc.toString(16)}: addr2line lines ${JSON.stringify(gnuLines)}, pclntab ${JSON.stringify(ours)}`);
      }
    }
    console.log(`Go ${toolchain.version} ${arch} calls: ${wanted.length} PCs, inline chains as llvm-addr2line prints them, lines as GNU addr2line prints them at ${gnuCompared}; ${wrappers} in wrappers without DWARF inlining`);
    expect(wanted.length).toBeGreaterThan(1000);
    expect(differences).toEqual([]);
  });

  it("reads the same trees from a stripped build, where the moduledata says where funcdata starts", () => {
    const shape = (table: Pclntab): string[] => {
      const lines: string[] = [];
      for (let i = 0; i < table.funcCount; i++) {
        const entry = table.entryAt(i);
        for (const s of table.inlinedSites(i)) {
          const ranges = s.ranges.map((r) => `${r.low - entry}-${r.high - entry}`).join(",");
          lines.push(`${table.nameAt(i)} #${s.index} ${s.name} ${s.callFile ?? "?"}:${s.callLine ?? "?"} parent ${s.parent} depth ${s.depth} at ${s.parentPc} in ${ranges}`);
        }
      }
      return lines;
    };
    const expected = shape(open(buildSample("calls", toolchain, arch, "default")));
    expect(expected.length).toBeGreaterThan(1000);
    expect(shape(open(buildSample("calls", toolchain, arch, "stripped")))).toEqual(expected);
  });

  it("derives the parent and call line that ver112 entries also store", () => {
    const table = open(buildSample("calls", toolchain, arch, "default"));
    let checked = 0;
    for (let i = 0; i < table.funcCount; i++) {
      const entries = table.inlineTreeAt(i);
      const sites = table.inlinedSites(i);
      expect(entries.length).toBe(sites.length);
      entries.forEach((e, k) => {
        const site = sites[k];
        expect(e.parentPc).toBe(site?.parentPc);
        if (e.layout !== "ver112") return;
        checked++;
        expect([e.parent, e.line]).toEqual([site?.parent, site?.callLine]);
      });
    }
    if (table.layout === "ver120") expect(checked).toBe(0);
    else expect(checked).toBeGreaterThan(1000);
  });
});
