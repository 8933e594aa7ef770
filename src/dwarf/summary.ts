import type { SectionCompression } from "../elf/compressed.js";
import type { ElfFile } from "../elf/elf-file.js";

/** Whether a binary has DWARF, which version its first unit says, and how the sections are stored. */
export interface DwarfSummary {
  readonly isPresent: boolean;
  /** Version of the first unit in .debug_info (Go writes one version for every unit). */
  readonly version: number | undefined;
  readonly compression: SectionCompression | undefined;
  /** The debug sections present, by their standard names (".debug_info", …). */
  readonly sections: readonly string[];
}

/**
 * Summarises a binary's DWARF from the section table and the first unit header only: enough for
 * `analyze`, without inflating the debug sections (Go compresses them; inflating costs more than
 * the rest of the command).
 */
export function readDwarfSummary(elf: ElfFile): DwarfSummary {
  const sections = elf.sections
    .filter((s) => s.name.startsWith(".debug_") || s.name.startsWith(".zdebug_"))
    .map((s) => (s.name.startsWith(".z") ? "." + s.name.slice(2) : s.name));
  const info = elf.findDebugSection(".debug_info");
  if (info === undefined) return { isPresent: false, version: undefined, compression: undefined, sections };
  // DWARF 5 §7.5.1.1: unit_length (4 bytes, or 0xffffffff + 8 bytes for 64-bit DWARF), then version.
  const head = elf.sectionPrefix(info, 14);
  const length32 = head.u32At(0, "unit_length");
  const version = head.u16At(length32 === 0xffff_ffff ? 12 : 4, "unit version");
  return { isPresent: true, version, compression: elf.compressionOf(info), sections };
}
