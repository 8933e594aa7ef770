import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { memorySource } from "../bytes/byte-source.js";
import { ElfFile } from "../elf/elf-file.js";
import { PF_W, PT_LOAD } from "../elf/program-headers.js";
import { findModuledata } from "./moduledata.js";
import { readPclntab } from "./pclntab.js";

// ELF gABI values the synthetic executables need (kept here: src/elf exports only what src uses).
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const ET_EXEC = 2;
const EM_386 = 3;
const EM_S390 = 22;
const EM_X86_64 = 62;
const PF_X = 0x1;
const PF_R = 0x4;

// internal/abi/symtab.go
const Go12PCLnTabMagic = 0xfffffffb;
const Go120PCLnTabMagic = 0xfffffff1;

/** Every segment maps file offset o at virtual address BASE + o, as a non-PIE Go binary does. */
const BASE = 0x40_0000;
const TEXT = BASE + 0x1000;

interface Shape {
  readonly little: boolean;
  readonly ptrSize: 4 | 8;
}

interface PclntabOptions {
  readonly layout: "ver12" | "ver120";
  readonly storedTextStart?: number;
}

/**
 * A two-function pclntab (main.a, main.b, no pc-value tables) at label `pclntab`, with labels for
 * each table so that a moduledata can point into it. ver120 entries are offsets 0 and 0x20 from
 * the text start; ver12 entries are TEXT and TEXT+0x20.
 */
function writePclntab(b: ByteBuilder, { ptrSize: p }: Shape, { layout, storedTextStart = 0 }: PclntabOptions): void {
  const isModern = layout === "ver120";
  const field = isModern ? 4 : p;
  const base = isModern ? 0 : TEXT;
  b.align(8).label("pclntab").u32(isModern ? Go120PCLnTabMagic : Go12PCLnTabMagic).u8(0).u8(0).u8(1).u8(p);
  b.uint(2, p);
  if (isModern) {
    b.uint(1, p).uint(storedTextStart, p);
    for (const table of ["funcnametab", "cutab", "filetab", "pctab", "functab"]) b.distance("pclntab", table, p);
  }
  const functab = (): void => {
    b.label("functab");
    b.uint(base, field).distance(isModern ? "functab" : "pclntab", "func0", field);
    b.uint(base + 0x20, field).distance(isModern ? "functab" : "pclntab", "func1", field);
    b.uint(base + 0x40, field).label("functabEnd");
  };
  if (!isModern) functab();
  if (!isModern) b.distance("pclntab", "filetab", 4);
  b.label("funcnametab").label("name0").cstring("main.a").label("name1").cstring("main.b");
  b.label("cutab").u32(0);
  b.align(4).label("filetab");
  if (isModern) b.cstring("main.go");
  else b.u32(1);
  b.label("pctab").u8(0);
  if (isModern) {
    b.align(4);
    functab();
  }
  for (const i of [0, 1]) {
    b.align(4).label(`func${i}`);
    b.uint(base + 0x20 * i, field);
    b.distance(isModern ? "funcnametab" : "pclntab", `name${i}`, 4);
    b.zeros(isModern ? 4 * 8 + 4 : 4 * 6 + 4); // args … cuOffset, startLine; funcID, flag, pad, nfuncdata
  }
  b.label("pclntabEnd");
}

interface ModuledataOptions {
  readonly layout: "ver12" | "ver120";
  readonly text?: number;
  readonly ftabLength?: number;
}

/** runtime.moduledata's first fields (runtime/symtab.go of Go 1.15 and 1.22) pointing into writePclntab's table. */
function writeModuledata(b: ByteBuilder, { ptrSize: p }: Shape, { layout, text = TEXT, ftabLength = 3 }: ModuledataOptions): void {
  const pointer = (label: string): void => {
    b.positionOf(label, p, BASE);
  };
  const slice = (from: string, to: string): void => {
    pointer(from);
    b.distance(from, to, p).distance(from, to, p);
  };
  b.align(p).label("moduledata");
  if (layout === "ver120") {
    pointer("pclntab");
    slice("funcnametab", "cutab");
    slice("cutab", "filetab");
    slice("filetab", "pctab");
    slice("pctab", "functab");
    slice("functab", "pclntabEnd");
  } else {
    slice("pclntab", "pclntabEnd");
  }
  pointer("functab");
  b.uint(ftabLength, p).uint(ftabLength, p);
  if (layout === "ver12") slice("filetab", "pctab");
  b.uint(0, p); // findfunctab
  b.uint(TEXT, p).uint(TEXT + 0x40, p); // minpc, maxpc
  b.uint(text, p).uint(TEXT + 0x40, p); // text, etext
  b.zeros(8 * p);
}

interface ElfOptions extends PclntabOptions, Omit<ModuledataOptions, "layout"> {
  /** A word equal to the pclntab address, followed by junk, before the real moduledata. */
  readonly decoy?: boolean;
  readonly withoutModuledata?: boolean;
}

/**
 * An executable with no section headers: a header, three PT_LOADs (text, read-only data with the
 * pclntab, writable data with the moduledata).
 */
function buildElf(shape: Shape, options: ElfOptions): ElfFile {
  const { little, ptrSize: p } = shape;
  const b = new ByteBuilder(little);
  const is64 = p === 8;
  b.u8(0x7f).u8(0x45).u8(0x4c).u8(0x46).u8(is64 ? ELFCLASS64 : ELFCLASS32).u8(little ? ELFDATA2LSB : ELFDATA2MSB).u8(1).zeros(9);
  b.u16(ET_EXEC).u16(is64 ? (little ? EM_X86_64 : EM_S390) : EM_386).u32(1);
  b.uint(TEXT, p).uint(is64 ? 64 : 52, p).uint(0, p); // e_entry, e_phoff, e_shoff
  b.u32(0).u16(is64 ? 64 : 52).u16(is64 ? 56 : 32).u16(3).u16(is64 ? 64 : 40).u16(0).u16(0);
  const segments: [from: string, to: string, flags: number][] = [
    ["text", "textEnd", PF_R | PF_X],
    ["rodata", "rodataEnd", PF_R],
    ["data", "dataEnd", PF_R | PF_W],
  ];
  for (const [from, to, flags] of segments) {
    if (is64) {
      b.u32(PT_LOAD).u32(flags).positionOf(from, 8).positionOf(from, 8, BASE).positionOf(from, 8, BASE);
      b.distance(from, to, 8).distance(from, to, 8).u64(0x1000);
    } else {
      b.u32(PT_LOAD).positionOf(from, 4).positionOf(from, 4, BASE).positionOf(from, 4, BASE);
      b.distance(from, to, 4).distance(from, to, 4).u32(flags).u32(0x1000);
    }
  }
  b.align(0x1000).label("text").zeros(0x40).label("textEnd");
  b.align(0x100).label("rodata");
  writePclntab(b, shape, options);
  b.label("rodataEnd");
  b.align(0x100).label("data");
  if (options.decoy === true) {
    b.align(p).positionOf("pclntab", p, BASE).zeros(3 * p);
  }
  if (options.withoutModuledata !== true) writeModuledata(b, shape, { ...options, layout: options.layout });
  b.label("dataEnd");
  return ElfFile.open(memorySource(b.build(), "synthetic"));
}

const SHAPES: readonly Shape[] = [
  { little: true, ptrSize: 8 },
  { little: false, ptrSize: 8 },
  { little: true, ptrSize: 4 },
];

describe("finding the pclntab through the moduledata", () => {
  it.each(SHAPES)("without section headers, a ver120 table is found through the moduledata (%o)", (shape) => {
    const table = readPclntab(buildElf(shape, { layout: "ver120" }));
    expect(table?.foundIn).toBe("moduledata");
    expect(table?.textStartFrom).toBe("moduledata");
    expect(table?.textStart).toBe(TEXT);
    expect([table?.entryAt(0), table?.entryAt(1), table?.endAt(1)]).toEqual([TEXT, TEXT + 0x20, TEXT + 0x40]);
    expect([table?.nameAt(0), table?.nameAt(1)]).toEqual(["main.a", "main.b"]);
    // Text is 0x40 bytes at file offset 0x1000; the read-only segment starts at the next 0x100.
    expect(table?.address).toBe(BASE + 0x1100);
  });

  it.each(SHAPES)("reads the moduledata fields as written (%o)", (shape) => {
    const elf = buildElf(shape, { layout: "ver120", decoy: true });
    const table = readPclntab(elf);
    if (table === undefined || table.address === undefined) throw new Error("no pclntab");
    const found = findModuledata(elf, table.header, table.address);
    expect(found).toMatchObject({ pcHeader: table.address, text: TEXT, etext: TEXT + 0x40, minpc: TEXT, maxpc: TEXT + 0x40 });
    // The decoy word (pointer then zeros) comes first and is skipped: the moduledata follows it.
    expect(found?.address).toBeGreaterThan(table.address);
  });

  it.each(SHAPES)("finds a ver12 table through its moduledata, whose entries need no text start (%o)", (shape) => {
    const table = readPclntab(buildElf(shape, { layout: "ver12" }));
    expect(table?.layout).toBe("ver12");
    expect(table?.foundIn).toBe("moduledata");
    expect(table?.textStartFrom).toBe("none");
    expect(table?.entryAt(1)).toBe(TEXT + 0x20);
  });

  it("skips a moduledata whose ftab length disagrees with nfunc, and falls back to the magic alone", () => {
    const table = readPclntab(buildElf({ little: true, ptrSize: 8 }, { layout: "ver120", ftabLength: 7, storedTextStart: TEXT }));
    expect(table?.foundIn).toBe("segment scan");
    expect(table?.textStartFrom).toBe("pcHeader");
    expect(table?.entryAt(1)).toBe(TEXT + 0x20);
  });

  it("skips a moduledata whose text is above its first function", () => {
    const table = readPclntab(buildElf({ little: true, ptrSize: 8 }, { layout: "ver120", text: TEXT + 0x100, storedTextStart: TEXT }));
    expect(table?.foundIn).toBe("segment scan");
  });

  it("says it cannot tell the text start when nothing gives it (Go 1.26+ header, no moduledata, no sections)", () => {
    const elf = buildElf({ little: true, ptrSize: 8 }, { layout: "ver120", withoutModuledata: true });
    expect(() => readPclntab(elf)).toThrow(expect.objectContaining({ kind: "unsupported", message: expect.stringMatching(/cannot tell where text starts/) }));
  });

  it("finds nothing in a binary without a pclntab", () => {
    const b = new ByteBuilder(true);
    b.u8(0x7f).u8(0x45).u8(0x4c).u8(0x46).u8(ELFCLASS64).u8(ELFDATA2LSB).u8(1).zeros(9);
    b.u16(ET_EXEC).u16(EM_X86_64).u32(1).u64(0).u64(0).u64(0).u32(0).u16(64).u16(56).u16(0).u16(64).u16(0).u16(0);
    expect(readPclntab(ElfFile.open(memorySource(b.build(), "empty")))).toBeUndefined();
  });
});
