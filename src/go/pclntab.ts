import { ByteCursor, decodeUtf8 } from "../bytes/cursor.js";
import type { ElfFile } from "../elf/elf-file.js";
import { PT_LOAD } from "../elf/program-headers.js";
import { GoxrayError } from "../errors.js";
import {
  INLINED_CALL_NAME_AT,
  INLINED_CALL_PADDING,
  INLINED_CALL_PARENT_PC_AT,
  INLINED_CALL_SIZE,
  PCDATA_InlTreeIndex,
  funcdataInlTreeIndex,
  funcdataMemoryOf,
  inlinedCallLayoutOf,
  readInlinedCalls,
  type FuncdataMemory,
  type InlinedCallEntry,
  type InlinedCallLayout,
  type InlinedCallSite,
  type InlinedSite,
} from "./inline-tree.js";
import { findModuledata, type Moduledata } from "./moduledata.js";

// internal/abi/symtab.go (Go 1.27) PCLnTabMagic values; chosen so that no magic read in the
// other byte order is another magic, which is how the byte order is detected.
const Go12PCLnTabMagic = 0xfffffffb;
const Go116PCLnTabMagic = 0xfffffffa;
const Go118PCLnTabMagic = 0xfffffff0;
const Go120PCLnTabMagic = 0xfffffff1;

// internal/abi/symtab.go: the args size of an assembly function without a Go prototype.
const ArgsSizeUnknown = -0x8000_0000;

/** The checked pclntab header (runtime/symtab.go pcHeader), with every table offset relative to the header. */
export interface PclntabHeader {
  /**
   * The layout, named after the Go release that brought it, as debug/gosym names them:
   * ver12 Go 1.2–1.15, ver116 1.16–1.17, ver118 1.18–1.19, ver120 1.20 and later (by magic;
   * test/pclntab-nm.test.ts pins 1.15 ver12, 1.19 ver118, 1.22–1.27 ver120).
   */
  readonly layout: "ver12" | "ver116" | "ver118" | "ver120";
  /** Byte order of the table, from the magic. */
  readonly isLittleEndian: boolean;
  /** PC quantum ("minLC"): pc deltas in pc-value tables are multiplied by it (1 on x86, 4 on arm64). */
  readonly quantum: 1 | 2 | 4;
  readonly ptrSize: 4 | 8;
  readonly funcCount: number;
  /** Function names (NUL-terminated); ver12 has none of its own, names are offsets from the header. */
  readonly funcnameOffset: number;
  /** Per-CU file index → filetab offset table (ver116+; 0 for ver12). */
  readonly cuOffset: number;
  /** ver12: u32 count then u32 name offsets; ver116+: NUL-terminated file names. */
  readonly filetabOffset: number;
  /** Base of pc-value table offsets. */
  readonly pctabOffset: number;
  /** functab: funcCount (entry, funcoff) pairs then the end PC. */
  readonly functabOffset: number;
  /** Base of the funcoff offsets to `_func` records. */
  readonly funcdataOffset: number;
  /** Bytes of the functab's fields: u32 for ver118+, pointer-sized before. */
  readonly functabFieldSize: 4 | 8;
  /** ver118+: entries are u32 offsets from the text start; before, they are addresses. */
  readonly isTextRelative: boolean;
  /**
   * pcHeader.textStart as stored (ver118/ver120 only, else 0): runtime.text in Go 1.19–1.24,
   * 0 since Go 1.26 ("no longer stored", runtime/symtab.go); a last resort for the text start.
   */
  readonly storedTextStart: number;
}

type PclntabLayout = PclntabHeader["layout"];

/** Where `_func` fields sit, relative to the record, for one layout (runtime2.go `_func` per release). */
interface FuncRecordLayout {
  /** Size of the entry field that opens the record: uintptr before 1.18, u32 entryOff since. */
  readonly entrySize: number;
  readonly funcIdAt: number;
  /** Fixed part of the record, before the pcdata/funcdata arrays. */
  readonly size: number;
}

function funcRecordLayout(layout: PclntabLayout, ptrSize: 4 | 8): FuncRecordLayout {
  // Fields after the entry: nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata (u32 each),
  // then cuOffset (1.16+), startLine (1.20+), then funcID u8, flag u8 (pad in 1.16), pad, nfuncdata u8.
  switch (layout) {
    case "ver12":
      // Go 1.10–1.15 (funcID appeared in 1.10; older releases had an int32 nfuncdata here).
      return { entrySize: ptrSize, funcIdAt: ptrSize + 28, size: ptrSize + 32 };
    case "ver116":
      return { entrySize: ptrSize, funcIdAt: ptrSize + 32, size: ptrSize + 36 };
    case "ver118":
      return { entrySize: 4, funcIdAt: 36, size: 40 };
    case "ver120":
      return { entrySize: 4, funcIdAt: 40, size: 44 };
    default: {
      const never: never = layout;
      return never;
    }
  }
}

// Offsets of the u32 fields after the entry field of `_func`.
const FUNC_NAME_OFF = 0;
const FUNC_ARGS = 4;
const FUNC_NPCDATA = 24;
const FUNC_CU_OFFSET = 28;
/** The pc-value tables every `_func` has, by their field offset after the entry. */
const PC_TABLE_FIELD = { pcsp: 12, pcfile: 16, pcln: 20 } as const;

/**
 * Detects the layout from the magic and checks the header at the start of `c`: bytes 4 and 5
 * zero, quantum in {1,2,4}, pointer size in {4,8}, and every table offset and the functab
 * (nfunc × entry size) inside the `c.length` bytes available.
 */
function readPclntabHeader(c: ByteCursor): PclntabHeader {
  c.need(0, 8, "pclntab header");
  const b0 = c.u8At(0);
  const b1 = c.u8At(1);
  const b2 = c.u8At(2);
  const b3 = c.u8At(3);
  const leMagic = (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0;
  const beMagic = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  let layout: PclntabLayout | undefined;
  let isLittleEndian = true;
  for (const [magic, le] of [
    [leMagic, true],
    [beMagic, false],
  ] as const) {
    const found = layoutOfMagic(magic);
    if (found !== undefined) {
      layout = found;
      isLittleEndian = le;
      break;
    }
  }
  if (layout === undefined) {
    const magic = c.isLittleEndian ? leMagic : beMagic;
    // 0xffffff?? is the family every Go release has used; another member is a newer Go.
    if ((leMagic >>> 8 === 0xffffff && b0 >= 0xf0) || (beMagic >>> 8 === 0xffffff && b3 >= 0xf0)) {
      throw new GoxrayError("unsupported", placeOf(c, 0), `pclntab: magic 0x${magic.toString(16)} is not a layout goxray knows (newest: ver120 0x${Go120PCLnTabMagic.toString(16)})`);
    }
    throw c.error(`pclntab: unknown magic 0x${magic.toString(16)}`, 0);
  }
  const t = c.isLittleEndian === isLittleEndian ? c : new ByteCursor(c.bytes, isLittleEndian, c.place);
  for (const at of [4, 5]) {
    if (t.u8At(at) !== 0) throw t.error(`pclntab header: byte ${at} is 0x${t.u8At(at).toString(16)}, not zero`, at);
  }
  const quantum = t.u8At(6);
  if (quantum !== 1 && quantum !== 2 && quantum !== 4) throw t.error(`pclntab header: pc quantum ${quantum} is not 1, 2 or 4`, 6);
  const ptrSize = t.u8At(7);
  if (ptrSize !== 4 && ptrSize !== 8) throw t.error(`pclntab header: pointer size ${ptrSize} is not 4 or 8`, 7);
  const word = (index: number, what: string): number => t.wordAt(8 + index * ptrSize, ptrSize, what);
  const size = t.length;
  const funcCount = word(0, "pclntab header nfunc");
  const isTextRelative = layout === "ver118" || layout === "ver120";
  const functabFieldSize = isTextRelative ? 4 : ptrSize;
  // Offsets are checked only against the size; the linker writes them in ascending order but
  // nothing we read depends on it.
  const offset = (index: number, what: string): number => {
    const at = 8 + index * ptrSize;
    const value = word(index, `pclntab header ${what}`);
    if (value > size) throw t.error(`pclntab header: ${what} 0x${value.toString(16)} is past the end (0x${size.toString(16)} bytes)`, at);
    return value;
  };
  if (layout === "ver12") {
    // Go 1.2: nfunc, then the functab at once, then a u32 offset of the file table after it.
    const functabOffset = 8 + ptrSize;
    const functabSize = checkFunctab(t, funcCount, functabOffset, functabFieldSize);
    const filetabOffset = t.u32At(functabOffset + functabSize, "pclntab filetab offset");
    if (filetabOffset > size - 4) throw t.error(`pclntab: filetab offset 0x${filetabOffset.toString(16)} is past the end (0x${size.toString(16)} bytes)`, functabOffset + functabSize);
    const fileCount = t.u32At(filetabOffset, "pclntab nfiletab");
    if (fileCount > (size - filetabOffset) / 4) throw t.error(`pclntab: ${fileCount} filetab entries do not fit in 0x${(size - filetabOffset).toString(16)} bytes`, filetabOffset);
    return { layout, isLittleEndian, quantum, ptrSize, funcCount, funcnameOffset: 0, cuOffset: 0, filetabOffset, pctabOffset: 0, functabOffset, funcdataOffset: 0, functabFieldSize, isTextRelative, storedTextStart: 0 };
  }
  // nfunc, nfiles, [textStart: ver118+], then the offsets of funcnametab, cutab, filetab, pctab, functab.
  const first = isTextRelative ? 3 : 2;
  const functabOffset = offset(first + 4, "pclnOffset");
  const header: PclntabHeader = {
    layout,
    isLittleEndian,
    quantum,
    ptrSize,
    funcCount,
    funcnameOffset: offset(first, "funcnameOffset"),
    cuOffset: offset(first + 1, "cuOffset"),
    filetabOffset: offset(first + 2, "filetabOffset"),
    pctabOffset: offset(first + 3, "pctabOffset"),
    functabOffset,
    funcdataOffset: functabOffset,
    functabFieldSize,
    isTextRelative,
    storedTextStart: isTextRelative ? word(2, "pclntab header textStart") : 0,
  };
  checkFunctab(t, funcCount, functabOffset, functabFieldSize);
  return header;
}

function layoutOfMagic(magic: number): PclntabLayout | undefined {
  switch (magic) {
    case Go12PCLnTabMagic:
      return "ver12";
    case Go116PCLnTabMagic:
      return "ver116";
    case Go118PCLnTabMagic:
      return "ver118";
    case Go120PCLnTabMagic:
      return "ver120";
    default:
      return undefined;
  }
}

/** Throws unless nfunc (entry, funcoff) pairs and the end PC fit at `at`; returns their size. */
function checkFunctab(c: ByteCursor, funcCount: number, at: number, fieldSize: number): number {
  const bytes = (2 * funcCount + 1) * fieldSize;
  if (at > c.length || bytes > c.length - at) {
    throw c.error(`pclntab: functab of ${funcCount} functions needs 0x${bytes.toString(16)} bytes at 0x${at.toString(16)}, 0x${Math.max(0, c.length - at).toString(16)} left`, 8);
  }
  return bytes;
}

function placeOf(c: ByteCursor, pos: number): { file: string; section?: string; offset: number } {
  return c.place.section === undefined
    ? { file: c.place.file, offset: c.place.base + pos }
    : { file: c.place.file, section: c.place.section, offset: c.place.base + pos };
}

/**
 * The value a pc-value table (pcsp, pcfile, pcln, pcdata) gives `targetPc`, or undefined when the
 * table ends first. The table at `pos` is a sequence of (value delta, pc delta) pairs: a zig-zag
 * uvarint added to the value (starting at −1), then a uvarint × `quantum` added to the pc
 * (starting at `entry`); each value holds up to the new pc. A value delta of 0 ends the table,
 * except while the pc is still at `entry` (debug/gosym `step`, runtime `pcvalue`).
 */
function readPcValue(c: ByteCursor, pos: number, entry: number, quantum: number, targetPc: number): number | undefined {
  if (targetPc < entry) return undefined;
  c.seek(pos);
  let value = -1;
  let pc = entry;
  while (targetPc >= pc) {
    const start = c.pos;
    const uvdelta = c.uleb("pc-value table value delta");
    if (uvdelta === 0 && pc !== entry) return undefined;
    const pcdelta = c.uleb("pc-value table pc delta");
    // Go decodes both as uint32; anything wider is not a table Go wrote.
    if (uvdelta > 0xffff_ffff || pcdelta > 0xffff_ffff) throw c.error("pc-value table: delta wider than 32 bits", start);
    // Zig-zag, then int32 arithmetic as in Go.
    value = (value + (uvdelta % 2 === 1 ? -(uvdelta - 1) / 2 - 1 : uvdelta / 2)) | 0;
    pc += pcdelta * quantum;
  }
  return value;
}

/**
 * Calls `visit(low, high, value)` for each run of a pc-value table, in PC order, as readPcValue
 * steps through it (runtime `step`: a value delta of 0 ends the table except on the first step),
 * stopping at the table's end or at `end`.
 */
function scanPcValueRuns(c: ByteCursor, pos: number, entry: number, end: number, quantum: number, visit: (low: number, high: number, value: number) => void): void {
  c.seek(pos);
  let value = -1;
  let pc = entry;
  for (let isFirst = true; pc < end; isFirst = false) {
    const start = c.pos;
    const uvdelta = c.uleb("pc-value table value delta");
    if (uvdelta === 0 && !isFirst) return;
    const pcdelta = c.uleb("pc-value table pc delta");
    if (uvdelta > 0xffff_ffff || pcdelta > 0xffff_ffff) throw c.error("pc-value table: delta wider than 32 bits", start);
    value = (value + (uvdelta % 2 === 1 ? -(uvdelta - 1) / 2 - 1 : uvdelta / 2)) | 0;
    const next = Math.min(end, pc + pcdelta * quantum);
    if (next > pc) visit(pc, next, value);
    pc = next;
  }
}

/** Function i's PCDATA_InlTreeIndex runs and where its FUNCDATA_InlTree entries are. */
interface InlineTable {
  readonly entry: number;
  /** Runs of the index table as [low, high, value] triples, in PC order. */
  readonly runs: readonly number[];
  /** Entries: one more than the largest index the table names. */
  readonly count: number;
  readonly c: ByteCursor;
  readonly pos: number;
}

/** Where the inline trees of every function are, by inlined function name; built on first use. */
interface InlineIndex {
  /** Name → (function index, tree index) pairs, flattened. */
  readonly byName: ReadonlyMap<string, readonly number[]>;
  /** Each caller's inlinedSites, filled as asked for. */
  readonly sitesByCaller: Map<number, InlinedSite[]>;
}

/** The value of the run holding `pc` in [low, high, value] triples sorted by PC, or −1 when none does. */
function valueOfRunAt(runs: readonly number[], pc: number): number {
  let lo = 0;
  let hi = runs.length / 3 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const low = runs[3 * mid] ?? 0;
    const high = runs[3 * mid + 1] ?? 0;
    if (pc < low) hi = mid - 1;
    else if (pc >= high) lo = mid + 1;
    else return runs[3 * mid + 2] ?? -1;
  }
  return -1;
}

/** Two flattened (function, tree index) pair lists merged in order. */
function mergePairs(a: readonly number[], b: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (const list of [a, b]) for (let p = 0; p + 1 < list.length; p += 2) pairs.push([list[p] ?? 0, list[p + 1] ?? 0]);
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return pairs.flat();
}

/**
 * Name lookups answered by a scan before an index of every name is built: `check` and `trace`
 * ask for a handful of names, `funcs` on a binary without DWARF asks for every one.
 */
const SEARCHES_BEFORE_INDEX = 16;

const utf8Encoder = new TextEncoder();
const encodeUtf8 = (text: string): Uint8Array => utf8Encoder.encode(text);

/** Where the Go 1.18+ text start came from; see resolveTextStart. */
type TextStartSource = "moduledata" | "runtime.text" | ".text" | "pcHeader" | "none";

/**
 * A decoded pclntab: the function table, with names, sizes and positions decoded when asked.
 * Holds one cursor over the table and two caches (name → index, and whether the functab is sorted).
 */
export class Pclntab {
  /** The checked header: layout, sizes and table offsets. */
  readonly header: PclntabHeader;
  /** Virtual address of the header, or undefined for bytes not mapped from a binary. */
  readonly address: number | undefined;
  /** Base that ver118/ver120 functab entries are offsets from (0 for older layouts). */
  readonly textStart: number;
  /**
   * Where the table was found: its section's name, "runtime.firstmoduledata" (by symbol),
   * "moduledata" (by magic, confirmed by a moduledata in a writable segment) or "segment scan".
   */
  readonly foundIn: string;
  /** Which source gave `textStart` (see readPclntab); "none" for layouts that need none. */
  readonly textStartFrom: TextStartSource;
  private readonly c: ByteCursor;
  private readonly func: FuncRecordLayout;
  private byName: Map<string, number> | undefined;
  private isSortChecked = false;
  private readonly funcdataMemory: FuncdataMemory | undefined;
  private gofunc: number | undefined;
  private inlineIndex: InlineIndex | undefined;
  private nameSearches = 0;
  private inlineSearches = 0;

  /**
   * Reads and checks the header at the start of `c`, which may run past the table's end (a
   * segment's rest). `textStart` is the base of ver118/ver120 entries and is ignored for older layouts.
   */
  constructor(c: ByteCursor, textStart: number, where: { address?: number; foundIn?: string; textStartFrom?: TextStartSource; funcdata?: FuncdataMemory } = {}) {
    this.header = readPclntabHeader(c);
    this.c = c.isLittleEndian === this.header.isLittleEndian ? c : new ByteCursor(c.bytes, this.header.isLittleEndian, c.place);
    this.textStart = this.header.isTextRelative ? textStart : 0;
    this.address = where.address;
    this.foundIn = where.foundIn ?? c.place.section ?? `offset 0x${c.place.base.toString(16)}`;
    this.textStartFrom = where.textStartFrom ?? "none";
    this.func = funcRecordLayout(this.header.layout, this.header.ptrSize);
    this.funcdataMemory = where.funcdata;
  }

  /** The layout, named after the Go release that brought it. */
  get layout(): PclntabHeader["layout"] {
    return this.header.layout;
  }
  /** The PC quantum: 1 on x86, 2 on s390x, 4 on arm64, mips, ppc64, riscv64. */
  get quantum(): 1 | 2 | 4 {
    return this.header.quantum;
  }
  /** Pointer size of the target, 4 or 8. */
  get ptrSize(): 4 | 8 {
    return this.header.ptrSize;
  }
  /** Number of functions in the functab. */
  get funcCount(): number {
    return this.header.funcCount;
  }

  /** Entry PC (absolute virtual address) of function `i`. */
  entryAt(i: number): number {
    this.checkIndex(i);
    return this.pcField(2 * i);
  }

  /** End PC of function `i`: the next function's entry, or the functab's final end PC. */
  endAt(i: number): number {
    this.checkIndex(i);
    return this.pcField(2 * i + 2);
  }

  /** Full Go name of function `i` ("main.(*T).Sum"), decoded from the name table on each call. */
  nameAt(i: number): string {
    const at = this.funcFieldAt(i, FUNC_NAME_OFF);
    const nameOff = this.c.i32At(at, "_func nameOff");
    if (nameOff < 0) throw this.c.error(`_func nameOff ${nameOff} is negative`, at);
    return decodeUtf8(this.c.cstringAt(this.header.funcnameOffset + nameOff, "function name"));
  }

  /**
   * `_func.args` as the compiler wrote it, or undefined for ArgsSizeUnknown (assembly without a
   * Go prototype). Under the stack ABI it is the bytes of arguments and results; under the
   * register ABI only the arguments, laid out as ABI0 would (main.SignedInts(int8, int16, int32,
   * int64, int) int64: 32 with Go 1.15, 24 with 1.19–1.27, amd64 and arm64; test/pclntab-nm.test.ts).
   */
  argsSizeAt(i: number): number | undefined {
    const args = this.c.i32At(this.funcFieldAt(i, FUNC_ARGS), "_func args");
    return args === ArgsSizeUnknown ? undefined : args;
  }

  /** The raw funcID byte (abi.FuncID); its values are renumbered between releases. */
  funcIdAt(i: number): number {
    return this.c.u8At(this.funcRecordAt(i) + this.func.funcIdAt, "_func funcID");
  }

  /**
   * The value function `i`'s pcsp (SP offset), pcfile (file index) or pcln (line) table gives
   * `pc`, or undefined when the function has no such table or `pc` is past its end.
   */
  pcValueAt(i: number, table: keyof typeof PC_TABLE_FIELD, pc: number): number | undefined {
    const offset = this.c.u32At(this.funcFieldAt(i, PC_TABLE_FIELD[table]), "_func pc-value table offset");
    // Offset 0 means "no table" (runtime pcvalue).
    if (offset === 0) return undefined;
    return readPcValue(this.c, this.header.pctabOffset + offset, this.entryAt(i), this.header.quantum, pc);
  }

  /**
   * File and line of function `i` at its entry PC, from its pcfile and pcln tables; undefined when
   * it has no tables or the file is unnamed.
   */
  fileLineAt(i: number, pc = this.entryAt(i)): { readonly file: string; readonly line: number } | undefined {
    const fileIndex = this.pcValueAt(i, "pcfile", pc);
    const line = this.pcValueAt(i, "pcln", pc);
    if (fileIndex === undefined || line === undefined) return undefined;
    const file = this.fileNameAt(i, fileIndex);
    return file === undefined ? undefined : { file, line };
  }

  /** The name of file `fileIndex` as function `i`'s pcfile table numbers it, or undefined when it names none. */
  private fileNameAt(i: number, fileIndex: number): string | undefined {
    const c = this.c;
    const h = this.header;
    let nameAt: number;
    if (h.layout === "ver12") {
      // Entry 0 of the 1.2 file table holds the count, so 0 names no file.
      const count = c.u32At(h.filetabOffset, "pclntab nfiletab");
      if (fileIndex <= 0 || fileIndex >= count) return undefined;
      nameAt = c.u32At(h.filetabOffset + 4 * fileIndex, "pclntab filetab entry");
    } else {
      if (fileIndex < 0) return undefined;
      const cu = c.u32At(this.funcFieldAt(i, FUNC_CU_OFFSET), "_func cuOffset");
      const fileOffset = c.u32At(h.cuOffset + 4 * (cu + fileIndex), "pclntab cutab entry");
      if (fileOffset === 0xffff_ffff) return undefined;
      nameAt = h.filetabOffset + fileOffset;
    }
    return decodeUtf8(c.cstringAt(nameAt, "file name"));
  }

  /**
   * Index of the function named `name`, or undefined. Since the register ABI an ABI wrapper has its
   * target's name (.symtab adds ".abi0" to the ABI0 one); the table lists the function before its
   * wrapper and the first is returned (checked against funcID for Go 1.19–1.27 in test/pclntab-nm.test.ts).
   */
  findByName(name: string): number | undefined {
    if (this.byName === undefined && ++this.nameSearches <= SEARCHES_BEFORE_INDEX) {
      // A command asks for a few names: comparing bytes in place beats decoding every name.
      const wanted = encodeUtf8(name);
      for (let i = 0; i < this.funcCount; i++) {
        const nameOff = this.c.i32At(this.funcFieldAt(i, FUNC_NAME_OFF), "_func nameOff");
        if (nameOff >= 0 && this.isNameAt(this.header.funcnameOffset + nameOff, wanted)) return i;
      }
      return undefined;
    }
    if (this.byName === undefined) {
      const byName = new Map<string, number>();
      for (let i = this.funcCount - 1; i >= 0; i--) byName.set(this.nameAt(i), i);
      this.byName = byName;
    }
    return this.byName.get(name);
  }

  /** True when the NUL-terminated name at `at` is exactly `wanted`'s bytes. */
  private isNameAt(at: number, wanted: Uint8Array): boolean {
    const bytes = this.c.bytes;
    if (at < 0 || at + wanted.length >= bytes.length) return false;
    for (let k = 0; k < wanted.length; k++) if (bytes[at + k] !== wanted[k]) return false;
    return bytes[at + wanted.length] === 0;
  }

  /** Index of the function whose [entry, end) holds `pc`, by binary search, or undefined. */
  findByPc(pc: number): number | undefined {
    const n = this.funcCount;
    if (n === 0) return undefined;
    if (!this.isSortChecked) this.checkSorted();
    if (pc < this.pcField(0) || pc >= this.pcField(2 * n)) return undefined;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.pcField(2 * mid) <= pc) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Function `i`'s inline tree (FUNCDATA_InlTree) as the linker wrote it, one entry for each index up
   * to the largest its PCDATA_InlTreeIndex table names; [] when it has no inlined calls. Entries
   * are ver112 (20 bytes) for Go 1.15–1.19 and ver120 (16 bytes) for 1.22–1.27
   * (test/inline-tree.test.ts).
   */
  inlineTreeAt(i: number): readonly InlinedCallEntry[] {
    const table = this.findInlineTable(i, false);
    return table === undefined ? [] : readInlinedCalls(table.c, table.pos, table.count, this.inlinedCallLayout);
  }

  /**
   * Every call inlined into function `i`, in inline-tree order: the inlined function, its call
   * site, its caller within the tree and the PCs of its code. The caller of entry k is the
   * index the PCDATA_InlTreeIndex table gives at entry + parentPc, as the runtime's unwinder finds
   * it (runtime/symtabinl.go inlineUnwinder.next); ver112 entries also store it, and agree
   * (test/inline-tree.test.ts).
   */
  inlinedSites(i: number): InlinedSite[] {
    const table = this.findInlineTable(i, true);
    if (table === undefined) return [];
    const layout = this.inlinedCallLayout;
    const entries = readInlinedCalls(table.c, table.pos, table.count, layout);
    const entrySize = INLINED_CALL_SIZE[layout];
    const functionSize = this.endAt(i) - table.entry;
    const runs = table.runs;
    const parents = entries.map((e, k) => {
      if (e.parentPc < 0 || e.parentPc >= functionSize) {
        throw table.c.error(`inline tree entry ${k}: parentPc 0x${e.parentPc.toString(16)} is outside its function (0x${functionSize.toString(16)} bytes)`, table.pos + k * entrySize + INLINED_CALL_PARENT_PC_AT[layout]);
      }
      // Go writes no index below −1; a hostile table's would name no entry either.
      return Math.max(-1, valueOfRunAt(runs, table.entry + e.parentPc));
    });
    const depths = parents.map((_, k) => {
      let depth = 0;
      for (let x = k; x >= 0; x = parents[x] ?? -1) {
        // A tree has no loops; a chain longer than the tree is one.
        if (++depth > parents.length) throw table.c.error(`inline tree entry ${k}: its chain of callers loops`, table.pos + k * entrySize);
      }
      return depth;
    });
    const ranges = entries.map((): { low: number; high: number }[] => []);
    for (let r = 0; r + 2 < runs.length; r += 3) {
      const low = runs[r] ?? 0;
      const high = runs[r + 1] ?? 0;
      for (let x = runs[r + 2] ?? -1; x >= 0; x = parents[x] ?? -1) {
        const list = ranges[x];
        if (list === undefined) break;
        const last = list[list.length - 1];
        if (last !== undefined && last.high === low) last.high = high;
        else list.push({ low, high });
      }
    }
    // The function's pcfile and pcln tables, decoded once for all call sites.
    const fileRuns = this.pcTableRuns(i, "pcfile");
    const lineRuns = this.pcTableRuns(i, "pcln");
    const files = new Map<number, string | undefined>();
    return entries.map((e, k) => {
      const callPc = table.entry + e.parentPc;
      const fileIndex = valueOfRunAt(fileRuns, callPc);
      let file = files.get(fileIndex);
      if (!files.has(fileIndex)) files.set(fileIndex, (file = this.fileNameAt(i, fileIndex)));
      const line = valueOfRunAt(lineRuns, callPc);
      const own = ranges[k] ?? [];
      return {
        index: k,
        name: this.nameAtOffset(e.nameOff),
        parentPc: e.parentPc,
        callPc,
        callFile: file,
        callLine: line >= 0 ? line : undefined,
        parent: parents[k] ?? -1,
        depth: depths[k] ?? 1,
        ranges: own,
        firstPc: own[0]?.low,
      };
    });
  }

  /** Indexes every inline tree by name now, for a caller about to ask for every function's sites. */
  indexInlineTrees(): void {
    this.inlineIndex ??= this.buildInlineIndex();
  }

  /**
   * inlinedSites(i), kept once the trees are indexed: a caller that asks for every function's
   * sites meets each caller once per function it inlined (tens of times for a large one).
   */
  private sitesOfCaller(i: number): InlinedSite[] {
    if (this.inlineIndex === undefined) return this.inlinedSites(i);
    let sites = this.inlineIndex.sitesByCaller.get(i);
    if (sites === undefined) {
      sites = this.inlinedSites(i);
      this.inlineIndex.sitesByCaller.set(i, sites);
    }
    return sites;
  }

  /**
   * Every place the function named `name` was inlined: caller, call site and the PCs of the copy,
   * sorted by caller and tree index. The first few calls each scan every inline tree, comparing
   * names in place; after that (or after indexInlineTrees) one index of every tree answers.
   */
  inlinedCallSitesOf(name: string): InlinedCallSite[] {
    let pairs: readonly number[];
    if (this.inlineIndex === undefined && ++this.inlineSearches <= SEARCHES_BEFORE_INDEX) {
      pairs = this.inlinedPairsNamed(name);
    } else {
      this.inlineIndex ??= this.buildInlineIndex();
      pairs = this.inlineIndex.byName.get(name) ?? [];
    }
    const sites: InlinedCallSite[] = [];
    let callerIndex = -1;
    let caller = "";
    let callerSites: InlinedSite[] = [];
    for (let p = 0; p + 1 < pairs.length; p += 2) {
      const i = pairs[p] ?? 0;
      if (i !== callerIndex) {
        callerIndex = i;
        caller = this.nameAt(i);
        callerSites = this.sitesOfCaller(i);
      }
      const site = callerSites[pairs[p + 1] ?? 0];
      if (site !== undefined) sites.push({ ...site, caller, callerIndex });
    }
    return sites;
  }

  /** Function `i`'s pcfile or pcln table as [low, high, value] runs; [] when it has none. */
  private pcTableRuns(i: number, table: "pcfile" | "pcln"): number[] {
    const offset = this.c.u32At(this.funcFieldAt(i, PC_TABLE_FIELD[table]), "_func pc-value table offset");
    const runs: number[] = [];
    if (offset !== 0) scanPcValueRuns(this.c, this.header.pctabOffset + offset, this.entryAt(i), this.endAt(i), this.header.quantum, (low, high, value) => runs.push(low, high, value));
    return runs;
  }

  private get inlinedCallLayout(): InlinedCallLayout {
    return inlinedCallLayoutOf(this.header.layout);
  }

  /** A function name at an offset into the name table (ver12: from the table start), as inline trees hold it. */
  private nameAtOffset(nameOff: number): string {
    return decodeUtf8(this.c.cstringAt(this.header.funcnameOffset + nameOff, "inlined function name"));
  }

  /**
   * Where function `i`'s PCDATA_InlTreeIndex table and FUNCDATA_InlTree slot are, or undefined when
   * it has either not: pcdata follow the fixed `_func` fields, npcdata u32 offsets into pctab (0 = none),
   * then nfuncdata slots: u32 offsets from moduledata.gofunc in ver118/ver120 (0xffffffff = none,
   * go1.19 and go1.22 runtime/symtab.go funcdata), pointers before (0 = none), pointer-aligned
   * from the table start (go1.15 cmd/link pcln.go: "funcdata, must be pointer-aligned").
   */
  private locateInlineTree(i: number): { readonly tableOffset: number; readonly slotAt: number; readonly slot: number } | undefined {
    const c = this.c;
    const h = this.header;
    const record = this.funcRecordAt(i);
    const npcdata = c.u32At(record + this.func.entrySize + FUNC_NPCDATA, "_func npcdata");
    const nfuncdata = c.u8At(record + this.func.size - 1, "_func nfuncdata");
    const slotIndex = funcdataInlTreeIndex(h.layout);
    if (npcdata <= PCDATA_InlTreeIndex || nfuncdata <= slotIndex) return undefined;
    const pcdataAt = record + this.func.size;
    c.need(pcdataAt, 4 * npcdata, `_func pcdata (${npcdata} tables)`);
    const tableOffset = c.u32At(pcdataAt + 4 * PCDATA_InlTreeIndex, "_func pcdata[PCDATA_InlTreeIndex]");
    if (tableOffset === 0) return undefined;
    let funcdataAt = pcdataAt + 4 * npcdata;
    if (h.isTextRelative) {
      const slotAt = funcdataAt + 4 * slotIndex;
      const slot = c.u32At(slotAt, "_func funcdata[FUNCDATA_InlTree]");
      return slot === 0xffff_ffff ? undefined : { tableOffset, slotAt, slot };
    }
    if (funcdataAt % h.ptrSize !== 0) funcdataAt += 4;
    const slotAt = funcdataAt + h.ptrSize * slotIndex;
    const slot = c.wordAt(slotAt, h.ptrSize, "_func funcdata[FUNCDATA_InlTree]");
    return slot === 0 ? undefined : { tableOffset, slotAt, slot };
  }

  /**
   * Function `i`'s inline table: the runs of its PCDATA_InlTreeIndex table (kept when `keepRuns`)
   * and a cursor at its inline tree, whose entry count is one more than the largest index the
   * table names (the tree stores no count; the runtime only indexes it by those values).
   */
  private findInlineTable(i: number, keepRuns: boolean): InlineTable | undefined {
    const located = this.locateInlineTree(i);
    if (located === undefined) return undefined;
    const entry = this.entryAt(i);
    const runs: number[] = [];
    let max = -1;
    scanPcValueRuns(this.c, this.header.pctabOffset + located.tableOffset, entry, this.endAt(i), this.header.quantum, (low, high, value) => {
      if (keepRuns) runs.push(low, high, value);
      if (value > max) max = value;
    });
    if (max < 0) return undefined;
    const count = max + 1;
    const address = this.header.isTextRelative ? this.resolveGofunc() + located.slot : located.slot;
    const bytes = count * INLINED_CALL_SIZE[this.inlinedCallLayout];
    const found = this.requireFuncdataMemory().find(address, bytes);
    if (found === undefined) {
      throw this.c.error(`_func funcdata[FUNCDATA_InlTree]: inline tree of ${count} entries (0x${bytes.toString(16)} bytes) at 0x${address.toString(16)} is not in the file`, located.slotAt);
    }
    return { entry, runs, count, c: found.c, pos: found.pos };
  }

  private requireFuncdataMemory(): FuncdataMemory {
    if (this.funcdataMemory === undefined) {
      throw new GoxrayError("unsupported", placeOf(this.c, 0), "pclntab: inline trees need the binary's memory image, and this table was read without one");
    }
    return this.funcdataMemory;
  }

  /**
   * moduledata.gofunc, the base of ver118/ver120 funcdata offsets: the linker's go:func.* symbol
   * when .symtab has one, else the one moduledata candidate (see inline-tree.ts
   * GOFUNC_WORD_INDEXES) at which the first inline trees decode.
   */
  private resolveGofunc(): number {
    if (this.gofunc !== undefined) return this.gofunc;
    const candidates = this.requireFuncdataMemory().gofuncCandidates();
    const symbol = candidates.find((k) => k.from === "symbol");
    if (symbol !== undefined) return (this.gofunc = symbol.value);
    const values = [...new Set(candidates.map((k) => k.value))];
    const fitting = values.filter((v) => this.isInlineTreeBase(v));
    const [only] = fitting;
    if (only === undefined || fitting.length > 1) {
      const listed = values.map((v) => `0x${v.toString(16)}`).join(", ");
      throw new GoxrayError(
        "unsupported",
        placeOf(this.c, 0),
        `pclntab: cannot tell where funcdata starts: ${fitting.length} of the moduledata.gofunc candidates (${listed === "" ? "none" : listed}) fit the inline trees`,
      );
    }
    return (this.gofunc = only);
  }

  /**
   * Whether the first inline trees (up to 8) lie in the file at `gofunc` + their offsets with
   * zero padding, names that start a name in the table, parentPc inside their function and, in
   * ver112 entries, a stored parent equal to the derived one; checks that cannot throw, because a
   * wrong candidate points anywhere.
   */
  private isInlineTreeBase(gofunc: number): boolean {
    const layout = this.inlinedCallLayout;
    const size = INLINED_CALL_SIZE[layout];
    const names = this.c;
    let checked = 0;
    for (let i = 0; i < this.funcCount && checked < 8; i++) {
      const located = this.locateInlineTree(i);
      if (located === undefined) continue;
      const entry = this.entryAt(i);
      const runs: number[] = [];
      let max = -1;
      scanPcValueRuns(this.c, this.header.pctabOffset + located.tableOffset, entry, this.endAt(i), this.header.quantum, (low, high, value) => {
        runs.push(low, high, value);
        if (value > max) max = value;
      });
      if (max < 0) continue;
      checked++;
      const found = this.funcdataMemory?.find(gofunc + located.slot, (max + 1) * size);
      if (found === undefined) return false;
      const functionSize = this.endAt(i) - entry;
      for (let k = 0; k <= max; k++) {
        const at = found.pos + k * size;
        if (INLINED_CALL_PADDING[layout].some((pad) => found.c.u8At(at + pad) !== 0)) return false;
        const nameAt = this.header.funcnameOffset + found.c.i32At(at + INLINED_CALL_NAME_AT[layout]);
        if (nameAt < this.header.funcnameOffset || nameAt >= names.length || (nameAt > 0 && names.u8At(nameAt - 1) !== 0)) return false;
        const parentPc = found.c.i32At(at + INLINED_CALL_PARENT_PC_AT[layout]);
        if (parentPc < 0 || parentPc >= functionSize) return false;
        // ver112 entries store their caller too, and the linker's agrees with the table's.
        if (layout === "ver112" && (found.c.u16At(at) << 16) >> 16 !== valueOfRunAt(runs, entry + parentPc)) return false;
      }
    }
    return true;
  }

  /** Function name → (function, tree index) pairs of every inline tree, grouped by name offset while scanning. */
  /**
   * (function index, tree index) pairs of every inline tree entry named `name`, in function
   * order: one scan of the trees, each distinct name offset compared with `name` once, in place.
   */
  private inlinedPairsNamed(name: string): number[] {
    const wanted = encodeUtf8(name);
    const isWanted = new Map<number, boolean>();
    const pairs: number[] = [];
    this.forEachInlinedCall((i, k, nameOff) => {
      let matches = isWanted.get(nameOff);
      if (matches === undefined) {
        matches = this.isNameAt(this.header.funcnameOffset + nameOff, wanted);
        isWanted.set(nameOff, matches);
      }
      if (matches) pairs.push(i, k);
    });
    return pairs;
  }

  /** Calls `visit` with (function index, tree index, name offset) for every inline tree entry, in function order. */
  private forEachInlinedCall(visit: (i: number, k: number, nameOff: number) => void): void {
    const layout = this.inlinedCallLayout;
    const size = INLINED_CALL_SIZE[layout];
    const nameField = INLINED_CALL_NAME_AT[layout];
    for (let i = 0; i < this.funcCount; i++) {
      const table = this.findInlineTable(i, false);
      if (table === undefined) continue;
      for (let k = 0; k < table.count; k++) {
        const at = table.pos + k * size + nameField;
        const nameOff = table.c.i32At(at, "inlinedCall name offset");
        if (nameOff < 0) throw table.c.error(`inline tree entry ${k}: name offset ${nameOff} is negative`, at);
        visit(i, k, nameOff);
      }
    }
  }

  private buildInlineIndex(): InlineIndex {
    const byOffset = new Map<number, number[]>();
    this.forEachInlinedCall((i, k, nameOff) => {
      const pairs = byOffset.get(nameOff);
      if (pairs === undefined) byOffset.set(nameOff, [i, k]);
      else pairs.push(i, k);
    });
    const byName = new Map<string, number[]>();
    for (const [nameOff, pairs] of byOffset) {
      const name = this.nameAtOffset(nameOff);
      const known = byName.get(name);
      // cmd/link pcln.go generateFuncnametab writes a name per symbol (go1.22), so two symbols of
      // one name (an ABI wrapper and its target) have two offsets; keep the pairs in function order.
      if (known === undefined) byName.set(name, pairs);
      else byName.set(name, mergePairs(known, pairs));
    }
    return { byName, sitesByCaller: new Map() };
  }

  /** Functab field `k` as a PC: entries and the end PC are at even k. */
  private pcField(k: number): number {
    const h = this.header;
    const at = h.functabOffset + k * h.functabFieldSize;
    return this.textStart + (h.functabFieldSize === 4 ? this.c.u32At(at, "functab entry") : this.c.u64At(at, "functab entry"));
  }

  private funcRecordAt(i: number): number {
    this.checkIndex(i);
    const h = this.header;
    const at = h.functabOffset + (2 * i + 1) * h.functabFieldSize;
    const funcoff = h.functabFieldSize === 4 ? this.c.u32At(at, "functab funcoff") : this.c.u64At(at, "functab funcoff");
    const record = h.funcdataOffset + funcoff;
    this.c.need(record, this.func.size, "_func record");
    return record;
  }

  /** Position of a u32 field of function `i`'s `_func`, counted from the end of the entry field. */
  private funcFieldAt(i: number, field: number): number {
    return this.funcRecordAt(i) + this.func.entrySize + field;
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.header.funcCount) {
      throw new RangeError(`function index ${i} outside 0..${this.header.funcCount - 1}`);
    }
  }

  private checkSorted(): void {
    const h = this.header;
    let previous = this.pcField(0);
    for (let k = 2; k <= 2 * h.funcCount; k += 2) {
      const pc = this.pcField(k);
      if (pc < previous) throw this.c.error(`functab: entry 0x${pc.toString(16)} is below the one before it (0x${previous.toString(16)})`, h.functabOffset + k * h.functabFieldSize);
      previous = pc;
    }
    this.isSortChecked = true;
  }
}

/** A pclntab found in the binary, before the text start is known. */
interface FoundPclntab {
  readonly c: ByteCursor;
  readonly header: PclntabHeader;
  readonly address: number;
  readonly foundIn: string;
  readonly moduledata: Moduledata | undefined;
}

/**
 * Reads the pclntab of a Go binary, or undefined when it has none (not Go). It is looked for, in order:
 * 1. a section named `.gopclntab` or ending in `gopclntab` (`.data.rel.ro.gopclntab` in a PIE
 *    built by Go 1.15–1.24; 1.26 and 1.27 PIEs keep `.gopclntab`);
 * 2. through `runtime.firstmoduledata` when .symtab names it (its first word points at the header);
 * 3. by the magic in the PT_LOAD segments, preferring a candidate that a moduledata in a writable
 *    segment points at with consistent slices (the runtime's own view), else the first candidate
 *    whose header is sane and whose functab ends after it starts.
 * A section or moduledata that leads to a bad header is `malformed`; a scan skips bad candidates.
 */
export function readPclntab(elf: ElfFile): Pclntab | undefined {
  const found = findInSection(elf) ?? findThroughModuledataSymbol(elf) ?? findByScan(elf);
  if (found === undefined) return undefined;
  const start = found.header.isTextRelative ? resolveTextStart(elf, found) : { value: 0, from: "none" as const };
  const funcdata = funcdataMemoryOf(elf, found.header, found.address);
  return new Pclntab(found.c, start.value, { address: found.address, foundIn: found.foundIn, textStartFrom: start.from, funcdata });
}

/**
 * The base of ver118/ver120 functab entries: the first of these that the binary has.
 * 1. moduledata.text, because the runtime adds entry offsets to exactly that word (runtime.textAddr);
 * 2. the `runtime.text` symbol, which the linker subtracted to make the offsets (cmd/link pcln.go
 *    textOff) and wrote into moduledata.text, so it agrees with (1) but needs .symtab;
 * 3. the `.text` section address, equal to runtime.text with Go's internal linker, but an external
 *    linker may put C code first (debug/gosym NewLineTable's note), hence only third;
 * 4. pcHeader.textStart as stored, when not zero: Go 1.19–1.24 store runtime.text there (also in
 *    an internal-link PIE), 1.26 and 1.27 store 0 (test/pclntab-nm.test.ts); the word needs a
 *    relocation, so an externally linked PIE may hold another value, hence last.
 */
function resolveTextStart(elf: ElfFile, found: FoundPclntab): { value: number; from: TextStartSource } {
  const moduledata = found.moduledata ?? findModuledata(elf, found.header, found.address);
  if (moduledata !== undefined) return { value: moduledata.text, from: "moduledata" };
  const symbol = elf.symbols()?.findByName("runtime.text");
  if (symbol !== undefined) return { value: symbol.value, from: "runtime.text" };
  const text = elf.findSection(".text");
  if (text !== undefined) return { value: text.addr, from: ".text" };
  if (found.header.storedTextStart !== 0) return { value: found.header.storedTextStart, from: "pcHeader" };
  throw new GoxrayError("unsupported", { file: elf.name }, "pclntab: cannot tell where text starts (no moduledata, runtime.text symbol or .text section)");
}

function findInSection(elf: ElfFile): FoundPclntab | undefined {
  const section = elf.findSection(".gopclntab") ?? elf.sections.find((s) => s.name.endsWith("gopclntab"));
  if (section === undefined) return undefined;
  const c = elf.sectionCursor(section);
  return { c, header: readPclntabHeader(c), address: section.addr, foundIn: section.name, moduledata: undefined };
}

function findThroughModuledataSymbol(elf: ElfFile): FoundPclntab | undefined {
  const symbol = elf.symbols()?.findByName("runtime.firstmoduledata");
  if (symbol === undefined) return undefined;
  const wordSize = elf.header.wordSize;
  const word = new ByteCursor(elf.readAtAddress(symbol.value, wordSize, "runtime.firstmoduledata"), elf.header.isLittleEndian, { file: elf.name, base: 0 });
  const address = word.wordAt(0, wordSize, "moduledata first word");
  const c = cursorAtAddress(elf, address);
  if (c === undefined) return undefined;
  const header = readPclntabHeader(c);
  const moduledata = findModuledata(elf, header, address);
  if (moduledata === undefined || moduledata.address !== symbol.value) return undefined;
  return { c, header, address, foundIn: "runtime.firstmoduledata", moduledata };
}

/** A cursor from virtual address `address` to the end of the file-backed part of its PT_LOAD. */
function cursorAtAddress(elf: ElfFile, address: number): ByteCursor | undefined {
  for (const s of elf.segments) {
    if (s.type === PT_LOAD && address >= s.vaddr && address - s.vaddr < s.filesz) {
      const offset = s.offset + (address - s.vaddr);
      const bytes = elf.source.read(offset, s.filesz - (address - s.vaddr), "pclntab");
      return new ByteCursor(bytes, elf.header.isLittleEndian, { file: elf.name, base: offset });
    }
  }
  return undefined;
}

// The magics as they appear in memory, in both byte orders.
const MAGIC_PATTERNS = [Go120PCLnTabMagic, Go118PCLnTabMagic, Go116PCLnTabMagic, Go12PCLnTabMagic].flatMap((m) => {
  const le = Buffer.alloc(4);
  le.writeUInt32LE(m);
  const be = Buffer.alloc(4);
  be.writeUInt32BE(m);
  return [le, be];
});

function findByScan(elf: ElfFile): FoundPclntab | undefined {
  let fallback: FoundPclntab | undefined;
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD || s.filesz === 0) continue;
    const bytes = elf.source.read(s.offset, s.filesz, "PT_LOAD segment");
    const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const pattern of MAGIC_PATTERNS) {
      for (let at = haystack.indexOf(pattern); at >= 0; at = haystack.indexOf(pattern, at + 1)) {
        // The header holds pointer-sized words, so the linker aligns it.
        if ((s.vaddr + at) % 4 !== 0) continue;
        const c = new ByteCursor(bytes.subarray(at), elf.header.isLittleEndian, { file: elf.name, base: s.offset + at });
        const header = readCandidateHeader(c, elf.header.wordSize);
        if (header === undefined) continue;
        const address = s.vaddr + at;
        const moduledata = findModuledata(elf, header, address);
        if (moduledata !== undefined) return { c, header, address, foundIn: "moduledata", moduledata };
        fallback ??= { c, header, address, foundIn: "segment scan", moduledata: undefined };
      }
    }
  }
  return fallback;
}

/**
 * The header at `c` when it passes every check, has the ELF's pointer size, at least one function,
 * and a functab whose end PC is not below its first entry; else undefined. This is the scan's
 * boundary: bytes that merely look like a magic are expected, so their errors are dropped here.
 */
function readCandidateHeader(c: ByteCursor, wordSize: 4 | 8): PclntabHeader | undefined {
  let header: PclntabHeader;
  try {
    header = readPclntabHeader(c);
  } catch (err) {
    if (err instanceof GoxrayError) return undefined;
    throw err;
  }
  if (header.ptrSize !== wordSize || header.funcCount === 0) return undefined;
  const t = c.isLittleEndian === header.isLittleEndian ? c : new ByteCursor(c.bytes, header.isLittleEndian, c.place);
  const size = header.functabFieldSize;
  const first = size === 4 ? t.u32At(header.functabOffset) : t.u64BigAt(header.functabOffset);
  const end = size === 4 ? t.u32At(header.functabOffset + 2 * header.funcCount * size) : t.u64BigAt(header.functabOffset + 2 * header.funcCount * size);
  return end > first ? header : undefined;
}
