// The mutation generator and the structure locator, checked on their own: plans are reproducible
// and stay inside the seed, mutants differ from the seed only where the plan says, and the
// fields aimed at are where readelf (for DWARF units) and the section table say they are.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSample, installedToolchains } from "../support/samples.js";
import { applyMutation, planMutation, readElfLayout, type ElfLayout } from "./mutate.js";

const bundled = new Uint8Array(readFileSync(new URL("../../samples/bundled/calls-go1.27-amd64", import.meta.url)));
const layoutOf = (bytes: Uint8Array): ElfLayout => {
  const layout = readElfLayout(bytes);
  if (layout === undefined) throw new Error("not ELF64");
  return layout;
};
const layout = layoutOf(bundled);

describe("planMutation and applyMutation", () => {
  it("the same case seed gives the same plan; every edit lies inside the seed", () => {
    fc.assert(
      fc.property(fc.integer(), (caseSeed) => {
        const plan = planMutation(bundled, layout, caseSeed);
        expect(planMutation(bundled, layout, caseSeed)).toEqual(plan);
        expect(plan.steps.length).toBeGreaterThan(0);
        for (const step of plan.steps) {
          expect(step.description).not.toBe("");
          for (const e of step.edits) {
            if (e.op === "truncate") expect(e.length).toBeLessThan(bundled.byteLength);
            else expect(e.offset).toBeLessThan(bundled.byteLength);
            if (e.op === "write") for (const b of e.bytes) expect(b >= 0 && b <= 255).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a mutant differs from the seed only at the bytes its edits name, sits at the plan's byteOffset, and is cut at the shortest truncation", () => {
    fc.assert(
      fc.property(fc.integer(), (caseSeed) => {
        const plan = planMutation(bundled, layout, caseSeed);
        const mutant = applyMutation(bundled, plan.steps, plan.byteOffset);
        const edits = plan.steps.flatMap((s) => s.edits);
        const cut = Math.min(bundled.byteLength, ...edits.map((e) => (e.op === "truncate" ? e.length : Infinity)));
        expect(mutant.byteLength).toBe(cut);
        expect(mutant.byteOffset).toBe(plan.byteOffset);
        expect(mutant.buffer.byteLength).toBe(plan.byteOffset + cut);
        const touched = new Set<number>();
        for (const e of edits) {
          if (e.op === "write") e.bytes.forEach((_, k) => touched.add(e.offset + k));
          if (e.op === "xor") touched.add(e.offset);
        }
        for (let i = 0; i < cut; i++) if (!touched.has(i) && mutant[i] !== bundled[i]) throw new Error(`byte 0x${i.toString(16)} changed without an edit`);
      }),
      { numRuns: 200 },
    );
  });

  it("structure fields lie inside their sections and have the width they say", () => {
    for (const f of layout.structures) {
      const inside = layout.sections.some((s) => f.offset >= s.offset && f.offset + f.width <= s.offset + s.size);
      expect(inside, f.label).toBe(true);
    }
    expect(layout.structures.some((f) => f.group === "pclntab-count")).toBe(true);
  });
});

const toolchain = installedToolchains().find((t) => t.version === "1.27");
describe.skipIf(toolchain === undefined)("structure locator against readelf", () => {
  it("finds every .debug_info unit header readelf lists, at the same offset", () => {
    const path = buildSample("calls", toolchain ?? installedToolchains()[0]!, "amd64", "nocompress");
    const bytes = new Uint8Array(readFileSync(path));
    const seed = layoutOf(bytes);
    const info = seed.sections.find((s) => s.name === ".debug_info");
    const text = execFileSync("readelf", ["--debug-dump=info", path], { encoding: "utf8", maxBuffer: 256 << 20 });
    const readelfUnits = [...text.matchAll(/Compilation Unit @ offset (0x[0-9a-f]+|0):/g)].map((m) => Number(m[1] ?? "0"));
    const ours = seed.structures.filter((f) => f.group === "unit_length" && f.label.startsWith(".debug_info")).map((f) => f.offset - (info?.offset ?? 0));
    expect(readelfUnits.length).toBeGreaterThan(10);
    expect(ours).toEqual(readelfUnits.slice(0, ours.length));
    expect(ours.length).toBe(Math.min(readelfUnits.length, 400));
  });
});
