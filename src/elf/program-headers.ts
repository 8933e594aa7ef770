import type { ByteSource } from "../bytes/byte-source.js";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { PN_XNUM, type ElfHeader } from "./header.js";
import type { ElfSection } from "./section-headers.js";

// ELF gABI, "Program Header".
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

/** One program header (segment). */
export interface ElfSegment {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
}

/** Reads the program header table; each segment's file range is checked against the file size. */
export function readProgramHeaders(source: ByteSource, header: ElfHeader, sections: readonly ElfSection[]): ElfSegment[] {
  const file = source.name;
  if (header.phoff === 0) return [];
  const count = header.phnumRaw === PN_XNUM ? (sections[0]?.info ?? 0) : header.phnumRaw;
  const entrySize = header.wordSize === 8 ? 56 : 32;
  if (count === 0) return [];
  if (header.phentsize !== entrySize) {
    throw new GoxrayError("malformed", { file, offset: header.wordSize === 8 ? 0x36 : 0x2a }, `ELF header: e_phentsize ${header.phentsize}, expected ${entrySize}`);
  }
  if (header.phoff > source.size || count * entrySize > source.size - header.phoff) {
    throw new GoxrayError("malformed", { file, offset: header.wordSize === 8 ? 0x20 : 0x1c }, `ELF header: ${count} program headers at 0x${header.phoff.toString(16)} run past the end of the file (size 0x${source.size.toString(16)})`);
  }
  const c = new ByteCursor(source.read(header.phoff, count * entrySize, "program header table"), header.isLittleEndian, { file, base: header.phoff });
  const segments: ElfSegment[] = [];
  for (let i = 0; i < count; i++) {
    const at = c.offset;
    let segment: ElfSegment;
    if (header.wordSize === 8) {
      const type = c.u32("p_type");
      const flags = c.u32("p_flags");
      const offset = c.u64("p_offset");
      const vaddr = c.u64("p_vaddr");
      c.u64("p_paddr");
      const filesz = c.u64("p_filesz");
      const memsz = c.u64("p_memsz");
      const align = c.u64("p_align");
      segment = { type, flags, offset, vaddr, filesz, memsz, align };
    } else {
      const type = c.u32("p_type");
      const offset = c.u32("p_offset");
      const vaddr = c.u32("p_vaddr");
      c.u32("p_paddr");
      const filesz = c.u32("p_filesz");
      const memsz = c.u32("p_memsz");
      const flags = c.u32("p_flags");
      const align = c.u32("p_align");
      segment = { type, flags, offset, vaddr, filesz, memsz, align };
    }
    if (segment.type === PT_LOAD && (segment.offset > source.size || segment.filesz > source.size - segment.offset)) {
      throw new GoxrayError("malformed", { file, offset: at }, `program header ${i}: PT_LOAD of 0x${segment.filesz.toString(16)} bytes at 0x${segment.offset.toString(16)} runs past the end of the file (size 0x${source.size.toString(16)})`);
    }
    segments.push(segment);
  }
  return segments;
}

/**
 * The file offset that holds virtual address `vaddr`, through the PT_LOAD segment containing it,
 * or undefined when no segment maps it from the file (unmapped, or in a segment's .bss tail).
 * uprobes are placed by file offset, and neither PIE nor non-PIE Go binaries have vaddr = offset.
 */
export function fileOffsetOf(segments: readonly ElfSegment[], vaddr: number): number | undefined {
  for (const s of segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) {
      return s.offset + (vaddr - s.vaddr);
    }
  }
  return undefined;
}
