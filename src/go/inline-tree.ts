import { ByteCursor } from "../bytes/cursor.js";
import type { ElfFile } from "../elf/elf-file.js";
import { PT_LOAD } from "../elf/program-headers.js";
import { SHT_NOBITS } from "../elf/section-headers.js";
import { findModuledata } from "./moduledata.js";
import type { PclntabHeader } from "./pclntab.js";

// FUNCDATA_InlTree: where each function was inlined, as the Go runtime's tracebacks read it.
// Each function with inlined calls has two things in the pclntab:
// - FUNCDATA_InlTree, an array of inlinedCall entries (the inline tree), with no count of its own;
// - PCDATA_InlTreeIndex, a pc-value table giving, for each PC, the index of the innermost
//   inlined call whose code it is, or −1 for the function's own code.
// The runtime finds an entry's caller by looking that table up at entry + parentPc
// (runtime/symtabinl.go inlineUnwinder.next, 1.22–1.27; runtime/symtab.go 1.15 and 1.19 do the same).

/** The pc-value table of inline-tree indexes (runtime/symtab.go 1.15, 1.19; internal/abi/symtab.go 1.22–1.27). */
export const PCDATA_InlTreeIndex = 2;

/**
 * The funcdata slot of the inline tree for a pclntab layout. Go 1.15 has 4: _FUNCDATA_RegPointerMaps
 * (2) pushed StackObjects to 3 and InlTree to 4 (go1.15 runtime/symtab.go); Go 1.19 runtime/symtab.go
 * and 1.22–1.27 internal/abi/symtab.go have 3. ver116 (Go 1.16–1.17) is read as 3, the value after
 * the register maps went; no toolchain of those releases is installed here to confirm it.
 */
export function funcdataInlTreeIndex(layout: PclntabHeader["layout"]): number {
  return layout === "ver12" ? 4 : 3;
}

/**
 * The layouts of one inline-tree entry (runtime inlinedCall), named after the release that brought them:
 * - ver112, 20 bytes: parent i16, funcID u8, pad u8, file i32, line i32, func_ i32 (name offset),
 *   parentPc i32 (go1.15 and go1.19 runtime/symtab.go; cmd/link pcln.go genInlTreeSym writes
 *   `i*20`). Go 1.9–1.11 wrote 16 bytes, parent i32 first and no parentPc, under the same ver12
 *   magic; their root entries (parent −1) fail the padding check;
 * - ver120, 16 bytes: funcID u8, pad [3]u8, nameOff i32, parentPc i32, startLine i32
 *   (go1.22–1.27 runtime/symtabinl.go; cmd/link pcln.go writes `const size = 16`). The fields it
 *   dropped had been unused by the runtime (golang/go#54849, filed 2022-09, after Go 1.19).
 * No Go 1.12 or 1.20 toolchain is installed here; that the layouts changed with exactly those
 * releases (and so with the ver120 magic) rests on pkujhd/goloader, which mirrors the runtime's
 * struct per release: obj/inlinedcall.1.9.go, .1.12.go (go1.12 && !go1.20), .1.20.go (go1.20+).
 */
export type InlinedCallLayout = "ver112" | "ver120";

/** The entry layout a pclntab layout carries: ver120 tables hold ver120 entries, older ones ver112. */
export function inlinedCallLayoutOf(layout: PclntabHeader["layout"]): InlinedCallLayout {
  return layout === "ver120" ? "ver120" : "ver112";
}

/** Bytes of one entry. */
export const INLINED_CALL_SIZE: Readonly<Record<InlinedCallLayout, number>> = { ver112: 20, ver120: 16 };

/** Offset of the name offset within an entry, so that a scan can compare names without decoding entries. */
export const INLINED_CALL_NAME_AT: Readonly<Record<InlinedCallLayout, number>> = { ver112: 12, ver120: 4 };

/** Offset of parentPc within an entry. */
export const INLINED_CALL_PARENT_PC_AT: Readonly<Record<InlinedCallLayout, number>> = { ver112: 16, ver120: 8 };

/** Offsets of the padding bytes within an entry, which the linker leaves zero. */
export const INLINED_CALL_PADDING: Readonly<Record<InlinedCallLayout, readonly number[]>> = { ver112: [3], ver120: [1, 2, 3] };

/** One inline-tree entry as the linker wrote it. */
export type InlinedCallEntry =
  | {
      readonly layout: "ver112";
      /** Index of the enclosing inlined call in the same tree, or −1 (unused by the runtime since parentPc). */
      readonly parent: number;
      readonly funcId: number;
      /** File of the call site: a filetab index (ver12 pclntab) or a per-CU index into cutab (ver116, ver118). */
      readonly file: number;
      /** Line of the call site. */
      readonly line: number;
      /** Name of the inlined function: ver12 counts from the pclntab start, later ones from funcnametab. */
      readonly nameOff: number;
      /** Offset from the function entry of an instruction whose source position is the call site. */
      readonly parentPc: number;
    }
  | {
      readonly layout: "ver120";
      readonly funcId: number;
      readonly nameOff: number;
      readonly parentPc: number;
      /** Line of the inlined function's `func` keyword. */
      readonly startLine: number;
    };

/**
 * Decodes `count` entries of `layout` at `pos`: the count comes from the largest index the
 * function's PCDATA_InlTreeIndex table names, so it is checked against the bytes there first.
 * Padding must be zero, as the linker leaves it; a name offset must not be negative.
 */
export function readInlinedCalls(c: ByteCursor, pos: number, count: number, layout: InlinedCallLayout): InlinedCallEntry[] {
  const size = INLINED_CALL_SIZE[layout];
  c.need(pos, count * size, `inline tree of ${count} entries`);
  const entries: InlinedCallEntry[] = [];
  for (let k = 0; k < count; k++) {
    const at = pos + k * size;
    let entry: InlinedCallEntry;
    switch (layout) {
      case "ver112":
        checkPadding(c, at, INLINED_CALL_PADDING[layout], k);
        entry = {
          layout,
          parent: (c.u16At(at, "inlinedCall parent") << 16) >> 16,
          funcId: c.u8At(at + 2, "inlinedCall funcID"),
          file: c.i32At(at + 4, "inlinedCall file"),
          line: c.i32At(at + 8, "inlinedCall line"),
          nameOff: c.i32At(at + 12, "inlinedCall func_"),
          parentPc: c.i32At(at + 16, "inlinedCall parentPc"),
        };
        break;
      case "ver120":
        checkPadding(c, at, INLINED_CALL_PADDING[layout], k);
        entry = {
          layout,
          funcId: c.u8At(at, "inlinedCall funcID"),
          nameOff: c.i32At(at + 4, "inlinedCall nameOff"),
          parentPc: c.i32At(at + 8, "inlinedCall parentPc"),
          startLine: c.i32At(at + 12, "inlinedCall startLine"),
        };
        break;
      default: {
        const never: never = layout;
        return never;
      }
    }
    if (entry.nameOff < 0) throw c.error(`inline tree entry ${k}: name offset ${entry.nameOff} is negative`, at + INLINED_CALL_NAME_AT[layout]);
    entries.push(entry);
  }
  return entries;
}

function checkPadding(c: ByteCursor, at: number, pads: readonly number[], k: number): void {
  for (const pad of pads) {
    const value = c.u8At(at + pad, "inlinedCall padding");
    if (value !== 0) throw c.error(`inline tree entry ${k}: padding byte ${pad} is 0x${value.toString(16)}, not zero`, at + pad);
  }
}

/** One call inlined into a function, as pclntab alone tells it. */
export interface InlinedSite {
  /** Index in the function's inline tree: the PCDATA_InlTreeIndex value of its own code. */
  readonly index: number;
  /** Full Go name of the inlined function ("main.Double"). */
  readonly name: string;
  /** Offset from the function entry of an instruction whose source position is the call site. */
  readonly parentPc: number;
  /** entry + parentPc: the call site as a PC of the function. */
  readonly callPc: number;
  /**
   * File and line of the call, from the function's own pcfile and pcln tables at callPc; for a
   * call inside another inlined body, they give the line in that body's source, since those
   * tables record the innermost position (the runtime's inlineUnwinder.fileLine does the same).
   * A call the compiler kept no inline mark for has parentPc 0 (cmd/internal/obj pcln.go sets it
   * only from marks), so this is the function entry's position: Go 1.26's cmd/compile binary has
   * six, reflect.TypeFor calls from package-level variables inlined into encoding/json.init and
   * ir.init, at `<autogenerated>:1` here and at their source lines in DW_AT_call_line.
   */
  readonly callFile: string | undefined;
  readonly callLine: number | undefined;
  /** Index of the inlined call whose body holds this call, or −1 when the function's own code does. */
  readonly parent: number;
  /** 1 for a call in the function's own code, 2 inside an inlined body, and so on. */
  readonly depth: number;
  /**
   * The PCs whose inline chain holds this call: its own code and that of the calls inlined into
   * it (as DW_TAG_inlined_subroutine ranges cover their children), sorted, adjacent runs merged;
   * half-open [low, high), the shape of dwarf/pc-range.ts PcRange.
   * Empty when no instruction is left of it.
   */
  readonly ranges: readonly { readonly low: number; readonly high: number }[];
  /** The lowest PC in `ranges`, or undefined when they are empty. */
  readonly firstPc: number | undefined;
}

/** An inlined call together with the function whose code holds it. */
export interface InlinedCallSite extends InlinedSite {
  /** Full Go name of the function whose code holds the copy. */
  readonly caller: string;
  /** Its index in the pclntab function table. */
  readonly callerIndex: number;
}

/**
 * The part of a binary's memory image that funcdata needs: bytes by virtual address, and the
 * values moduledata.gofunc may have (ver118/ver120 funcdata are offsets from it).
 */
export interface FuncdataMemory {
  /** A cursor and the position in it of `length` bytes at virtual address `address`, or undefined when the file does not map them. */
  find(address: number, length: number): { readonly c: ByteCursor; readonly pos: number } | undefined;
  /** Candidate values of moduledata.gofunc: the linker's symbol alone when .symtab has it, else moduledata words. */
  gofuncCandidates(): readonly { readonly value: number; readonly from: "symbol" | "moduledata" }[];
}

/** Where moduledata.gofunc may be: the linker's own symbol, or one moduledata word among several layouts. */
type GofuncCandidate = ReturnType<FuncdataMemory["gofuncCandidates"]>[number];

// ELF gABI, "Sections": the section occupies memory during execution.
const SHF_ALLOC = 0x2;

/**
 * Word index of moduledata.gofunc in each moduledata layout that has it (runtime/symtab.go),
 * after pcHeader, six slices and findfunctab, minpc, maxpc, text, etext, noptrdata…enoptrbss:
 * - 38 in Go 1.18–1.19 (end, gcdata, gcbss, types, etypes, rodata, gofunc; go1.19 source);
 * - 40 in Go 1.20–1.26 (covctrs, ecovctrs inserted before end; go1.22, 1.24, 1.26 source);
 * - 43 in Go 1.27 (typedesclen after types; itaboffset, itabsize before rodata; go1.27 source).
 * All three share the ver118/ver120 pclntab magics, so the reader tries each and keeps the one
 * whose inline trees decode (Pclntab.resolveGofunc); test/inline-tree.test.ts checks that
 * stripped builds, which have no symbol, give the same inline trees as unstripped ones.
 */
const GOFUNC_WORD_INDEXES = [38, 40, 43] as const;

/**
 * Funcdata memory of an ELF file: reads go through the allocated section holding the address
 * (so that errors name it as readelf does), or the file-backed part of its PT_LOAD segment when
 * the binary has no section headers. `header` and `headerAddress` locate the moduledata when
 * .symtab has no `go:func.*` (Go 1.20+) or `go.func.*` (Go 1.18–1.19) symbol.
 */
export function funcdataMemoryOf(elf: ElfFile, header: PclntabHeader, headerAddress: number): FuncdataMemory {
  const cursors = new Map<number, ByteCursor>();
  const segmentCursors = new Map<number, ByteCursor>();
  const sections = elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.type !== SHT_NOBITS && s.size > 0);
  let candidates: readonly GofuncCandidate[] | undefined;
  return {
    find(address, length) {
      for (const s of sections) {
        if (address < s.addr || address - s.addr > s.size - length) continue;
        let c = cursors.get(s.index);
        if (c === undefined) cursors.set(s.index, (c = elf.sectionCursor(s)));
        return { c, pos: address - s.addr };
      }
      for (const [k, s] of elf.segments.entries()) {
        if (s.type !== PT_LOAD || address < s.vaddr || address - s.vaddr > s.filesz - length) continue;
        let c = segmentCursors.get(k);
        if (c === undefined) {
          c = new ByteCursor(elf.source.read(s.offset, s.filesz, "PT_LOAD segment"), elf.header.isLittleEndian, { file: elf.name, base: s.offset });
          segmentCursors.set(k, c);
        }
        return { c, pos: address - s.vaddr };
      }
      return undefined;
    },
    gofuncCandidates() {
      candidates ??= readGofuncCandidates(elf, header, headerAddress);
      return candidates;
    },
  };
}

function readGofuncCandidates(elf: ElfFile, header: PclntabHeader, headerAddress: number): GofuncCandidate[] {
  const symbols = elf.symbols();
  // cmd/link names the funcdata carrier go.func.* until Go 1.19 and go:func.* since (go1.19, go1.22 pcln.go).
  for (const name of ["go:func.*", "go.func.*"]) {
    const symbol = symbols?.findByName(name);
    if (symbol !== undefined) return [{ value: symbol.value, from: "symbol" }];
  }
  const moduledata = findModuledata(elf, header, headerAddress);
  if (moduledata === undefined) return [];
  const size = header.ptrSize;
  const found: GofuncCandidate[] = [];
  for (const index of GOFUNC_WORD_INDEXES) {
    const address = moduledata.address + index * size;
    if (elf.fileOffsetOf(address) === undefined || elf.fileOffsetOf(address + size - 1) === undefined) continue;
    const c = new ByteCursor(elf.readAtAddress(address, size, "moduledata gofunc"), header.isLittleEndian, { file: elf.name, base: 0 });
    const first = c.u32At(0);
    const value = size === 4 ? first : c.isLittleEndian ? first + c.u32At(4) * 0x1_0000_0000 : first * 0x1_0000_0000 + c.u32At(4);
    if (Number.isSafeInteger(value) && value !== 0) found.push({ value, from: "moduledata" });
  }
  return found;
}
