import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import type { FunctionRow } from "../src/report/function-list.js";
import { buildSample, requireToolchains, sampleSupports, type FlagSet, type GoToolchain } from "./support/samples.js";

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
