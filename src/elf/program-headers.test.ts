import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PF_R, PF_X, PT_LOAD, fileOffsetOf, type ElfSegment } from "./program-headers.js";

const PT_NOTE = 4;

// Segments as a linker lays them out: increasing, non-overlapping addresses, each with a file part
// (filesz) and possibly a zero-filled tail (memsz > filesz, the .bss).
const layout = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 0x10000 }), filesz: fc.integer({ min: 0, max: 0x10000 }), bss: fc.integer({ min: 0, max: 0x1000 }), fileGap: fc.integer({ min: 0, max: 0x1000 }), isLoad: fc.boolean() }), { minLength: 1, maxLength: 6 })
  .chain((parts) =>
    fc.integer({ min: 0, max: 0x7fff_0000 }).map((base) => {
      const segments: ElfSegment[] = [];
      let vaddr = base;
      let offset = 0;
      for (const p of parts) {
        vaddr += p.gap;
        offset += p.fileGap;
        segments.push({ type: p.isLoad ? PT_LOAD : PT_NOTE, flags: PF_R | PF_X, offset, vaddr, filesz: p.filesz, memsz: p.filesz + p.bss, align: 0x1000 });
        vaddr += p.filesz + p.bss;
        offset += p.filesz;
      }
      return segments;
    }),
  );

describe("fileOffsetOf", () => {
  it("maps every address a PT_LOAD holds from the file to offset + (vaddr - p_vaddr), and nothing else", () => {
    fc.assert(
      fc.property(layout, fc.double({ min: 0, max: 1, noNaN: true }), (segments, at) => {
        for (const s of segments) {
          if (s.filesz > 0) {
            const delta = Math.floor(at * (s.filesz - 1));
            expect(fileOffsetOf(segments, s.vaddr + delta)).toBe(s.type === PT_LOAD ? s.offset + delta : undefined);
          }
          // The zero-filled tail and the first byte past the segment have no file bytes.
          if (s.memsz > s.filesz) expect(fileOffsetOf(segments, s.vaddr + s.filesz)).toBeUndefined();
        }
        const first = segments[0] as ElfSegment;
        if (first.vaddr > 0) expect(fileOffsetOf(segments, first.vaddr - 1)).toBeUndefined();
      }),
    );
  });

  it("maps Go's non-PIE text layout as readelf shows it (Go 1.22: vaddr 0x400000 at offset 0)", () => {
    const text: ElfSegment = { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x400000, filesz: 0x9b505, memsz: 0x9b505, align: 0x1000 };
    expect(fileOffsetOf([text], 0x481120)).toBe(0x81120);
  });
});
