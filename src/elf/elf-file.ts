import type { ByteSource } from "../bytes/byte-source.js";
import { ByteCursor, decodeUtf8 } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { inflateSection, inflateSectionPrefix, type SectionCompression } from "./compressed.js";
import { ET_DYN, goArchOf, readElfHeader, type ElfHeader } from "./header.js";
import { NT_GNU_BUILD_ID, NT_GO_BUILDID, readNotes, type ElfNote } from "./notes.js";
import { PT_NOTE, fileOffsetOf, readProgramHeaders, type ElfSegment } from "./program-headers.js";
import { SHF_COMPRESSED, SHT_DYNSYM, SHT_NOBITS, SHT_NOTE, SHT_SYMTAB, readSectionHeaders, type ElfSection } from "./section-headers.js";
import { SymbolTable } from "./symbols.js";

/**
 * An opened ELF file: headers are read at open, section contents on first use and then cached
 * (inflated when compressed), so a command pays only for the sections it touches.
 */
export class ElfFile {
  readonly source: ByteSource;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  private readonly byName = new Map<string, ElfSection>();
  private readonly contents = new Map<number, Uint8Array>();
  private symtab: SymbolTable | null | undefined;

  private constructor(source: ByteSource) {
    this.source = source;
    this.header = readElfHeader(source);
    this.sections = readSectionHeaders(source, this.header);
    this.segments = readProgramHeaders(source, this.header, this.sections);
    for (const s of this.sections) if (s.name !== "" && !this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  /** Reads the headers of the ELF file behind `source`. */
  static open(source: ByteSource): ElfFile {
    return new ElfFile(source);
  }

  get name(): string {
    return this.source.name;
  }

  /** GOARCH for the machine, or undefined for machines Go has no port for. */
  get goArch(): string | undefined {
    return goArchOf(this.header);
  }

  /** ET_DYN: position-independent (a PIE executable, or a shared object). */
  get isPositionIndependent(): boolean {
    return this.header.type === ET_DYN;
  }

  findSection(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /**
   * A DWARF section by its standard name (".debug_info"), also when Go ≤ 1.18 wrote it as
   * ".zdebug_info".
   */
  findDebugSection(name: string): ElfSection | undefined {
    return this.byName.get(name) ?? this.byName.get(".z" + name.slice(1));
  }

  compressionOf(section: ElfSection): SectionCompression {
    if ((section.flags & SHF_COMPRESSED) !== 0) return "zlib";
    if (section.name.startsWith(".zdebug_")) return "zdebug";
    return "none";
  }

  /** A cursor over a section's contents, inflated if compressed; offsets in errors are section-relative. */
  sectionCursor(section: ElfSection): ByteCursor {
    let bytes = this.contents.get(section.index);
    const compression = this.compressionOf(section);
    if (bytes === undefined) {
      const raw = this.rawSection(section);
      bytes = compression === "none" ? raw : inflateSection(this.rawCursor(section, raw), compression, this.header.wordSize);
      this.contents.set(section.index, bytes);
    }
    return new ByteCursor(bytes, this.header.isLittleEndian, { file: this.name, section: section.name, base: 0, isDecompressed: compression !== "none" });
  }

  /** The first `want` bytes of a section (fewer if it is shorter), inflating only as far as needed. */
  sectionPrefix(section: ElfSection, want: number): ByteCursor {
    const cached = this.contents.get(section.index);
    const compression = this.compressionOf(section);
    let bytes: Uint8Array;
    if (cached !== undefined) bytes = cached.subarray(0, want);
    else if (compression === "none") bytes = this.source.read(section.offset, Math.min(want, section.size), section.name);
    else bytes = inflateSectionPrefix(this.rawCursor(section, this.rawSection(section)), compression, this.header.wordSize, want);
    return new ByteCursor(bytes, this.header.isLittleEndian, { file: this.name, section: section.name, base: 0, isDecompressed: compression !== "none" });
  }

  /** The .symtab, or undefined when the binary was stripped of it (go build -ldflags=-s). */
  symbols(): SymbolTable | undefined {
    if (this.symtab === undefined) this.symtab = this.readSymbolTable(SHT_SYMTAB) ?? null;
    return this.symtab ?? undefined;
  }

  /** The .dynsym, present in dynamically linked (cgo, external link) binaries. */
  dynamicSymbols(): SymbolTable | undefined {
    return this.readSymbolTable(SHT_DYNSYM);
  }

  /** File offset holding virtual address `vaddr`, or undefined when no PT_LOAD maps it from the file. */
  fileOffsetOf(vaddr: number): number | undefined {
    return fileOffsetOf(this.segments, vaddr);
  }

  /** `length` bytes at virtual address `vaddr`, read through the segment that maps them. */
  readAtAddress(vaddr: number, length: number, what: string): Uint8Array {
    const offset = this.fileOffsetOf(vaddr);
    const end = length === 0 ? offset : this.fileOffsetOf(vaddr + length - 1);
    if (offset === undefined || end === undefined || end - offset !== Math.max(0, length - 1)) {
      // The program header table is what fails to map it: the error points there.
      throw new GoxrayError("malformed", { file: this.name, offset: this.header.phoff }, `${what}: address 0x${vaddr.toString(16)} (+0x${length.toString(16)}) is not mapped from the file by any PT_LOAD segment of the program header table`);
    }
    return this.source.read(offset, length, what);
  }

  /** Every note in SHT_NOTE sections, or in PT_NOTE segments when section headers are gone. */
  notes(): ElfNote[] {
    const notes: ElfNote[] = [];
    const noteSections = this.sections.filter((s) => s.type === SHT_NOTE);
    if (noteSections.length > 0) {
      for (const s of noteSections) notes.push(...readNotes(this.sectionCursor(s)));
      return notes;
    }
    for (const seg of this.segments) {
      if (seg.type !== PT_NOTE) continue;
      const bytes = this.source.read(seg.offset, seg.filesz, "PT_NOTE segment");
      notes.push(...readNotes(new ByteCursor(bytes, this.header.isLittleEndian, { file: this.name, base: seg.offset })));
    }
    return notes;
  }

  /** GNU build id as hex (readelf -n), present when an external linker ran. */
  gnuBuildId(): string | undefined {
    const note = this.notes().find((n) => n.owner === "GNU" && n.type === NT_GNU_BUILD_ID);
    return note === undefined ? undefined : Buffer.from(note.desc.buffer, note.desc.byteOffset, note.desc.byteLength).toString("hex");
  }

  /** Go's build id (go tool buildid), from the linker's "Go" note. */
  goBuildId(): string | undefined {
    const note = this.notes().find((n) => n.owner === "Go" && n.type === NT_GO_BUILDID);
    return note === undefined ? undefined : decodeUtf8(note.desc);
  }

  close(): void {
    this.source.close();
  }

  private rawSection(section: ElfSection): Uint8Array {
    if (section.type === SHT_NOBITS) return new Uint8Array(0);
    return this.source.read(section.offset, section.size, section.name);
  }

  private rawCursor(section: ElfSection, raw: Uint8Array): ByteCursor {
    return new ByteCursor(raw, this.header.isLittleEndian, { file: this.name, section: section.name, base: 0 });
  }

  private readSymbolTable(type: number): SymbolTable | undefined {
    const table = this.sections.find((s) => s.type === type);
    if (table === undefined) return undefined;
    const names = this.sections[table.link];
    if (names === undefined) {
      throw new GoxrayError("malformed", { file: this.name, offset: table.headerOffset }, `section ${table.name}: sh_link ${table.link} names no string table`);
    }
    return new SymbolTable(this.sectionCursor(table), this.sectionCursor(names), this.header.wordSize);
  }
}
