import { ByteCursor } from "../bytes/cursor.js";
import { u64ToSafeNumber } from "../bytes/u64.js";
import type { ElfFile } from "../elf/elf-file.js";
import { PF_W, PT_LOAD } from "../elf/program-headers.js";
import type { PclntabHeader } from "./pclntab.js";

/**
 * The fields of the runtime's `moduledata` (runtime/symtab.go) that say where the pclntab and the
 * text are, as the linker wrote them into `runtime.firstmoduledata`.
 */
export interface Moduledata {
  /** Virtual address of the moduledata itself. */
  readonly address: number;
  /** Virtual address of the pclntab header the moduledata points at. */
  readonly pcHeader: number;
  /** `runtime.text`: the base that Go 1.18+ functab entries are offsets from (runtime.textAddr). */
  readonly text: number;
  readonly etext: number;
  /** Entry of the first function and end of the last one. */
  readonly minpc: number;
  readonly maxpc: number;
}

/**
 * Word index of each field we read, per pclntab layout; a slice is three words (ptr, len, cap).
 * The layout (from the pclntab magic the first word points at) is what gates the field order:
 *   ver12 (Go 1.2–1.15): pclntable, ftab, filetab, findfunctab, minpc, maxpc, text, etext (go1.15 runtime/symtab.go)
 *   ver116+ (Go 1.16–1.27): pcHeader, funcnametab, cutab, filetab, pctab, pclntable, ftab, findfunctab,
 *   minpc, maxpc, text, etext (go1.22/1.27 runtime/symtab.go; later fields moved, these did not)
 */
const FIELDS_VER12 = { words: 14, pclntable: 0, ftab: 3, filetab: 6, minpc: 10, maxpc: 11, text: 12, etext: 13 } as const;
const FIELDS_VER116 = {
  words: 24,
  pcHeader: 0,
  funcnametab: 1,
  cutab: 4,
  filetab: 7,
  pctab: 10,
  pclntable: 13,
  ftab: 16,
  minpc: 20,
  maxpc: 21,
  text: 22,
  etext: 23,
} as const;

/** Bytes of the moduledata prefix we read, for a pclntab layout and pointer size. */
function prefixSize(header: PclntabHeader): number {
  return (header.layout === "ver12" ? FIELDS_VER12.words : FIELDS_VER116.words) * header.ptrSize;
}

/**
 * Decodes the moduledata at `pos` in `c` (which sits at virtual address `address`) and checks it
 * against the pclntab `header` found at `headerAddress`: the first word points at the header,
 * every slice into the pclntab starts where the header says and has cap = len, ftab has
 * nfunc+1 entries, and text ≤ minpc ≤ maxpc ≤ etext. Returns undefined when anything disagrees,
 * so that a scan can move on; never throws for bytes that merely are not a moduledata.
 */
function readModuledata(c: ByteCursor, pos: number, address: number, header: PclntabHeader, headerAddress: number): Moduledata | undefined {
  const size = header.ptrSize;
  if (pos < 0 || pos > c.length - prefixSize(header)) return undefined;
  // Words above 2^53 cannot be addresses we know; u64At would throw for them.
  const word = (index: number): number | undefined => readWord(c, pos + index * size, size);
  const isSlice = (index: number, ptr: number, len?: number): boolean => {
    const sliceLen = word(index + 1);
    return word(index) === ptr && sliceLen !== undefined && word(index + 2) === sliceLen && (len === undefined || sliceLen === len);
  };
  const fields = header.layout === "ver12" ? FIELDS_VER12 : FIELDS_VER116;
  const isConsistent =
    header.layout === "ver12"
      ? isSlice(FIELDS_VER12.pclntable, headerAddress) &&
        isSlice(FIELDS_VER12.ftab, headerAddress + header.functabOffset, header.funcCount + 1) &&
        isSlice(FIELDS_VER12.filetab, headerAddress + header.filetabOffset)
      : word(FIELDS_VER116.pcHeader) === headerAddress &&
        isSlice(FIELDS_VER116.funcnametab, headerAddress + header.funcnameOffset) &&
        isSlice(FIELDS_VER116.cutab, headerAddress + header.cuOffset) &&
        isSlice(FIELDS_VER116.filetab, headerAddress + header.filetabOffset) &&
        isSlice(FIELDS_VER116.pctab, headerAddress + header.pctabOffset) &&
        isSlice(FIELDS_VER116.pclntable, headerAddress + header.functabOffset) &&
        isSlice(FIELDS_VER116.ftab, headerAddress + header.functabOffset, header.funcCount + 1);
  if (!isConsistent) return undefined;
  const text = word(fields.text);
  const etext = word(fields.etext);
  const minpc = word(fields.minpc);
  const maxpc = word(fields.maxpc);
  if (text === undefined || etext === undefined || minpc === undefined || maxpc === undefined) return undefined;
  if (text === 0 || text > minpc || minpc > maxpc || maxpc > etext) return undefined;
  return { address, pcHeader: headerAddress, text, etext, minpc, maxpc };
}

/**
 * Finds the moduledata describing the pclntab whose header is at `headerAddress`: through the
 * `runtime.firstmoduledata` symbol when .symtab exists, otherwise by scanning the writable
 * PT_LOAD segments for a pointer-aligned word equal to `headerAddress` that starts a consistent
 * moduledata (see readModuledata). Undefined when none is consistent, which would happen if a
 * linker left the words to dynamic relocations; Go's internal linker writes the addresses even in
 * a PIE (Go 1.15–1.27, test/pclntab-nm.test.ts).
 */
export function findModuledata(elf: ElfFile, header: PclntabHeader, headerAddress: number): Moduledata | undefined {
  const size = header.ptrSize;
  const symbol = elf.symbols()?.findByName("runtime.firstmoduledata");
  if (symbol !== undefined) {
    const at = findLoadedRange(elf, symbol.value, prefixSize(header));
    if (at !== undefined) {
      const bytes = elf.source.read(at, prefixSize(header), "runtime.firstmoduledata");
      const found = readModuledata(new ByteCursor(bytes, header.isLittleEndian, { file: elf.name, base: at }), 0, symbol.value, header, headerAddress);
      if (found !== undefined) return found;
    }
  }
  for (const segment of elf.segments) {
    if (segment.type !== PT_LOAD || (segment.flags & PF_W) === 0 || segment.filesz === 0) continue;
    const bytes = elf.source.read(segment.offset, segment.filesz, "writable PT_LOAD segment");
    const c = new ByteCursor(bytes, header.isLittleEndian, { file: elf.name, base: segment.offset });
    const lo = headerAddress % 0x1_0000_0000;
    const hi = Math.floor(headerAddress / 0x1_0000_0000);
    const loAt = size === 8 && !header.isLittleEndian ? 4 : 0;
    const hiAt = 4 - loAt;
    for (let pos = (size - (segment.vaddr % size)) % size; pos + size <= c.length; pos += size) {
      if (c.u32At(pos + loAt) !== lo || (size === 8 && c.u32At(pos + hiAt) !== hi)) continue;
      const found = readModuledata(c, pos, segment.vaddr + pos, header, headerAddress);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The pointer-sized word at `pos`, or undefined when it is above 2^53−1 (no address of ours). */
function readWord(c: ByteCursor, pos: number, size: 4 | 8): number | undefined {
  if (size === 4) return c.u32At(pos, "moduledata word");
  const first = c.u32At(pos, "moduledata word");
  const second = c.u32At(pos + 4, "moduledata word");
  return c.isLittleEndian ? u64ToSafeNumber(first, second) : u64ToSafeNumber(second, first);
}

/** File offset of `length` bytes at `vaddr` when one PT_LOAD maps all of them from the file. */
function findLoadedRange(elf: ElfFile, vaddr: number, length: number): number | undefined {
  for (const s of elf.segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr - s.vaddr <= s.filesz - length) return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}
