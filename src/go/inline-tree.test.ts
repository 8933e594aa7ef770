import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { encodePcValue } from "../../test/support/pc-value.js";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { PCDATA_InlTreeIndex, readInlinedCalls, type FuncdataMemory, type InlinedCallLayout } from "./inline-tree.js";
import { Pclntab } from "./pclntab.js";

// internal/abi/symtab.go
const Go12PCLnTabMagic = 0xfffffffb;
const Go116PCLnTabMagic = 0xfffffffa;
const Go118PCLnTabMagic = 0xfffffff0;
const Go120PCLnTabMagic = 0xfffffff1;
// go1.15 runtime/symtab.go _FUNCDATA_InlTree; go1.19 runtime/symtab.go and internal/abi/symtab.go later.
const FUNCDATA_InlTree_go115 = 4;
const FUNCDATA_InlTree = 3;

type Layout = "ver12" | "ver116" | "ver118" | "ver120";
const MAGIC: Record<Layout, number> = { ver12: Go12PCLnTabMagic, ver116: Go116PCLnTabMagic, ver118: Go118PCLnTabMagic, ver120: Go120PCLnTabMagic };
const LAYOUTS: readonly Layout[] = ["ver12", "ver116", "ver118", "ver120"];

type GofuncCandidate = ReturnType<FuncdataMemory["gofuncCandidates"]>[number];


/** One inline-tree entry as the test means it; `parent` and `callLine` go only into ver112 entries. */
interface TestCall {
  name: string;
  parentPc: number;
  parent: number;
  callLine: number;
}

/**
 * The function both layouts of the test share: main.run, 0x40 bytes, lines 10/20/30/40 by 0x10
 * bytes; inline index -1 to 0x10, 0 (main.Double) to 0x18, 1 (main.helper, inside Double) to 0x20,
 * -1 to 0x30, 2 (main.Double again) to 0x40.
 */
const RUN_LINES: readonly (readonly [number, number])[] = [
  [10, 0x10],
  [20, 0x10],
  [30, 0x10],
  [40, 0x10],
];
const RUN_INLINE: readonly (readonly [number, number])[] = [
  [-1, 0x10],
  [0, 0x8],
  [1, 0x8],
  [-1, 0x10],
  [2, 0x10],
];
const RUN_CALLS: readonly TestCall[] = [
  { name: "main.Double", parentPc: 0x04, parent: -1, callLine: 10 },
  { name: "main.helper", parentPc: 0x12, parent: 0, callLine: 20 },
  { name: "main.Double", parentPc: 0x24, parent: -1, callLine: 30 },
];

interface Built {
  pclntab: Uint8Array;
  rodata: Uint8Array;
  /** Virtual address of `rodata`. */
  rodataAddress: number;
  /** moduledata.gofunc for ver118/ver120 (funcdata offsets count from it). */
  gofunc: number;
}

/**
 * A pclntab in `layout` with two functions, main.run (with the inline tree above) and main.main
 * (none), and a separate rodata holding the tree, laid out as runtime/symtab.go pcHeader,
 * runtime2.go `_func` and cmd/link pcln.go genInlTreeSym of the release that brought each layout.
 */
function build(layout: Layout, little: boolean, ptrSize: 4 | 8, calls: readonly TestCall[] = RUN_CALLS, inline = RUN_INLINE): Built {
  const quantum = 1;
  const p = ptrSize;
  const b = new ByteBuilder(little);
  const modern = layout !== "ver12";
  const isTextRelative = layout === "ver118" || layout === "ver120";
  const field = isTextRelative ? 4 : p;
  const pctabBase = modern ? "pctab" : "start";
  const nameBase = modern ? "funcnametab" : "start";
  const funcBase = modern ? "functab" : "start";
  const textStart = 0x40_1000;
  const entries = [isTextRelative ? 0 : textStart, isTextRelative ? 0x40 : textStart + 0x40];
  const end = entries[1] !== undefined ? entries[1] + 0x20 : 0;
  const rodataAddress = 0x50_0000;
  const gofunc = rodataAddress + 0x10;
  const treeAt = 0x20;

  b.label("start").u32(MAGIC[layout]).u8(0).u8(0).u8(quantum).u8(p);
  b.uint(2, p);
  if (modern) {
    b.uint(1, p);
    if (isTextRelative) b.uint(textStart, p);
    for (const table of ["funcnametab", "cutab", "filetab", "pctab", "functab"]) b.distance("start", table, p);
  }
  const functab = (): void => {
    b.label("functab");
    entries.forEach((entry, i) => b.uint(entry, field).distance(funcBase, `func${i}`, field));
    b.uint(end, field);
  };
  if (!modern) {
    functab();
    b.distance("start", "filetab", 4);
  }
  const names = ["main.run", "main.main", ...new Set(calls.map((c) => c.name))];
  b.label("funcnametab");
  names.forEach((name) => b.label(`name ${name}`).cstring(name));
  if (modern) {
    b.label("cutab").distance("filetab", "file0", 4);
    b.label("filetab").label("file0").cstring("/src/main.go");
  } else {
    b.align(4).label("filetab").u32(2).distance("start", "file0", 4);
    b.label("file0").cstring("/src/main.go");
  }
  b.label("pctab").u8(0);
  // ver12 file indexes start at 1 (entry 0 of its filetab is the count).
  b.label("pcfile").bytes(encodePcValue([[modern ? 0 : 1, 0x40]], quantum));
  b.label("pcln").bytes(encodePcValue(RUN_LINES, quantum));
  b.label("pcsp").bytes(encodePcValue([[0, 0x40]], quantum));
  b.label("pcinline").bytes(encodePcValue(inline, quantum));
  if (modern) {
    b.align(p);
    functab();
  }
  const slot = layout === "ver12" ? FUNCDATA_InlTree_go115 : FUNCDATA_InlTree;
  entries.forEach((entry, i) => {
    const hasTree = i === 0;
    b.align(p).label(`func${i}`);
    b.uint(entry, field);
    b.distance(nameBase, `name ${i === 0 ? "main.run" : "main.main"}`, 4);
    b.u32(0).u32(0); // args, deferreturn
    for (const table of ["pcsp", "pcfile", "pcln"]) b.distance(pctabBase, table, 4);
    const npcdata = hasTree ? PCDATA_InlTreeIndex + 1 : 0;
    b.u32(npcdata);
    if (modern) b.u32(0); // cuOffset
    if (layout === "ver120") b.u32(7); // startLine
    b.u8(0).u8(0).u8(0).u8(hasTree ? slot + 1 : 0); // funcID, flag, pad, nfuncdata
    if (!hasTree) return;
    b.u32(0).u32(0).distance(pctabBase, "pcinline", 4);
    if (isTextRelative) {
      for (let k = 0; k < slot; k++) b.u32(0xffff_ffff);
      b.u32(rodataAddress + treeAt - gofunc);
    } else {
      // go1.15 cmd/link pcln.go: "funcdata, must be pointer-aligned".
      b.align(p);
      for (let k = 0; k < slot; k++) b.uint(0, p);
      b.uint(rodataAddress + treeAt, p);
    }
  });
  const pclntab = b.build();
  // Names after the first follow a NUL; the first, main.run, starts the name table.
  const all = Buffer.from(pclntab.buffer, pclntab.byteOffset, pclntab.byteLength);
  const base = modern ? all.indexOf("main.run\0") : 0;
  const nameOffset = (name: string): number => all.indexOf(`\0${name}\0`) + 1 - base;

  const r = new ByteBuilder(little).zeros(treeAt);
  for (const call of calls) {
    if (layout === "ver120") {
      r.u8(0).u8(0).u8(0).u8(0).u32(nameOffset(call.name)).u32(call.parentPc).u32(5);
    } else {
      r.u16(call.parent & 0xffff).u8(0).u8(0).u32(modern ? 0 : 1).u32(call.callLine).u32(nameOffset(call.name)).u32(call.parentPc);
    }
  }
  return { pclntab, rodata: r.build(), rodataAddress, gofunc };
}

function memoryOf(built: Built, little: boolean, candidates: readonly GofuncCandidate[]): FuncdataMemory {
  const c = new ByteCursor(built.rodata, little, { file: "bin", section: ".rodata", base: 0 });
  return {
    find(address, length) {
      const pos = address - built.rodataAddress;
      return pos >= 0 && pos + length <= built.rodata.byteLength ? { c, pos } : undefined;
    },
    gofuncCandidates: () => candidates,
  };
}

function open(built: Built, little: boolean, candidates: readonly GofuncCandidate[] = [{ value: built.gofunc, from: "symbol" }]): Pclntab {
  return new Pclntab(new ByteCursor(built.pclntab, little, { file: "bin", section: ".gopclntab", base: 0 }), 0x40_1000, { funcdata: memoryOf(built, little, candidates) });
}

const entryLayout = (layout: Layout): InlinedCallLayout => (layout === "ver120" ? "ver120" : "ver112");

describe("readInlinedCalls", () => {
  it.each([true, false])("decodes ver112 and ver120 entries (little endian %s)", (little) => {
    const b = new ByteBuilder(little).zeros(4);
    b.u16(0xffff).u8(3).u8(0).u32(2).u32(443).u32(0x120).u32(0x1f);
    b.u16(0).u8(0).u8(0).u32(2).u32(12).u32(0x130).u32(0x2c);
    const c = new ByteCursor(b.build(), little, { file: "bin", section: ".rodata", base: 0x100 });
    expect(readInlinedCalls(c, 4, 2, "ver112")).toEqual([
      { layout: "ver112", parent: -1, funcId: 3, file: 2, line: 443, nameOff: 0x120, parentPc: 0x1f },
      { layout: "ver112", parent: 0, funcId: 0, file: 2, line: 12, nameOff: 0x130, parentPc: 0x2c },
    ]);
    const v = new ByteBuilder(little).u8(21).u8(0).u8(0).u8(0).u32(0x40).u32(0x10).u32(233).build();
    expect(readInlinedCalls(new ByteCursor(v, little, { file: "bin", base: 0 }), 0, 1, "ver120")).toEqual([{ layout: "ver120", funcId: 21, nameOff: 0x40, parentPc: 0x10, startLine: 233 }]);
  });

  it.each([
    ["ver112", 3],
    ["ver120", 1],
    ["ver120", 3],
  ] as const)("refuses a %s entry whose padding byte %i is not zero", (layout, pad) => {
    const bytes = new Uint8Array(2 * (layout === "ver120" ? 16 : 20));
    const size = layout === "ver120" ? 16 : 20;
    bytes[size + pad] = 0x5a;
    const c = new ByteCursor(bytes, true, { file: "bin", section: ".rodata", base: 0x1000 });
    expect(() => readInlinedCalls(c, 0, 2, layout)).toThrow(`bin: .rodata+0x${(0x1000 + size + pad).toString(16)}: inline tree entry 1: padding byte ${pad} is 0x5a, not zero`);
  });

  it("refuses a count the bytes cannot hold and a negative name offset", () => {
    const c = new ByteCursor(new Uint8Array(40), true, { file: "bin", section: ".rodata", base: 0 });
    expect(readInlinedCalls(c, 8, 2, "ver120")).toHaveLength(2);
    expect(() => readInlinedCalls(c, 12, 2, "ver120")).toThrow("bin: .rodata+0xc: inline tree of 2 entries: needs 32 bytes, 28 left");
    expect(() => readInlinedCalls(c, 8, 2, "ver112")).toThrow(expect.objectContaining({ kind: "malformed", offset: 8 }));
    const negative = new ByteBuilder().u8(0).u8(0).u8(0).u8(0).u32(0xffff_fff0).u32(0).u32(0).build();
    expect(() => readInlinedCalls(new ByteCursor(negative, true, { file: "bin", section: ".rodata", base: 0 }), 0, 1, "ver120")).toThrow("bin: .rodata+0x4: inline tree entry 0: name offset -16 is negative");
  });

  it("gives entries or a malformed error inside the section for any bytes and count", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(8), fc.nat(6), fc.constantFrom<InlinedCallLayout>("ver112", "ver120"), (bytes, pos, count, layout) => {
        const c = new ByteCursor(bytes, true, { file: "bin", section: ".rodata", base: 0 });
        try {
          expect(readInlinedCalls(c, pos, count, layout)).toHaveLength(count);
        } catch (err) {
          if (!(err instanceof GoxrayError)) throw err;
          expect(err.kind).toBe("malformed");
          expect(err.offset).toBeGreaterThanOrEqual(0);
          expect(err.offset).toBeLessThanOrEqual(bytes.byteLength);
        }
      }),
    );
  });
});

describe("Pclntab inline trees", () => {
  const shapes = LAYOUTS.flatMap((layout) => [true, false].flatMap((little) => ([4, 8] as const).map((ptrSize) => [layout, little, ptrSize] as const)));

  it.each(shapes)("reads a %s tree (little endian %s, %i-byte pointers)", (layout, little, ptrSize) => {
    const table = open(build(layout, little, ptrSize), little);
    const entry = table.entryAt(0);
    expect(table.nameAt(0)).toBe("main.run");
    const sites = table.inlinedSites(0);
    expect(sites.map((s) => [s.index, s.name, s.parentPc, s.callPc - entry, s.callFile, s.callLine, s.parent, s.depth])).toEqual([
      [0, "main.Double", 0x04, 0x04, "/src/main.go", 10, -1, 1],
      [1, "main.helper", 0x12, 0x12, "/src/main.go", 20, 0, 2],
      [2, "main.Double", 0x24, 0x24, "/src/main.go", 30, -1, 1],
    ]);
    // Double's first copy covers its own code and helper's, which is inlined into it.
    expect(sites.map((s) => s.ranges.map((r) => [r.low - entry, r.high - entry]))).toEqual([[[0x10, 0x20]], [[0x18, 0x20]], [[0x30, 0x40]]]);
    expect(sites.map((s) => (s.firstPc ?? 0) - entry)).toEqual([0x10, 0x18, 0x30]);
    expect(table.inlinedSites(1)).toEqual([]);
    expect(table.inlineTreeAt(1)).toEqual([]);

    const tree = table.inlineTreeAt(0);
    expect(tree.map((e) => e.layout)).toEqual([entryLayout(layout), entryLayout(layout), entryLayout(layout)]);
    for (const [k, e] of tree.entries()) {
      if (e.layout === "ver112") expect([e.parent, e.line]).toEqual([RUN_CALLS[k]?.parent, RUN_CALLS[k]?.callLine]);
    }

    const doubles = table.inlinedCallSitesOf("main.Double");
    expect(doubles.map((s) => [s.caller, s.callerIndex, s.index, s.callLine])).toEqual([
      ["main.run", 0, 0, 10],
      ["main.run", 0, 2, 30],
    ]);
    expect(table.inlinedCallSitesOf("main.helper").map((s) => [s.caller, s.depth, s.parent])).toEqual([["main.run", 2, 0]]);
    expect(table.inlinedCallSitesOf("main.nothing")).toEqual([]);
  });

  describe("where ver118 and ver120 funcdata start", () => {
    it.each(["ver118", "ver120"] as const)("keeps the one %s moduledata candidate whose trees decode", (layout) => {
      const built = build(layout, true, 8);
      // gofunc − 8 puts zeros where the first entry starts, which pass every check but the derived parent (ver112).
      const candidates: GofuncCandidate[] = [
        { value: built.gofunc - 8, from: "moduledata" },
        { value: built.gofunc, from: "moduledata" },
        { value: built.rodataAddress + 0x1000, from: "moduledata" },
      ];
      expect(open(built, true, candidates).inlinedCallSitesOf("main.Double")).toHaveLength(2);
    });

    it("refuses to choose when no candidate, or more than one, fits", () => {
      const built = build("ver120", true, 8);
      const none = open(built, true, [{ value: built.gofunc + 0x1000, from: "moduledata" }]);
      expect(() => none.inlinedSites(0)).toThrow("bin: .gopclntab+0x0: pclntab: cannot tell where funcdata starts: 0 of the moduledata.gofunc candidates (0x501010) fit the inline trees");
      expect(() => none.inlinedSites(0)).toThrow(expect.objectContaining({ kind: "unsupported" }));
      expect(() => open(built, true, []).inlinedSites(0)).toThrow("candidates (none)");
    });

    it("needs the memory image to find a tree", () => {
      const built = build("ver120", true, 8);
      const table = new Pclntab(new ByteCursor(built.pclntab, true, { file: "bin", section: ".gopclntab", base: 0 }), 0x40_1000);
      expect(() => table.inlinedSites(0)).toThrow(expect.objectContaining({ kind: "unsupported" }));
      expect(table.inlinedSites(1)).toEqual([]);
    });
  });

  it("refuses a tree outside the memory image, naming the funcdata slot", () => {
    const built = build("ver116", true, 8);
    const table = open({ ...built, rodata: built.rodata.subarray(0, 0x30) }, true);
    expect(() => table.inlinedSites(0)).toThrow(/bin: \.gopclntab\+0x[0-9a-f]+: _func funcdata\[FUNCDATA_InlTree\]: inline tree of 3 entries \(0x3c bytes\) at 0x500020 is not in the file/);
  });

  it("refuses a parentPc outside its function and a chain of callers that loops", () => {
    const outside = open(build("ver120", true, 8, [{ name: "main.Double", parentPc: 0x40, parent: -1, callLine: 10 }], [[-1, 0x10], [0, 0x30]]), true);
    expect(() => outside.inlinedSites(0)).toThrow("bin: .rodata+0x28: inline tree entry 0: parentPc 0x40 is outside its function (0x40 bytes)");
    // Entry 0's call site is inside entry 0's own code.
    const loop = open(build("ver120", true, 8, [{ name: "main.Double", parentPc: 0x20, parent: 0, callLine: 10 }], [[-1, 0x10], [0, 0x30]]), true);
    expect(() => loop.inlinedSites(0)).toThrow("bin: .rodata+0x20: inline tree entry 0: its chain of callers loops");
  });

  it.each(LAYOUTS)("gives %s sites or malformed errors for any flipped byte of the tables or the tree", (layout) => {
    const built = build(layout, true, 8);
    fc.assert(
      fc.property(fc.boolean(), fc.nat(Math.max(built.pclntab.byteLength, built.rodata.byteLength) - 1), fc.integer({ min: 1, max: 255 }), (inTree, at, xor) => {
        const pclntab = built.pclntab.slice();
        const rodata = built.rodata.slice();
        const target = inTree ? rodata : pclntab;
        target[at % target.byteLength] = (target[at % target.byteLength] ?? 0) ^ xor;
        try {
          const table = open({ ...built, pclntab, rodata }, true);
          for (let i = 0; i < table.funcCount; i++) table.inlinedSites(i);
          table.inlinedCallSitesOf("main.Double");
        } catch (err) {
          if (!(err instanceof GoxrayError)) throw err;
          expect(["malformed", "unsupported"]).toContain(err.kind);
        }
      }),
    );
  });
});
