// The pclntab reader against Go's own tools, for every installed toolchain, amd64 and arm64,
// default, PIE and stripped builds of samples/calls:
// - `go tool nm -size -sort address` of the same toolchain (on the unstripped build, since a
//   stripped one has no symbols): every Go text symbol is a pclntab function at the same address
//   and no pclntab function is missing from nm;
// - Go's debug/gosym (built with the newest toolchain, which reads every layout): same entries,
//   ends, names and the file:line of each entry;
// - the same binary with its section headers zeroed (found through the moduledata), and with the
//   moduledata's first word zeroed as well (found by the magic alone).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { memorySource, openFileSource } from "../src/bytes/byte-source.js";
import { ElfFile } from "../src/elf/elf-file.js";
import { GoxrayError } from "../src/errors.js";
import { readPclntab, type Pclntab } from "../src/go/pclntab.js";
import { REQUIRED_GO_VERSIONS, buildSample, buildSampleForArch, requireToolchains, type GoToolchain, type SampleArch, cacheRoot } from "./support/samples.js";


interface NmSymbol {
  readonly address: number;
  readonly size: number;
  readonly type: string;
  readonly name: string;
}

function goToolNm(toolchain: GoToolchain, path: string): NmSymbol[] {
  const text = execFileSync(toolchain.goBin, ["tool", "nm", "-size", "-sort", "address", path], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, GOTOOLCHAIN: "local" },
  });
  const symbols: NmSymbol[] = [];
  for (const line of text.split("\n")) {
    // Names may hold spaces ("type..eq.[2]interface {}").
    const m = /^\s*([0-9a-f]+)\s+(\d+)\s+(\S)\s+(.+)$/.exec(line);
    if (m === null) continue;
    symbols.push({ address: parseInt(m[1] ?? "", 16), size: Number(m[2]), type: m[3] ?? "", name: m[4] ?? "" });
  }
  return symbols;
}

/**
 * The text symbols that are Go functions, by the pclntab's spelling: `T`/`t` minus the linker's
 * runtime.text/runtime.etext markers, with the ".abi0" suffix that .symtab gives ABI0 assembly
 * functions since the register ABI (Go 1.17 on amd64) removed, because pclntab names them without it.
 */
function nmFunctions(symbols: readonly NmSymbol[]): NmSymbol[] {
  return symbols
    .filter((s) => (s.type === "T" || s.type === "t") && s.name !== "runtime.text" && s.name !== "runtime.etext")
    .map((s) => ({ ...s, name: s.name.replace(/\.abi0$/, "") }));
}

interface GosymFunc {
  readonly entry: number;
  readonly end: number;
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

// Prints debug/gosym's view of a binary's pclntab: entry, end, name, and PCToLine(entry).
const ORACLE_SOURCE = `package main

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
	"strings"
)

func main() {
	f, err := elf.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	var pcln *elf.Section
	for _, s := range f.Sections {
		if strings.HasSuffix(s.Name, "gopclntab") {
			pcln = s
			break
		}
	}
	data, err := pcln.Data()
	if err != nil {
		panic(err)
	}
	text := f.Section(".text").Addr
	if syms, err := f.Symbols(); err == nil {
		for _, s := range syms {
			if s.Name == "runtime.text" {
				text = s.Value
			}
		}
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for i := range table.Funcs {
		fn := &table.Funcs[i]
		file, line, _ := table.PCToLine(fn.Entry)
		fmt.Fprintf(w, "%x\\t%x\\t%s\\t%s\\t%d\\n", fn.Entry, fn.End, fn.Name, file, line)
	}
}
`;

function buildOracle(toolchain: GoToolchain): string {
  const dir = join(cacheRoot, "pclntab-oracle");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "go.mod"), "module oracle\n\ngo 1.20\n");
  writeFileSync(join(dir, "main.go"), ORACLE_SOURCE);
  const binary = join(dir, `oracle-go${toolchain.version}`);
  const result = spawnSync(toolchain.goBin, ["build", "-o", binary, "."], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/root", GOTOOLCHAIN: "local", GOPROXY: "off", CGO_ENABLED: "0", GOFLAGS: "-mod=mod", GOCACHE: join(cacheRoot, "gocache", `go${toolchain.version}`) },
  });
  if (result.status !== 0) throw new Error(`building the debug/gosym oracle with ${toolchain.fullVersion} failed:\n${result.stderr}`);
  return binary;
}

function gosymFuncs(oracle: string, path: string): GosymFunc[] {
  const text = execFileSync(oracle, [path], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const [entry = "", end = "", name = "", file = "", line = ""] = l.split("\t");
      return { entry: parseInt(entry, 16), end: parseInt(end, 16), name, file, line: Number(line) };
    });
}

function readFromFile(path: string): Pclntab {
  const elf = ElfFile.open(openFileSource(path));
  const table = readPclntab(elf);
  if (table === undefined) throw new Error(`${path}: no pclntab`);
  return table;
}

function readFromBytes(bytes: Uint8Array, name: string): Pclntab | undefined {
  return readPclntab(ElfFile.open(memorySource(bytes, name)));
}

/** "entry name" per function, in table order. */
function listing(table: Pclntab): string[] {
  const out: string[] = [];
  for (let i = 0; i < table.funcCount; i++) out.push(`${table.entryAt(i).toString(16)} ${table.nameAt(i)}`);
  return out;
}

/** The file's bytes with e_shoff, e_shnum and e_shstrndx zeroed: no section headers, no .symtab. */
function withoutSectionHeaders(path: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  // ELF64: e_shoff (8 bytes) at 0x28, e_shnum and e_shstrndx at 0x3c; ELF32: 4 bytes at 0x20, then 0x30.
  const is64 = bytes[4] === 2;
  bytes.fill(0, is64 ? 0x28 : 0x20, is64 ? 0x30 : 0x24);
  bytes.fill(0, is64 ? 0x3c : 0x30, is64 ? 0x40 : 0x34);
  return bytes;
}

/**
 * A pclntab name as .symtab spells it: the linker rewrites "·" to "." in ELF symbol names "for
 * ASCII-only tools like DTrace" (cmd/link symtab.go putelfsym) but writes pclntab names unchanged
 * (Go 1.24+ has `type:.eq.runtime.untracedG·4`).
 */
function symtabSpelling(pclntabName: string): string {
  return pclntabName.replaceAll("·", ".");
}

/**
 * A .symtab name as Go 1.18/1.19 wrote it into the pclntab: everything from the first "[" to the
 * last "]" became "[...]" (cmd/link pcln.go nameParts, go1.19), for generic instantiations and
 * array types alike ("type..eq.[2]runtime.Frame" → "type..eq.[...]runtime.Frame").
 */
function withEllipsis(name: string): string {
  const i = name.indexOf("[");
  const j = name.lastIndexOf("]");
  return i < 0 || j <= i ? name : `${name.slice(0, i)}[...]${name.slice(j + 1)}`;
}

/**
 * The funcID values of a toolchain, read from its own source: the iota list that starts at
 * FuncIDNormal (internal/abi/symtab.go, Go 1.21+) or funcID_normal (runtime/symtab.go before),
 * keyed by the name after the prefix ("goexit", "runtime_main", "Wrapper").
 */
function funcIdsFromSource(toolchain: GoToolchain): Map<string, number> {
  const ids = new Map<string, number>();
  for (const file of ["internal/abi/symtab.go", "runtime/symtab.go"]) {
    let text: string;
    try {
      text = readFileSync(join(toolchain.goroot, "src", file), "utf8");
    } catch {
      continue;
    }
    const start = text.search(/^\s*(?:FuncIDNormal FuncID|funcID_normal funcID) = iota/m);
    if (start < 0) continue;
    for (const line of text.slice(start, text.indexOf("\n)", start)).split("\n")) {
      const m = /^\s*(?:FuncID|funcID)_?(\w+)/.exec(line);
      if (m?.[1] !== undefined) ids.set(m[1], ids.size);
    }
    return ids;
  }
  throw new Error(`no funcID list in ${toolchain.goroot}/src`);
}

/** Checks funcIdAt for every runtime function the toolchain's funcID list names; returns how many. */
function compareFuncIds(table: Pclntab, ids: ReadonlyMap<string, number>): number {
  let compared = 0;
  for (const [name, id] of ids) {
    if (name === "Normal" || name === "normal" || name === "Wrapper" || name === "wrapper") continue;
    const i = table.findByName(name === "runtime_main" ? "runtime.main" : `runtime.${name}`);
    if (i === undefined) continue;
    expect(table.funcIdAt(i), name).toBe(id);
    compared++;
  }
  return compared;
}

/**
 * Since the register ABI, an ABI wrapper shares its target's pclntab name (.symtab adds ".abi0"
 * to the ABI0 one); findByName must give the function, not the wrapper. Returns how many names repeat.
 */
function checkRepeatedNames(table: Pclntab, wrapperId: number | undefined): number {
  const byName = new Map<string, number[]>();
  for (let i = 0; i < table.funcCount; i++) {
    const name = table.nameAt(i);
    byName.set(name, [...(byName.get(name) ?? []), i]);
  }
  let repeated = 0;
  for (const [name, indexes] of byName) {
    if (indexes.length < 2 || name.includes("[...]")) continue;
    repeated++;
    const notWrappers = indexes.filter((i) => table.funcIdAt(i) !== wrapperId);
    expect(table.findByName(name), name).toBe(notWrappers.length === 1 ? notWrappers[0] : indexes[0]);
  }
  return repeated;
}

/** The file's bytes with its pclntab section renamed ".Gopclntab", so that no section name ends in "gopclntab". */
function renamePclntabSection(path: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  const elf = ElfFile.open(memorySource(bytes, path));
  const names = elf.sections.find((s) => s.name === ".shstrtab");
  if (names === undefined) throw new Error(`${path}: no .shstrtab`);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(".gopclntab\0", names.offset, "latin1");
  if (at < 0 || at >= names.offset + names.size) throw new Error(`${path}: no .gopclntab in .shstrtab`);
  bytes[at + 1] = "G".charCodeAt(0);
  return bytes;
}

/** Compares a table with nm's Go functions; returns how many were compared. */
function compareWithNm(table: Pclntab, functions: readonly NmSymbol[]): number {
  let usesEllipsis = false;
  for (let i = 0; i < table.funcCount && !usesEllipsis; i++) usesEllipsis = table.nameAt(i).includes("[...]");
  const nmName = (s: NmSymbol): string => (usesEllipsis ? withEllipsis(s.name) : s.name);
  const fromNm = functions.map((s) => `${s.address.toString(16)} ${nmName(s)}`).sort();
  expect(listing(table).map(symtabSpelling).sort()).toEqual(fromNm);
  for (const s of functions) {
    const i = table.findByPc(s.address);
    expect(i, s.name).toBeDefined();
    if (i === undefined) continue;
    expect(table.entryAt(i), s.name).toBe(s.address);
    expect(symtabSpelling(table.nameAt(i)), s.name).toBe(nmName(s));
    // The symbol's size stops at its last instruction; the functab end includes the padding to the next entry.
    expect(table.endAt(i) - table.entryAt(i), s.name).toBeGreaterThanOrEqual(s.size);
  }
  return functions.length;
}

/** Compares a table with debug/gosym's reading of the same file; returns how many functions. */
function compareWithGosym(table: Pclntab, funcs: readonly GosymFunc[]): number {
  expect(table.funcCount).toBe(funcs.length);
  funcs.forEach((f, i) => {
    const position = table.fileLineAt(i);
    // Without tables (go:textfipsstart, Go 1.24+) gosym reads pctab[0:] and says line -1 or 0.
    const line = position?.line ?? Math.min(0, f.line);
    expect({ entry: table.entryAt(i), end: table.endAt(i), name: table.nameAt(i), file: position?.file ?? "", line }).toEqual(f);
  });
  return funcs.length;
}

describe("pclntab agrees with go tool nm and debug/gosym", () => {
  const toolchains = requireToolchains();
  const missing = REQUIRED_GO_VERSIONS.filter((v) => !toolchains.some((t) => t.version === v));
  let oracle = "";
  beforeAll(() => {
    const newest = toolchains[toolchains.length - 1];
    if (newest !== undefined) oracle = buildOracle(newest);
  });

  for (const version of missing) it.skip(`Go ${version}: not installed here (run scripts/install-go-toolchains.sh)`, () => {});

  const cases = toolchains.flatMap((t) => (["amd64", "arm64"] as const).map((arch) => [t.version, arch, t] as [string, SampleArch, GoToolchain]));
  it.each(cases)(
    "Go %s %s: default, pie and stripped builds",
    (version, arch, toolchain) => {
      const counts: string[] = [];
      const funcIds = funcIdsFromSource(toolchain);
      const defaultPath = buildSample("calls", toolchain, arch, "default");
      const defaultNm = goToolNm(toolchain, defaultPath);
      for (const flags of ["default", "pie", "stripped"] as const) {
        const path = buildSample("calls", toolchain, arch, flags);
        const table = readFromFile(path);
        const nm = flags === "stripped" ? defaultNm : goToolNm(toolchain, path);
        const nmCount = compareWithNm(table, nmFunctions(nm));
        const gosymCount = compareWithGosym(table, gosymFuncs(oracle, path));
        // The runtime's base for entry offsets is runtime.text (cmd/link pcln.go textOff).
        if (table.header.isTextRelative) {
          expect(table.textStartFrom).toBe("moduledata");
          expect(table.textStart).toBe(nm.find((s) => s.name === "runtime.text")?.address);
        }
        const main = table.findByName("main.SignedInts");
        expect(main).toBeDefined();
        if (main !== undefined) {
          expect(table.fileLineAt(main)?.file).toMatch(/samples\/calls\/main\.go$/);
          expect(table.funcIdAt(main)).toBe(0);
          // SignedInts(a int8, b int16, c int32, d int64, e int) int64 in ABI0 layout: a@0 b@2 c@4
          // d@8 e@16, result@24. Stack ABI (every ver12 binary, Go 1.15) counts the result: 32; the
          // register ABI (amd64 and arm64 since 1.18, so every ver118/ver120 here) counts arguments only: 24.
          expect(table.argsSizeAt(main)).toBe(table.layout === "ver12" ? 32 : 24);
        }
        const rt0 = table.findByName("runtime.rt0_go");
        expect(rt0 !== undefined && table.argsSizeAt(rt0)).toBeUndefined();
        const funcIdCount = compareFuncIds(table, funcIds);
        expect(funcIdCount).toBeGreaterThanOrEqual(8);
        const repeated = checkRepeatedNames(table, funcIds.get("Wrapper") ?? funcIds.get("wrapper"));
        counts.push(`${flags} ${table.layout} in ${table.foundIn}: ${nmCount} nm, ${gosymCount} gosym, ${funcIdCount} funcIDs, ${repeated} repeated names`);
      }

      // No section headers: found through the moduledata, with the same functions.
      const strippedPath = buildSample("calls", toolchain, arch, "stripped");
      const expected = listing(readFromFile(strippedPath));
      const bare = readFromBytes(withoutSectionHeaders(strippedPath), "stripped, no section headers");
      expect(bare?.foundIn).toBe("moduledata");
      expect(bare === undefined ? [] : listing(bare)).toEqual(expected);

      // Section headers but no pclntab section: found through the runtime.firstmoduledata symbol.
      const renamed = renamePclntabSection(defaultPath);
      const viaSymbol = readFromBytes(renamed, "pclntab section renamed");
      expect(viaSymbol?.foundIn).toBe("runtime.firstmoduledata");
      expect(viaSymbol === undefined ? [] : listing(viaSymbol)).toEqual(listing(readFromFile(defaultPath)));

      // Neither section headers nor a usable moduledata: found by the magic alone. Layouts whose
      // entries are offsets then need the text start the header stored (Go 1.18–1.25); Go 1.26
      // stopped storing it, and with nothing else left the reader says it cannot tell.
      const withSymbols = readFromFile(defaultPath);
      const moduledata = defaultNm.find((s) => s.name === "runtime.firstmoduledata");
      expect(moduledata).toBeDefined();
      const elf = ElfFile.open(openFileSource(defaultPath));
      const moduledataAt = elf.fileOffsetOf(moduledata?.address ?? 0) ?? 0;
      elf.close();
      const broken = withoutSectionHeaders(defaultPath);
      broken.fill(0, moduledataAt, moduledataAt + 8);
      if (withSymbols.header.isTextRelative && withSymbols.header.storedTextStart === 0) {
        expect(() => readFromBytes(broken, "no moduledata")).toThrow(expect.objectContaining({ kind: "unsupported" }));
        expect(() => readFromBytes(broken, "no moduledata")).toThrow(GoxrayError);
        counts.push("magic scan: no text start (header stores none)");
      } else {
        const scanned = readFromBytes(broken, "no moduledata");
        expect(scanned?.foundIn).toBe("segment scan");
        expect(scanned?.textStartFrom).toBe(withSymbols.header.isTextRelative ? "pcHeader" : "none");
        expect(scanned === undefined ? [] : listing(scanned)).toEqual(listing(withSymbols));
        counts.push(`magic scan: ${scanned?.funcCount ?? 0} functions`);
      }
      console.log(`pclntab Go ${version} ${arch}: ${counts.join("; ")}`);
    },
    600_000,
  );

  // Both byte orders and pointer sizes: 386 (32-bit), mips (32-bit big-endian), s390x (64-bit
  // big-endian), with the oldest and the newest toolchain installed. samples/stackgrow, because
  // samples/calls has 64-bit constants that do not compile for 32-bit targets.
  const ends = [...new Set([toolchains[0], toolchains[toolchains.length - 1]])].filter((t) => t !== undefined);
  const archCases = ends.flatMap((t) => ["386", "mips", "s390x"].map((goarch) => [t.version, goarch, t] as [string, string, GoToolchain]));
  it.each(archCases)(
    "Go %s %s: 32-bit and big-endian",
    (version, goarch, toolchain) => {
      const path = buildSampleForArch("stackgrow", toolchain, goarch);
      const table = readFromFile(path);
      expect(table.ptrSize).toBe(goarch === "s390x" ? 8 : 4);
      expect(table.header.isLittleEndian).toBe(goarch === "386");
      const nmCount = compareWithNm(table, nmFunctions(goToolNm(toolchain, path)));
      const gosymCount = compareWithGosym(table, gosymFuncs(oracle, path));
      const funcIdCount = compareFuncIds(table, funcIdsFromSource(toolchain));
      const bare = readFromBytes(withoutSectionHeaders(path), `${goarch}, no section headers`);
      expect(bare?.foundIn).toBe("moduledata");
      expect(bare === undefined ? [] : listing(bare)).toEqual(listing(table));
      console.log(`pclntab Go ${version} ${goarch}: ${table.layout} quantum ${table.quantum} in ${table.foundIn}: ${nmCount} nm, ${gosymCount} gosym, ${funcIdCount} funcIDs`);
    },
    600_000,
  );
});
