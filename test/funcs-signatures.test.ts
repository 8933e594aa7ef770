import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { GoBinary } from "../src/model/go-binary.js";
import type { FunctionRow } from "../src/report/function-list.js";
import { buildSample, cacheRoot, requireToolchains, sampleSupports, type FlagSet, type GoToolchain } from "./support/samples.js";

// Truth: samples/<name>/signatures.json, written by hand from the Go source of each sample.

interface SourceParam {
  name: string | null;
  type: string;
}
interface SourceFunction {
  name: string;
  receiver: SourceParam | null;
  params: SourceParam[];
  results: SourceParam[];
  inlining: "noinline" | "inlined" | "closure";
  inlinedInto?: string[];
  typeParams?: { name: string }[];
  instantiations?: { typeArgs: string[]; symbols: { minGo: string; maxGo: string | null; name: string }[] }[];
}

const PREDECLARED = new Set(["bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "error", "byte", "rune", "any", "func", "interface", "map", "chan", "struct"]);

/** A source type in the spelling the compiler writes into DWARF: package-qualified, aliases resolved. */
function compilerSpelling(type: string, pkg = "main"): string {
  return type
    .replace(/^\.\.\./, "[]")
    .replace(/interface\{\}|\bany\b/g, "interface {}")
    .replace(/\bbyte\b/g, "uint8")
    .replace(/\brune\b/g, "int32")
    .replace(/\b([A-Za-z_]\w*)\b/g, (word, _w, at: number, all: string) => (PREDECLARED.has(word) || all[at - 1] === "." ? word : `${pkg}.${word}`));
}

function minor(v: string): number {
  return Number(v.split(".")[1]);
}

async function funcsJson(path: string, regex: string): Promise<FunctionRow[]> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["funcs", "--json", path, regex], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as FunctionRow[];
}

function check(source: SourceFunction, rows: FunctionRow[], toolchain: GoToolchain, flags: FlagSet): number {
  const typeParams = new Set((source.typeParams ?? []).map((t) => t.name));
  const applies = (s: { minGo: string; maxGo: string | null }): boolean => minor(toolchain.version) >= minor(s.minGo) && (s.maxGo === null || minor(toolchain.version) <= minor(s.maxGo));
  const symbols = source.instantiations?.flatMap((i) => i.symbols.filter(applies).map((s) => ({ name: s.name, typeArgs: i.typeArgs }))) ?? [{ name: source.name, typeArgs: [] }];
  let checked = 0;
  for (const { name: symbol, typeArgs } of symbols) {
    const where = `${symbol} (${toolchain.fullVersion} ${flags})`;
    const row = rows.find((r) => r.name === symbol);
    const isInlinedAway = source.inlining === "inlined" && flags !== "noopt";
    if (isInlinedAway) {
      // Inlined into every caller: listed once, with no body, and every call site named.
      expect(row?.inlined, where).toBe("always");
      expect(row?.entry, where).toBeNull();
      expect(new Set(row?.inlinedAt.map((s) => s.caller)), where).toEqual(new Set(source.inlinedInto));
    } else {
      expect(row, where).toBeDefined();
      expect(row?.inlined, where).toBe("no");
    }
    if (row === undefined) continue;
    const expected = [...(source.receiver === null ? [] : [source.receiver]), ...source.params];
    const spell = (p: SourceParam): SourceParam => ({ name: p.name, type: typeParams.has(p.type.replace(/^\*/, "")) || /\[T\]/.test(p.type) ? "(type parameter)" : compilerSpelling(p.type) });
    const got = (row.params ?? []).map((p) => ({ name: p.name, type: typeParams.size > 0 && /go\.shape|\[go\.shape/.test(p.type) ? "(type parameter)" : p.type }));
    expect(got, `${where} params`).toEqual(expected.map(spell));
    // DWARF keeps no unnamed results for a function inlined everywhere: goxray says "unknown", never "none".
    if (isInlinedAway && source.results.every((r) => r.name === null)) expect(row.results, `${where} results`).toBeNull();
    else expect((row.results ?? []).map((p) => ({ name: p.name, type: p.type })), `${where} results`).toEqual(source.results.map(spell));
    expect(row.isMethod, where).toBe(source.receiver !== null);
    expect(row.isGeneric, where).toBe(typeParams.size > 0);
    // Type parameters stand for the instantiation's type arguments, in order.
    const params = [...typeParams];
    const instantiated = (t: string): string => t.replace(/\b[A-Z]\b/g, (tp) => typeArgs[params.indexOf(tp)] ?? tp);
    expect(row.hasFloatArgs, where).toBe([...expected, ...source.results].some((p) => /^(float|complex)/.test(instantiated(p.type))));
    expect(row.hasDictionaryArg, where).toBe(typeParams.size > 0);
    checked++;
  }
  return checked;
}

describe("funcs: every traced sample function's signature equals the Go source", () => {
  const toolchains = requireToolchains();
  it.each(toolchains.map((t) => [t.fullVersion, t] as const))("%s", async (_v, toolchain) => {
    let checked = 0;
    for (const sample of ["calls", "generics", "stackgrow"]) {
      if (!sampleSupports(sample, toolchain)) continue;
      const source = JSON.parse(readFileSync(`samples/${sample}/signatures.json`, "utf8")) as { functions: SourceFunction[] };
      for (const arch of ["amd64", "arm64"] as const) {
        for (const flags of ["default", "noopt", "pie"] as const) {
          const rows = await funcsJson(buildSample(sample, toolchain, arch, flags), "^main\\.");
          for (const f of source.functions) checked += check(f, rows, toolchain, flags);
        }
      }
    }
    console.log(`${toolchain.fullVersion}: ${checked} signatures equal the source`);
    expect(checked).toBeGreaterThan(100);
  });
});

describe("funcs filters", () => {
  const toolchains = requireToolchains();
  it("--package, --main-only and a regex select by package and name; no DWARF lists pclntab's functions with params null", async () => {
    const newest = toolchains[toolchains.length - 1];
    if (newest === undefined) return;
    const path = buildSample("calls", newest, "amd64", "default");
    const run = async (...args: string[]): Promise<FunctionRow[]> => {
      let stdout = "";
      const code = await runCli(["funcs", "--json", path, ...args], { stdout: (s) => void (stdout += s), stderr: () => undefined });
      expect(code).toBe(0);
      return JSON.parse(stdout) as FunctionRow[];
    };
    const strconv = await run("--package", "strconv");
    expect(strconv.length).toBeGreaterThan(0);
    expect(strconv.every((r) => r.name.startsWith("strconv."))).toBe(true);
    const mainOnly = await run("--main-only");
    expect(mainOnly.every((r) => r.name.startsWith("main."))).toBe(true);
    expect(mainOnly.map((r) => r.name)).toContain("main.(*Cart).Add");
    expect((await run("Cart")).map((r) => r.name).sort()).toEqual(mainOnly.filter((r) => r.name.includes("Cart")).map((r) => r.name).sort());
    // Without DWARF: every function pclntab lists (go tool nm's T symbols), parameters unknown.
    let stdout = "";
    await runCli(["funcs", "--json", buildSample("calls", newest, "amd64", "nodwarf"), "^main\\.Greet$"], { stdout: (s) => void (stdout += s), stderr: () => undefined });
    const [greet] = JSON.parse(stdout) as FunctionRow[];
    expect(greet?.params).toBeNull();
    expect(greet?.argsSize).toBe(16); // a string's two words: pclntab counts arguments only under the register ABI
    let bad = "";
    expect(await runCli(["funcs", path, "("], { stdout: () => undefined, stderr: (s) => void (bad += s) })).toBe(2);
    expect(bad).toMatch(/^goxray: bad regular expression "\(": /);
  });
});

describe("funcs on broken DWARF", () => {
  const toolchains = requireToolchains();
  it("skips a unit whose entries cannot be read, names it, and lists the rest", async () => {
    const newest = toolchains[toolchains.length - 1];
    if (newest === undefined) return;
    const path = buildSample("calls", newest, "amd64", "nocompress");
    const bytes = readFileSync(path);
    const binary = GoBinary.open(path);
    const info = binary.elf.findSection(".debug_info");
    const second = binary.dwarf().headers()[1];
    binary.close();
    if (info === undefined || second === undefined) throw new Error("sample without DWARF units");
    // The second unit's first entry gets abbreviation code 0x7f, which its table does not declare.
    bytes[info.offset + second.entriesStart] = 0x7f;
    const broken = join(cacheRoot, "test-scratch", "broken-unit");
    mkdirSync(dirname(broken), { recursive: true });
    writeFileSync(broken, bytes);
    let stdout = "";
    let stderr = "";
    const code = await runCli(["funcs", broken, "^main\\."], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
    expect(code).toBe(0);
    expect(stderr).toBe(`goxray: warning: skipped unit at .debug_info+0x${second.offset.toString(16)}: ${broken}: .debug_info+0x${second.entriesStart.toString(16)}: abbrev code 0x7f not in the table at 0x0\n`);
    expect(stdout).toContain("main.(*Cart).Add(c *main.Cart, it main.Item) int");
  });
});

describe("inlining without DWARF", () => {
  const toolchains = requireToolchains().filter((t) => Number(t.version.split(".")[1]) >= 22);
  it.each(toolchains.map((t) => [t.fullVersion, t] as const))("%s: pclntab's inline trees give the same partly-inlined functions and call sites as DWARF", async (_v, toolchain) => {
    const rows = async (flags: FlagSet): Promise<FunctionRow[]> => {
      let stdout = "";
      await runCli(["funcs", "--json", buildSample("calls", toolchain, "amd64", flags)], { stdout: (s) => void (stdout += s), stderr: () => undefined });
      return JSON.parse(stdout) as FunctionRow[];
    };
    const site = (r: FunctionRow): string[] => r.inlinedAt.map((s) => `${s.caller}:${s.line ?? "?"}`).sort();
    const withDwarf = new Map((await rows("default")).filter((r) => r.entry !== null && r.inlined === "partly").map((r) => [r.name, site(r)]));
    const fromPclntab = new Map((await rows("nodwarf")).filter((r) => r.inlined === "partly").map((r) => [r.name, site(r)]));
    expect(withDwarf.size).toBeGreaterThan(10);
    expect(fromPclntab).toEqual(withDwarf);
  });
});
