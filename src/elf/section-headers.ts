import type { ByteSource } from "../bytes/byte-source.js";
import { ByteCursor, decodeUtf8 } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { SHN_XINDEX, type ElfHeader } from "./header.js";

// ELF gABI, "Sections".
const SHT_NULL = 0;
export const SHT_SYMTAB = 2;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_COMPRESSED = 0x800;

/** One section header, with its name resolved and its file range checked against the file size. */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  /** File offset of the section's bytes. */
  readonly offset: number;
  /** Size in the file (0 bytes occupied for SHT_NOBITS). */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** File offset of this section's header, for errors about it. */
  readonly headerOffset: number;
}

/** Reads the section header table and names; a binary with none (e_shoff = 0) gives []. */
export function readSectionHeaders(source: ByteSource, header: ElfHeader): ElfSection[] {
  const file = source.name;
  if (header.shoff === 0) return [];
  const entrySize = header.wordSize === 8 ? 64 : 40;
  if (header.shentsize !== entrySize) {
    throw new GoxrayError("malformed", { file, offset: header.wordSize === 8 ? 0x3a : 0x2e }, `ELF header: e_shentsize ${header.shentsize}, expected ${entrySize}`);
  }
  if (header.shoff > source.size - entrySize) {
    throw new GoxrayError("malformed", { file, offset: header.wordSize === 8 ? 0x28 : 0x20 }, `ELF header: section header table at 0x${header.shoff.toString(16)} is past the end of the file (size 0x${source.size.toString(16)})`);
  }
  // Section 0 carries the real count and name-table index when they do not fit in 16 bits.
  const first = readRawHeader(new ByteCursor(source.read(header.shoff, entrySize, "section header 0"), header.isLittleEndian, { file, base: header.shoff }), header.wordSize);
  const count = header.shnumRaw === 0 ? first.size : header.shnumRaw;
  const nameIndex = header.shstrndxRaw === SHN_XINDEX ? first.link : header.shstrndxRaw;
  if (!Number.isSafeInteger(count) || count > (source.size - header.shoff) / entrySize) {
    throw new GoxrayError("malformed", { file, offset: header.shoff }, `section header table: ${count} entries of ${entrySize} bytes at 0x${header.shoff.toString(16)} run past the end of the file (size 0x${source.size.toString(16)})`);
  }
  const table = new ByteCursor(source.read(header.shoff, count * entrySize, "section header table"), header.isLittleEndian, { file, base: header.shoff });
  const raws: RawSectionHeader[] = [];
  for (let i = 0; i < count; i++) {
    table.seek(i * entrySize);
    const raw = readRawHeader(table, header.wordSize);
    if (raw.type !== SHT_NOBITS && raw.type !== SHT_NULL && (raw.offset > source.size || raw.size > source.size - raw.offset)) {
      throw new GoxrayError("malformed", { file, offset: header.shoff + i * entrySize }, `section header ${i}: 0x${raw.size.toString(16)} bytes at 0x${raw.offset.toString(16)} run past the end of the file (size 0x${source.size.toString(16)})`);
    }
    raws.push(raw);
  }
  let names: ByteCursor | undefined;
  if (nameIndex !== 0) {
    const strtab = raws[nameIndex];
    if (strtab === undefined) {
      throw new GoxrayError("malformed", { file, offset: header.wordSize === 8 ? 0x3e : 0x32 }, `ELF header: section name table index ${nameIndex} is not below the section count ${count}`);
    }
    names = new ByteCursor(source.read(strtab.offset, strtab.size, "section name table"), header.isLittleEndian, { file, section: "section names", base: 0 });
  }
  return raws.map((raw, index) => ({
    index,
    name: names === undefined || (index === 0 && raw.name === 0) ? "" : decodeUtf8(names.cstringAt(raw.name, `name of section ${index}`)),
    type: raw.type,
    flags: raw.flags,
    addr: raw.addr,
    offset: raw.offset,
    size: raw.type === SHT_NOBITS ? 0 : raw.size,
    link: raw.link,
    info: raw.info,
    addralign: raw.addralign,
    entsize: raw.entsize,
    headerOffset: header.shoff + index * entrySize,
  }));
}

interface RawSectionHeader {
  name: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

function readRawHeader(c: ByteCursor, wordSize: 4 | 8): RawSectionHeader {
  const name = c.u32("sh_name");
  const type = c.u32("sh_type");
  const flags = c.word(wordSize, "sh_flags");
  const addr = c.word(wordSize, "sh_addr");
  const offset = c.word(wordSize, "sh_offset");
  const size = c.word(wordSize, "sh_size");
  const link = c.u32("sh_link");
  const info = c.u32("sh_info");
  const addralign = c.word(wordSize, "sh_addralign");
  const entsize = c.word(wordSize, "sh_entsize");
  return { name, type, flags, addr, offset, size, link, info, addralign, entsize };
}
