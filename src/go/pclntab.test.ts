import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { encodePcValue } from "../../test/support/pc-value.js";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { Pclntab } from "./pclntab.js";

// internal/abi/symtab.go
const Go12PCLnTabMagic = 0xfffffffb;
const Go116PCLnTabMagic = 0xfffffffa;
const Go118PCLnTabMagic = 0xfffffff0;
const Go120PCLnTabMagic = 0xfffffff1;
const ArgsSizeUnknown = -0x8000_0000;

type Layout = "ver12" | "ver116" | "ver118" | "ver120";
const MAGIC: Record<Layout, number> = { ver12: Go12PCLnTabMagic, ver116: Go116PCLnTabMagic, ver118: Go118PCLnTabMagic, ver120: Go120PCLnTabMagic };
const LAYOUTS: readonly Layout[] = ["ver12", "ver116", "ver118", "ver120"];

/** One function as the test writes it; `entry` is absolute (ver12/ver116) or from the text start (ver118+). */
interface TestFunc {
  entry: number;
  name: string;
  args: number;
  funcId: number;
  file: string;
  line: number;
  /** Bytes of the pcsp table; pcfile and pcln are written from `file` and `line`, one run to `end`. */
  pcsp?: Uint8Array;
}

interface TestTable {
  layout: Layout;
  little: boolean;
  ptrSize: 4 | 8;
  quantum: 1 | 2 | 4;
  funcs: TestFunc[];
  end: number;
  /** Overrides nfunc in the header (the functab is still written for funcs.length). */
  nfunc?: number;
  textStart?: number;
}


/**
 * Writes a pclntab in the given layout, following runtime/symtab.go pcHeader and runtime2.go
 * `_func` of the release that brought it; every offset is a label distance, not a number typed in.
 */
function buildPclntab(t: TestTable): Uint8Array {
  const { layout, ptrSize: p, quantum } = t;
  const b = new ByteBuilder(t.little);
  const files = [...new Set(t.funcs.map((f) => f.file))];
  const modern = layout !== "ver12";
  const isTextRelative = layout === "ver118" || layout === "ver120";
  const field = isTextRelative ? 4 : p;
  // ver12 offsets count from the table start; later ones from their own table.
  const pctabBase = modern ? "pctab" : "start";
  const nameBase = modern ? "funcnametab" : "start";
  const funcBase = modern ? "functab" : "start";

  b.label("start").u32(MAGIC[layout]).u8(0).u8(0).u8(quantum).u8(p);
  b.uint(t.nfunc ?? t.funcs.length, p);
  if (modern) {
    b.uint(files.length, p);
    if (isTextRelative) b.uint(t.textStart ?? 0, p);
    for (const table of ["funcnametab", "cutab", "filetab", "pctab", "functab"]) b.distance("start", table, p);
  }
  const functab = (): void => {
    b.label("functab");
    t.funcs.forEach((f, i) => {
      b.uint(f.entry, field);
      b.distance(funcBase, `func${i}`, field);
    });
    b.uint(t.end, field);
  };
  if (!modern) {
    functab();
    b.distance("start", "filetab", 4);
  }
  b.label("funcnametab");
  t.funcs.forEach((f, i) => b.label(`name${i}`).cstring(f.name));
  if (modern) {
    // One CU holding every file, in order.
    b.label("cutab");
    files.forEach((_, k) => b.distance("filetab", `file${k}`, 4));
    b.label("filetab");
    files.forEach((name, k) => b.label(`file${k}`).cstring(name));
  } else {
    b.align(4).label("filetab").u32(files.length + 1);
    files.forEach((_, k) => b.distance("start", `file${k}`, 4));
    files.forEach((name, k) => b.label(`file${k}`).cstring(name));
  }
  // Offset 0 into pctab means "no table", so the linker starts it with a zero byte.
  b.label("pctab").u8(0);
  t.funcs.forEach((f, i) => {
    // A table covers the function up to the next entry (one quantum when the test puts them out of order).
    const length = Math.max(quantum, (i + 1 < t.funcs.length ? (t.funcs[i + 1]?.entry ?? t.end) : t.end) - f.entry);
    // ver12 file indexes start at 1 (entry 0 of its filetab is the count).
    const fileValue = files.indexOf(f.file) + (modern ? 0 : 1);
    b.label(`pcfile${i}`).bytes(encodePcValue([[fileValue, length]], quantum));
    b.label(`pcln${i}`).bytes(encodePcValue([[f.line, length]], quantum));
    b.label(`pcsp${i}`).bytes(f.pcsp ?? encodePcValue([[0, length]], quantum));
  });
  if (modern) {
    b.align(p);
    functab();
  }
  t.funcs.forEach((f, i) => {
    b.align(4).label(`func${i}`);
    b.uint(f.entry, field);
    b.distance(nameBase, `name${i}`, 4);
    b.u32(f.args >>> 0);
    b.u32(0); // deferreturn
    b.distance(pctabBase, `pcsp${i}`, 4);
    b.distance(pctabBase, `pcfile${i}`, 4);
    b.distance(pctabBase, `pcln${i}`, 4);
    b.u32(0); // npcdata
    if (modern) b.u32(0); // cuOffset: the one CU starts at cutab[0]
    if (layout === "ver120") b.u32(f.line); // startLine
    b.u8(f.funcId).u8(0).u8(0).u8(0); // funcID, flag, pad, nfuncdata
  });
  return b.build();
}

const place = { file: "bin", section: ".gopclntab", base: 0 };

function open(bytes: Uint8Array, little: boolean, textStart = 0): Pclntab {
  return new Pclntab(new ByteCursor(bytes, little, place), textStart);
}

function sampleFuncs(base: number, quantum: number): TestFunc[] {
  return [
    { entry: base, name: "internal/abi.Kind.String", args: 24, funcId: 0, file: "/go/src/internal/abi/type.go", line: 50 },
    { entry: base + 0x40 * quantum, name: "runtime.rt0_go", args: ArgsSizeUnknown, funcId: 21, file: "/go/src/runtime/asm_amd64.s", line: 159 },
    { entry: base + 0x100 * quantum, name: "main.(*T).Sum", args: 8, funcId: 0, file: "/src/main.go", line: 11 },
    { entry: base + 0x140 * quantum, name: "main.main", args: 0, funcId: 1, file: "/src/main.go", line: 13 },
  ];
}

/** A malformed GoxrayError placed inside the table, or nothing: the only failure allowed. */
function expectMalformedInside(run: () => unknown, size: number): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof GoxrayError)) throw err;
    expect(err.kind).toBe("malformed");
    expect(err.section).toBe(".gopclntab");
    expect(err.offset).toBeGreaterThanOrEqual(0);
    expect(err.offset).toBeLessThanOrEqual(size);
  }
}

describe("Pclntab", () => {
  const shapes = LAYOUTS.flatMap((layout) => [true, false].flatMap((little) => ([4, 8] as const).map((ptrSize) => [layout, little, ptrSize] as const)));

  it.each(shapes)("reads a %s table (little endian %s, %i-byte pointers) as written", (layout, little, ptrSize) => {
    const quantum = 4;
    const isOffset = layout === "ver118" || layout === "ver120";
    const textStart = 0x40_1000;
    const base = isOffset ? 0 : textStart;
    const funcs = sampleFuncs(base, quantum);
    const end = base + 0x180 * quantum;
    const table = open(buildPclntab({ layout, little, ptrSize, quantum, funcs, end }), little, textStart);

    expect([table.layout, table.quantum, table.ptrSize, table.funcCount]).toEqual([layout, quantum, ptrSize, funcs.length]);
    expect(table.header.isLittleEndian).toBe(little);
    funcs.forEach((f, i) => {
      const entry = textStart + (f.entry - base);
      expect(table.entryAt(i)).toBe(entry);
      expect(table.endAt(i)).toBe(i + 1 < funcs.length ? textStart + ((funcs[i + 1]?.entry ?? 0) - base) : textStart + (end - base));
      expect(table.nameAt(i)).toBe(f.name);
      expect(table.argsSizeAt(i)).toBe(f.args === ArgsSizeUnknown ? undefined : f.args);
      expect(table.funcIdAt(i)).toBe(f.funcId);
      expect(table.fileLineAt(i)).toEqual({ file: f.file, line: f.line });
      expect(table.findByName(f.name)).toBe(i);
      expect(table.findByPc(entry)).toBe(i);
      expect(table.findByPc(table.endAt(i) - 1)).toBe(i);
      expect(table.pcValueAt(i, "pcsp", entry)).toBe(0);
    });
    expect(table.findByName("main.missing")).toBeUndefined();
    expect(table.findByPc(textStart - 1)).toBeUndefined();
    expect(table.findByPc(textStart + (end - base))).toBeUndefined();
  });

  it("takes the byte order from the magic, not from the cursor", () => {
    const funcs = sampleFuncs(0, 1);
    const bytes = buildPclntab({ layout: "ver120", little: false, ptrSize: 8, quantum: 1, funcs, end: 0x200 });
    const table = open(bytes, true, 0x1000);
    expect(table.header.isLittleEndian).toBe(false);
    expect(table.nameAt(3)).toBe("main.main");
    expect(table.entryAt(3)).toBe(0x1140);
  });

  it("ignores the text start for layouts whose entries are addresses", () => {
    const funcs = sampleFuncs(0x40_1000, 1);
    const table = open(buildPclntab({ layout: "ver116", little: true, ptrSize: 8, quantum: 1, funcs, end: 0x40_1200 }), true, 0x99_0000);
    expect(table.textStart).toBe(0);
    expect(table.entryAt(0)).toBe(0x40_1000);
  });

  it("reads the text start stored in a Go 1.18–1.25 header", () => {
    const funcs = sampleFuncs(0, 1);
    const table = open(buildPclntab({ layout: "ver118", little: true, ptrSize: 8, quantum: 1, funcs, end: 0x200, textStart: 0x40_1000 }), true);
    expect(table.header.storedTextStart).toBe(0x40_1000);
  });

  describe("header checks", () => {
    const good = (): Uint8Array => buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs: sampleFuncs(0, 1), end: 0x200 });

    it("refuses an unknown magic, naming the section and offset 0", () => {
      const bytes = good();
      bytes.set([0x01, 0x02, 0x03, 0x04], 0);
      expect(() => open(bytes, true)).toThrow("bin: .gopclntab+0x0: pclntab: unknown magic 0x4030201");
      expect(() => open(bytes, true)).toThrow(expect.objectContaining({ kind: "malformed", offset: 0 }));
    });

    it("calls a magic of Go's family that it does not know unsupported (a newer Go)", () => {
      const bytes = good();
      bytes.set([0xf2, 0xff, 0xff, 0xff], 0);
      expect(() => open(bytes, true)).toThrow(expect.objectContaining({ kind: "unsupported", section: ".gopclntab", offset: 0 }));
    });

    it.each([
      [4, 1, "byte 4 is 0x1, not zero"],
      [5, 7, "byte 5 is 0x7, not zero"],
      [6, 3, "pc quantum 3 is not 1, 2 or 4"],
      [7, 2, "pointer size 2 is not 4 or 8"],
    ])("refuses header byte %i = %i", (at, value, message) => {
      const bytes = good();
      bytes[at] = value;
      expect(() => open(bytes, true)).toThrow(`bin: .gopclntab+0x${at.toString(16)}: pclntab header: ${message}`);
    });

    it("refuses a header cut short", () => {
      const bytes = good();
      expect(() => open(bytes.subarray(0, 6), true)).toThrow("bin: .gopclntab+0x0: pclntab header: needs 8 bytes, 6 left");
      expect(() => open(bytes.subarray(0, 20), true)).toThrow("bin: .gopclntab+0x14: pclntab header pclnOffset: needs 8 bytes, 0 left");
    });

    it.each(LAYOUTS)("refuses a %s nfunc whose functab does not fit", (layout) => {
      const bytes = buildPclntab({ layout, little: true, ptrSize: 8, quantum: 1, funcs: sampleFuncs(layout === "ver12" ? 0x1000 : 0, 1), end: 0x1200, nfunc: 0x1000_0000 });
      expect(() => open(bytes, true)).toThrow(expect.objectContaining({ kind: "malformed", offset: 8 }));
      expect(() => open(bytes, true)).toThrow(/functab of 268435456 functions needs 0x[0-9a-f]+ bytes/);
    });

    it.each([
      [3, "funcnameOffset"],
      [5, "filetabOffset"],
      [7, "pclnOffset"],
    ])("refuses header word %i (%s) past the end", (word, name) => {
      const bytes = good();
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(8 + word * 8, bytes.byteLength + 1, true);
      expect(() => open(bytes, true)).toThrow(`bin: .gopclntab+0x${(8 + word * 8).toString(16)}: pclntab header: ${name} 0x${(bytes.byteLength + 1).toString(16)} is past the end`);
    });

    it("refuses a ver12 filetab offset past the end", () => {
      const bytes = buildPclntab({ layout: "ver12", little: true, ptrSize: 8, quantum: 1, funcs: sampleFuncs(0x1000, 1), end: 0x1200 });
      const at = 16 + (2 * 4 + 1) * 8;
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, 0xffff_0000, true);
      expect(() => open(bytes, true)).toThrow(`bin: .gopclntab+0x${at.toString(16)}: pclntab: filetab offset 0xffff0000 is past the end`);
    });
  });

  it("reports a truncated table as malformed inside the section, at open or when a function is read", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LAYOUTS), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (layout, little, cut) => {
        const full = buildPclntab({ layout, little, ptrSize: 8, quantum: 1, funcs: sampleFuncs(layout === "ver12" || layout === "ver116" ? 0x1000 : 0, 1), end: 0x1200 });
        const bytes = full.subarray(0, Math.floor(full.byteLength * cut));
        expectMalformedInside(() => {
          const table = open(bytes, little, 0x1000);
          for (let i = 0; i < table.funcCount; i++) {
            table.entryAt(i);
            table.endAt(i);
            table.nameAt(i);
            table.argsSizeAt(i);
            table.funcIdAt(i);
            table.fileLineAt(i);
            table.findByPc(table.entryAt(i));
          }
        }, bytes.byteLength);
      }),
    );
  });

  it("gives values or malformed errors for any flipped byte", () => {
    const full = buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs: sampleFuncs(0, 1), end: 0x200 });
    fc.assert(
      fc.property(fc.nat(full.byteLength - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bytes = full.slice();
        bytes[at] = (bytes[at] ?? 0) ^ xor;
        try {
          const table = open(bytes, true, 0x1000);
          for (let i = 0; i < table.funcCount; i++) {
            table.nameAt(i);
            table.fileLineAt(i);
            table.findByName("main.main");
            table.findByPc(0x1000 + i);
          }
        } catch (err) {
          if (!(err instanceof GoxrayError)) throw err;
          expect(["malformed", "unsupported"]).toContain(err.kind);
          expect(err.offset).toBeLessThanOrEqual(bytes.byteLength);
        }
      }),
    );
  });

  it("refuses a functab whose entries go backwards when searching by pc", () => {
    const funcs = sampleFuncs(0, 1);
    [funcs[1], funcs[2]] = [funcs[2] as TestFunc, funcs[1] as TestFunc];
    const table = open(buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs, end: 0x200 }), true, 0x1000);
    expect(() => table.findByPc(0x1000)).toThrow(/functab: entry 0x1040 is below the one before it \(0x1100\)/);
  });

  it("treats an index outside the table as a bug (RangeError)", () => {
    const table = open(buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs: sampleFuncs(0, 1), end: 0x200 }), true);
    expect(() => table.entryAt(4)).toThrow(RangeError);
    expect(() => table.nameAt(-1)).toThrow(RangeError);
  });

  it("returns no file/line when a function has no pcfile table", () => {
    const bytes = buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs: sampleFuncs(0, 1), end: 0x200 });
    const table = open(bytes, true, 0x1000);
    // _func of function 0: pcfile is the 6th u32 (entryOff, nameOff, args, deferreturn, pcsp, pcfile).
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const functab = Number(view.getBigUint64(8 + 7 * 8, true));
    const func0 = functab + view.getUint32(functab + 4, true);
    view.setUint32(func0 + 20, 0, true);
    expect(table.fileLineAt(0)).toBeUndefined();
    expect(table.fileLineAt(1)).toEqual({ file: "/go/src/runtime/asm_amd64.s", line: 159 });
  });
});

describe("pc-value tables", () => {
  // Runs of (value, length in quanta); consecutive values differ, since a zero delta ends the table.
  const runs = fc
    .array(fc.tuple(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), fc.integer({ min: 1, max: 300 })), { minLength: 1, maxLength: 20 })
    .map((raw) => {
      const out: [number, number][] = [];
      let previous: number | undefined;
      for (const [v, n] of raw) {
        const value = v === previous ? v + 1 : v;
        out.push([value, n]);
        previous = value;
      }
      return out;
    });

  it("decodes what the encoder wrote: each run's value holds from its start to its end, then nothing", () => {
    fc.assert(
      fc.property(runs, fc.constantFrom(1 as const, 2 as const, 4 as const), fc.boolean(), (quantumRuns, quantum, little) => {
        const entry = 0x1000;
        const byteRuns = quantumRuns.map(([v, n]) => [v, n * quantum] as const);
        const length = byteRuns.reduce((sum, [, n]) => sum + n, 0);
        const pcsp = encodePcValue(byteRuns, quantum);
        const funcs: TestFunc[] = [{ entry: 0, name: "main.f", args: 0, funcId: 0, file: "f.go", line: 1, pcsp }];
        const table = open(buildPclntab({ layout: "ver120", little, ptrSize: 8, quantum, funcs, end: length }), little, entry);
        expect(table.pcValueAt(0, "pcsp", entry - 1)).toBeUndefined();
        let pc = entry;
        for (const [value, n] of byteRuns) {
          expect(table.pcValueAt(0, "pcsp", pc)).toBe(value);
          expect(table.pcValueAt(0, "pcsp", pc + n - 1)).toBe(value);
          pc += n;
        }
        expect(table.pcValueAt(0, "pcsp", pc)).toBeUndefined();
      }),
    );
  });

  it("does not end the table on a zero value delta while the pc is still at the entry (runtime pcvalue)", () => {
    // (delta 0, pc +0) then (delta +5 → 4, pc +3): value 4 holds for [entry, entry+3).
    const pcsp = new ByteBuilder().uleb(0 /* zig-zag of delta 0 */).uleb(0).uleb(10 /* zig-zag of delta +5 */).uleb(3).u8(0).build();
    const funcs: TestFunc[] = [{ entry: 0, name: "main.f", args: 0, funcId: 0, file: "f.go", line: 1, pcsp }];
    const table = open(buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs, end: 3 }), true, 0x1000);
    expect(table.pcValueAt(0, "pcsp", 0x1000)).toBe(4);
    expect(table.pcValueAt(0, "pcsp", 0x1002)).toBe(4);
    expect(table.pcValueAt(0, "pcsp", 0x1003)).toBeUndefined();
  });

  it("refuses a delta wider than Go's uint32", () => {
    const pcsp = new ByteBuilder().uleb(2 ** 33).uleb(1).u8(0).build();
    const funcs: TestFunc[] = [{ entry: 0, name: "main.f", args: 0, funcId: 0, file: "f.go", line: 1, pcsp }];
    const table = open(buildPclntab({ layout: "ver120", little: true, ptrSize: 8, quantum: 1, funcs, end: 1 }), true, 0x1000);
    expect(() => table.pcValueAt(0, "pcsp", 0x1000)).toThrow(/pc-value table: delta wider than 32 bits/);
  });
});
