import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openFileSource } from "../src/bytes/byte-source.js";
import { ElfFile } from "../src/elf/elf-file.js";
import { SHT_NOBITS } from "../src/elf/section-headers.js";
import { STT_FUNC } from "../src/elf/symbols.js";
import { readelfGnuBuildId, readelfHeader, readelfSections, readelfSegments, readelfSymbols } from "./support/readelf.js";
import { buildSample, buildSampleForArch, requireToolchains } from "./support/samples.js";

// readelf's spelling of section types and flags (binutils readelf.c get_section_type_name).
const SECTION_TYPES: Record<string, number> = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8, REL: 9, DYNSYM: 11, INIT_ARRAY: 14, FINI_ARRAY: 15, PREINIT_ARRAY: 16, GROUP: 17, RELR: 19, GNU_ATTRIBUTES: 0x6ffffff5, GNU_HASH: 0x6ffffff6, VERSYM: 0x6fffffff, VERNEED: 0x6ffffffe, VERDEF: 0x6ffffffd, X86_64_UNWIND: 0x70000001, MIPS_ABIFLAGS: 0x7000002a, MIPS_REGINFO: 0x70000006, ARM_ATTRIBUTES: 0x70000003 };
const FLAG_BITS: Record<string, number> = { W: 0x1, A: 0x2, X: 0x4, M: 0x10, S: 0x20, I: 0x40, L: 0x80, O: 0x100, G: 0x200, T: 0x400, C: 0x800 };
const SEGMENT_TYPES: Record<string, number> = { NULL: 0, LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, PHDR: 6, TLS: 7, GNU_EH_FRAME: 0x6474e550, GNU_STACK: 0x6474e551, GNU_RELRO: 0x6474e552, GNU_PROPERTY: 0x6474e553 };
const MACHINES: Record<string, number> = { "Advanced Micro Devices X86-64": 62, AArch64: 183, "Intel 80386": 3, "IBM S/390": 22, "MIPS R3000": 8, ARM: 40, PowerPC64: 21 };

function compareWithReadelf(path: string): { sections: number; segments: number; symbols: number } {
  const elf = ElfFile.open(openFileSource(path));
  try {
    const header = readelfHeader(path);
    expect(elf.header.wordSize).toBe(header.class === "ELF64" ? 8 : 4);
    expect(elf.header.isLittleEndian).toBe(header.data.includes("little"));
    expect(elf.header.machine).toBe(MACHINES[header.machine]);
    expect(elf.header.entry).toBe(header.entry);
    expect(elf.isPositionIndependent).toBe(header.type.startsWith("DYN"));

    const sections = readelfSections(path);
    expect(elf.sections.length).toBe(sections.length);
    for (const want of sections) {
      const got = elf.sections[want.index];
      expect(got, `section ${want.index}`).toBeDefined();
      if (got === undefined) continue;
      const flags = [...want.flags].reduce((sum, letter) => sum | (FLAG_BITS[letter] ?? 0), 0);
      const expected = { name: want.name, // A type readelf names but this table does not know is not compared.
      type: SECTION_TYPES[want.type] ?? got.type, addr: want.addr, offset: want.offset, size: got.type === SHT_NOBITS ? 0 : want.size, flags, link: want.link, info: want.info, addralign: want.align, entsize: want.entsize };
      expect({ name: got.name, type: got.type, addr: got.addr, offset: got.offset, size: got.size, flags: got.flags & 0xfff, link: got.link, info: got.info, addralign: got.addralign, entsize: got.entsize }, `section ${want.name}`).toEqual(expected);
    }

    const segments = readelfSegments(path);
    expect(elf.segments.length).toBe(segments.length);
    segments.forEach((want, i) => {
      const got = elf.segments[i];
      const flags = (want.flags.includes("R") ? 4 : 0) | (want.flags.includes("W") ? 2 : 0) | (want.flags.includes("E") ? 1 : 0);
      // readelf shows only the R, W and E bits of p_flags.
      expect({ ...got, flags: (got?.flags ?? 0) & 7 }).toEqual({ type: SEGMENT_TYPES[want.type] ?? got?.type, flags, offset: want.offset, vaddr: want.vaddr, filesz: want.filesz, memsz: want.memsz, align: want.align });
    });

    const symtab = elf.symbols();
    const wantSymbols = readelfSymbols(path, ".symtab");
    if (symtab === undefined) {
      expect(wantSymbols).toEqual([]);
    } else {
      const got = [...symtab];
      expect(got.length).toBe(wantSymbols.length);
      got.forEach((s, i) => {
        const want = wantSymbols[i];
        expect({ name: s.name, value: s.value, size: s.size }).toEqual({ name: want?.name, value: want?.value, size: want?.size });
        expect(s.type === STT_FUNC).toBe(want?.type === "FUNC");
      });
      // Lookup by name finds the first symbol of that name, as the table order gives it.
      const firstFunc = got.find((s) => s.type === STT_FUNC && s.name !== "");
      if (firstFunc !== undefined) expect(symtab.findByName(firstFunc.name)?.value).toBe(firstFunc.value);
    }

    // Every function symbol inside a PT_LOAD maps to the offset of its byte in the section holding it.
    for (const s of symtab ?? []) {
      if (s.type !== STT_FUNC || s.value === 0) continue;
      const section = elf.sections[s.sectionIndex];
      // End markers (runtime.etext) sit one past their section: no byte of the file holds them.
      if (section === undefined || section.type === SHT_NOBITS || section.addr === 0 || s.value >= section.addr + section.size) continue;
      expect(elf.fileOffsetOf(s.value), s.name).toBe(section.offset + (s.value - section.addr));
    }

    expect(elf.gnuBuildId()).toBe(readelfGnuBuildId(path));
    return { sections: sections.length, segments: segments.length, symbols: wantSymbols.length };
  } finally {
    elf.close();
  }
}

describe("ELF reader agrees with readelf", () => {
  const toolchains = requireToolchains();

  it.each(["/bin/ls", "/usr/bin/readelf", "/usr/lib/x86_64-linux-gnu/libc.so.6"].filter((p) => existsSync(p)))("system binary %s", (path) => {
    compareWithReadelf(path);
  });

  it.each(toolchains.map((t) => [t.version, t] as const))("Go %s samples: default, pie, stripped, nocompress (amd64, arm64)", (_v, toolchain) => {
    for (const arch of ["amd64", "arm64"] as const) {
      for (const flags of ["default", "pie", "stripped", "nocompress"] as const) compareWithReadelf(buildSample("calls", toolchain, arch, flags));
    }
  });

  it("32-bit and big-endian Go binaries (386, mips, s390x)", () => {
    const newest = toolchains[toolchains.length - 1];
    if (newest === undefined) return;
    for (const goarch of ["386", "mips", "s390x"]) {
      compareWithReadelf(buildSampleForArch("calls", newest, goarch));
    }
  });
});
