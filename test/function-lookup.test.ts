import { describe, expect, it } from "vitest";
import type { Pclntab } from "../src/go/pclntab.js";
import { FileNames } from "../src/model/dwarf-functions.js";
import { lookupFunction } from "../src/model/function-lookup.js";
import { GoBinary } from "../src/model/go-binary.js";
import type { GoFunction, InlinedCopy } from "../src/model/go-function.js";
import { buildSample, requireToolchains, sampleSupports, type FlagSet, type GoToolchain } from "./support/samples.js";

// The one-function path (lookupFunction, which GoBinary.findFunction uses before the index exists: pclntab → one unit →
// one subprogram, inlined copies from pclntab's inline trees) must answer what the whole-binary
// index answers; the index itself is checked against the Go source (funcs-signatures), readelf
// (dwarf-readelf) and the compiler (abi-compiler). Every main-module function and every 7th
// other function of each build is looked up in a fresh binary and compared.

const FLAGS: readonly FlagSet[] = ["default", "stripped"];
const SAMPLES = ["calls", "generics", "kinds"];
const ARCHES = ["amd64", "arm64"] as const;

const copyKey = (c: InlinedCopy): string => `${c.caller} ${c.callFile ?? "?"}:${c.callLine ?? "?"}`;

/** What a check or a script reads of a function, copies apart. */
function comparable(f: GoFunction): unknown {
  const param = (p: GoFunction["params"][number]): unknown => ({ name: p.name, typeName: p.typeName, typeOffset: p.typeOffset, isResult: p.isResult, location: p.location });
  return {
    name: f.name,
    entry: f.entry,
    end: f.end,
    file: f.file,
    line: f.line,
    params: f.params.map(param),
    results: f.results.map(param),
    hasKnownResults: f.hasKnownResults,
    hasDictionaryArg: f.hasDictionaryArg,
    hasDwarf: f.hasDwarf,
    argsSize: f.argsSize,
    dwarfOffset: f.dwarfOffset,
  };
}

describe.each(requireToolchains().flatMap((t) => ARCHES.flatMap((arch) => FLAGS.map((flags) => [t.version, arch, flags, t] as const))))(
  "Go %s %s %s",
  (version, arch, flags, toolchain: GoToolchain) => {
    it("finds each function as the whole-binary index has it", () => {
      let compared = 0;
      for (const sample of SAMPLES.filter((s) => sampleSupports(s, toolchain))) {
        const path = buildSample(sample, toolchain, arch, flags);
        const indexed = GoBinary.open(path);
        const single = GoBinary.open(path);
        const files = new FileNames(single.dwarf());
        try {
          const candidates = indexed.functions().functions.filter((f, k) => f.entry !== undefined && (f.name.startsWith("main.") || k % 7 === 0));
          // Names pclntab lists twice (ABI wrappers): the index and pclntab both take the first.
          const seen = new Set<string>();
          for (const f of candidates) {
            if (seen.has(f.name)) continue;
            seen.add(f.name);
            const expected = indexed.functions().find(f.name) as GoFunction;
            const dwarf = single.dwarf();
            const found = lookupFunction(single.pclntab() as Pclntab, dwarf.isPresent ? dwarf : undefined, dwarf.isPresent ? single.types() : undefined, dwarf.isPresent ? files : undefined, f.name);
            const where = `${f.name} in ${sample} (go${version} ${arch} ${flags})`;
            if (single.pclntab()?.findByName(f.name) === undefined) {
              // Go 1.19 writes "type..eq.[...]main.kv" in pclntab: findFunction asks the index.
              expect(found, where).toBeUndefined();
              continue;
            }
            expect(found, where).toBeDefined();
            expect(comparable(found as GoFunction), where).toEqual(comparable(expected));
            // Inlined copies come from pclntab's inline trees: every copy DWARF names is among
            // them; from Go 1.22 the two agree exactly (test/inline-tree.test.ts: before that,
            // DWARF leaves out copies inside compiler-generated wrappers).
            const fromTrees = new Set(found?.inlinedCopies.map(copyKey));
            for (const c of expected.inlinedCopies) expect(fromTrees.has(copyKey(c)), `${where}: copy in ${copyKey(c)}`).toBe(true);
            if (Number(version.split(".")[1]) >= 22) expect(found?.inlinedCopies.length, where).toBe(expected.inlinedCopies.length);
            if (Number(version.split(".")[1]) >= 22) expect(found?.inlined, where).toBe(expected.inlined);
            compared++;
          }
        } finally {
          indexed.close();
          single.close();
        }
      }
      expect(compared).toBeGreaterThan(150);
      console.log(`go${version} ${arch} ${flags}: ${compared} functions looked up, equal to the index`);
    });
  },
);
