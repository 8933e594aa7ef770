import type { ByteCursor } from "../bytes/cursor.js";
import type { ElfFile } from "../elf/elf-file.js";
import { GoxrayError } from "../errors.js";

/** The DWARF sections goxray reads, by standard name. */
type DwarfSectionName =
  | ".debug_info"
  | ".debug_abbrev"
  | ".debug_str"
  | ".debug_line_str"
  | ".debug_str_offsets"
  | ".debug_addr"
  | ".debug_ranges"
  | ".debug_rnglists"
  | ".debug_loc"
  | ".debug_loclists"
  | ".debug_aranges"
  | ".debug_line";

/**
 * The debug_* sections of one binary, each looked up once and inflated on first use; Go 1.15's
 * `.zdebug_*` names are found under the standard names.
 */
export class DwarfSections {
  private readonly elf: ElfFile;
  private readonly cursors = new Map<DwarfSectionName, ByteCursor | null>();

  constructor(elf: ElfFile) {
    this.elf = elf;
  }

  get file(): string {
    return this.elf.name;
  }

  /** True when the binary has the section (without reading or inflating it). */
  has(name: DwarfSectionName): boolean {
    return this.elf.findDebugSection(name) !== undefined;
  }

  /**
   * The section's cursor, or undefined when the binary lacks it. One cursor per section is shared
   * by every reader: each seeks before it reads and none holds a position across another's read,
   * so no cursor (and DataView) is made per lookup on the hot path. .debug_info is the exception:
   * entry cursors hold positions, so `entryCursor` gives each walk its own.
   */
  find(name: DwarfSectionName): ByteCursor | undefined {
    let cursor = this.cursors.get(name);
    if (cursor === undefined) {
      const section = this.elf.findDebugSection(name);
      cursor = section === undefined ? null : this.elf.sectionCursor(section);
      this.cursors.set(name, cursor);
    }
    return cursor ?? undefined;
  }

  /** Like `find`, but a missing section is a `malformed` error naming what needed it. */
  get(name: DwarfSectionName, neededFor: string): ByteCursor {
    const cursor = this.find(name);
    // The section header table is where the section is missing: the error points there.
    if (cursor === undefined) throw new GoxrayError("malformed", { file: this.file, offset: this.elf.header.shoff }, `${neededFor} needs section ${name}, which the section header table lacks`);
    return cursor;
  }
}
