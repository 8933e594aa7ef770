import type { ByteSource } from "../bytes/byte-source.js";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";

// ELF gABI, "ELF Header" (System V ABI, ch. 4).
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_386 = 3;
export const EM_MIPS = 8;
export const EM_PPC64 = 21;
export const EM_S390 = 22;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;
export const EM_LOONGARCH = 258;
export const PN_XNUM = 0xffff;
export const SHN_XINDEX = 0xffff;

/** The file header of an ELF object: class, byte order, type, machine and table positions. */
export interface ElfHeader {
  readonly wordSize: 4 | 8;
  readonly isLittleEndian: boolean;
  /** e_type: ET_EXEC for a fixed-address executable, ET_DYN for PIE (and shared objects). */
  readonly type: number;
  readonly machine: number;
  readonly entry: number;
  readonly phoff: number;
  readonly phentsize: number;
  /** Program header count as written; PN_XNUM (0xffff) means "read it from section 0". */
  readonly phnumRaw: number;
  readonly shoff: number;
  readonly shentsize: number;
  /** Section header count as written; 0 with shoff ≠ 0 means "read it from section 0". */
  readonly shnumRaw: number;
  /** Section name table index as written; SHN_XINDEX means "read it from section 0". */
  readonly shstrndxRaw: number;
}

/** Reads and checks the ELF file header; a file that is not ELF is a `not-elf` error. */
export function readElfHeader(source: ByteSource): ElfHeader {
  const file = source.name;
  if (source.size < 16) {
    throw new GoxrayError("not-elf", { file }, source.size === 0 ? "empty file, not an ELF binary" : `${source.size} bytes, too short for an ELF header`);
  }
  const ident = source.read(0, 16, "ELF identification");
  if (ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
    throw new GoxrayError("not-elf", { file }, "not an ELF binary (no \\x7fELF magic)");
  }
  const elfClass = ident[4];
  const data = ident[5];
  if (elfClass !== ELFCLASS32 && elfClass !== ELFCLASS64) {
    throw new GoxrayError("malformed", { file, offset: 4 }, `ELF header: unknown class ${elfClass}`);
  }
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
    throw new GoxrayError("malformed", { file, offset: 5 }, `ELF header: unknown data encoding ${data}`);
  }
  const wordSize = elfClass === ELFCLASS64 ? 8 : 4;
  const headerSize = wordSize === 8 ? 64 : 52;
  if (source.size < headerSize) {
    throw new GoxrayError("malformed", { file, offset: 16 }, `ELF header: needs ${headerSize} bytes, file has ${source.size}`);
  }
  const c = new ByteCursor(source.read(0, headerSize, "ELF header"), data === ELFDATA2LSB, { file, base: 0 });
  c.seek(16);
  const type = c.u16("e_type");
  const machine = c.u16("e_machine");
  c.u32("e_version");
  const entry = c.word(wordSize, "e_entry");
  const phoff = c.word(wordSize, "e_phoff");
  const shoff = c.word(wordSize, "e_shoff");
  c.u32("e_flags");
  c.u16("e_ehsize");
  const phentsize = c.u16("e_phentsize");
  const phnumRaw = c.u16("e_phnum");
  const shentsize = c.u16("e_shentsize");
  const shnumRaw = c.u16("e_shnum");
  const shstrndxRaw = c.u16("e_shstrndx");
  return { wordSize, isLittleEndian: data === ELFDATA2LSB, type, machine, entry, phoff, phentsize, phnumRaw, shoff, shentsize, shnumRaw, shstrndxRaw };
}

/** GOARCH name for an ELF machine, or undefined when Go has no port for it. */
export function goArchOf(header: ElfHeader): string | undefined {
  switch (header.machine) {
    case EM_X86_64:
      return "amd64";
    case EM_AARCH64:
      return "arm64";
    case EM_386:
      return "386";
    case EM_ARM:
      return "arm";
    case EM_PPC64:
      return header.isLittleEndian ? "ppc64le" : "ppc64";
    case EM_S390:
      return "s390x";
    case EM_RISCV:
      return header.wordSize === 8 ? "riscv64" : undefined;
    case EM_LOONGARCH:
      return "loong64";
    case EM_MIPS:
      return header.wordSize === 8 ? (header.isLittleEndian ? "mips64le" : "mips64") : header.isLittleEndian ? "mipsle" : "mips";
    default:
      return undefined;
  }
}
