// Deterministic mutations of an ELF64 binary for the fuzz targets: a case number and a run seed
// give the same edits every time, and every edit carries a sentence that says what it did, so a
// crasher is reported as "sh_size of section 36 (.gopclntab) = 0xffffffff", not as bytes.
// The section table is found with a small ELF64 parse of our own, and the fields inside sections
// with structure.ts: the fuzzer must not trust the code it is testing to tell it where they are.

import { locateStructures, type StructureField } from "./structure.js";

/** One section of the unmutated seed, as its section header describes it. */
export interface SeedSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** sh_addr: where the section is loaded (0 when it is not). */
  readonly address: number;
  readonly headerOffset: number;
  readonly offset: number;
  readonly size: number;
  readonly flags: number;
}

/** Where the fields of an ELF64 seed sit. */
export interface ElfLayout {
  readonly isLittleEndian: boolean;
  readonly size: number;
  readonly phoff: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shoff: number;
  readonly shentsize: number;
  readonly sections: readonly SeedSection[];
  /** Length, count and offset fields inside the sections (structure.ts). */
  readonly structures: readonly StructureField[];
}

/** One byte-level change: overwrite, xor, or cut the file at `length`. */
export type Edit =
  | { readonly op: "write"; readonly offset: number; readonly bytes: readonly number[] }
  | { readonly op: "xor"; readonly offset: number; readonly mask: number }
  | { readonly op: "truncate"; readonly length: number };

/** One mutation with the sentence that names it. */
export interface MutationStep {
  readonly description: string;
  readonly edits: readonly Edit[];
}

/** What to do to a seed for one fuzz case. */
export interface MutationPlan {
  readonly steps: readonly MutationStep[];
  /**
   * Offset of the mutant's first byte inside its ArrayBuffer: a Node Buffer may sit at an
   * offset inside a pooled ArrayBuffer (STYLE.md "Lazy readers"), so readers must honour it.
   */
  readonly byteOffset: number;
}

const SHT_NOBITS = 8;

/** Names of sections whose first bytes are worth aiming at: every reader goes through one. */
export const TARGET_SECTIONS: readonly string[] = [
  ".gopclntab",
  ".data.rel.ro.gopclntab",
  ".go.buildinfo",
  ".noptrdata",
  ".note.go.buildid",
  ".note.gnu.build-id",
  ".debug_info",
  ".zdebug_info",
  ".debug_abbrev",
  ".zdebug_abbrev",
  ".debug_line",
  ".zdebug_line",
  ".debug_str",
  ".debug_line_str",
  ".debug_aranges",
  ".zdebug_aranges",
  ".debug_ranges",
  ".zdebug_ranges",
  ".debug_rnglists",
  ".debug_loc",
  ".zdebug_loc",
  ".debug_loclists",
  ".debug_addr",
  ".debug_frame",
  ".zdebug_frame",
  ".symtab",
  ".strtab",
  ".shstrtab",
  ".typelink",
  ".itablink",
];

/** Reads the ELF64 file header and section table of a seed; undefined when it is not ELF64. */
export function readElfLayout(bytes: Uint8Array): ElfLayout | undefined {
  if (bytes.byteLength < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46 || bytes[4] !== 2) return undefined;
  const isLittleEndian = bytes[5] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, isLittleEndian);
  const u32 = (at: number): number => view.getUint32(at, isLittleEndian);
  const u64 = (at: number): number => Number(view.getBigUint64(at, isLittleEndian));
  const phoff = u64(0x20);
  const shoff = u64(0x28);
  const phentsize = u16(0x36);
  const phnum = u16(0x38);
  const shentsize = u16(0x3a);
  const shnum = u16(0x3c);
  const shstrndx = u16(0x3e);
  if (shentsize !== 64 || shoff + shnum * 64 > bytes.byteLength) return undefined;
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    raw.push({ index: i, nameOffset: u32(h), type: u32(h + 4), flags: u64(h + 8), address: u64(h + 0x10), headerOffset: h, offset: u64(h + 0x18), size: u64(h + 0x20) });
  }
  const names = raw[shstrndx];
  const nameOf = (at: number): string => {
    if (names === undefined) return "";
    let end = names.offset + at;
    while (end < bytes.byteLength && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(names.offset + at, end));
  };
  const sections = raw.map((s) => ({ index: s.index, name: nameOf(s.nameOffset), type: s.type, flags: s.flags, address: s.address, headerOffset: s.headerOffset, offset: s.offset, size: s.size }));
  const structures = locateStructures(bytes, sections.filter((s) => s.type !== SHT_NOBITS), isLittleEndian);
  return { isLittleEndian, size: bytes.byteLength, phoff, phentsize, phnum, shoff, shentsize, sections, structures };
}

/** mulberry32: a small PRNG whose whole state is one 32-bit number. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The PRNG seed of case `caseIndex` in run `runSeed`. */
export function caseSeed(runSeed: number, caseIndex: number): number {
  return Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(caseIndex + 1, 0xc2b2ae35);
}

/** Fields of the ELF64 file header: name, offset, width in bytes. */
const ELF_HEADER_FIELDS: readonly (readonly [string, number, 1 | 2 | 4 | 8])[] = [
  ["EI_CLASS", 4, 1],
  ["EI_DATA", 5, 1],
  ["EI_VERSION", 6, 1],
  ["e_type", 0x10, 2],
  ["e_machine", 0x12, 2],
  ["e_version", 0x14, 4],
  ["e_entry", 0x18, 8],
  ["e_phoff", 0x20, 8],
  ["e_shoff", 0x28, 8],
  ["e_ehsize", 0x34, 2],
  ["e_phentsize", 0x36, 2],
  ["e_phnum", 0x38, 2],
  ["e_shentsize", 0x3a, 2],
  ["e_shnum", 0x3c, 2],
  ["e_shstrndx", 0x3e, 2],
];

const SECTION_HEADER_FIELDS: readonly (readonly [string, number, 4 | 8])[] = [
  // sh_name, sh_offset and sh_size twice: they are what a reader follows first.
  ["sh_name", 0, 4],
  ["sh_name", 0, 4],
  ["sh_type", 4, 4],
  ["sh_flags", 8, 8],
  ["sh_addr", 0x10, 8],
  ["sh_offset", 0x18, 8],
  ["sh_offset", 0x18, 8],
  ["sh_size", 0x20, 8],
  ["sh_size", 0x20, 8],
  ["sh_link", 0x28, 4],
  ["sh_info", 0x2c, 4],
  ["sh_addralign", 0x30, 8],
  ["sh_entsize", 0x38, 8],
];

const PROGRAM_HEADER_FIELDS: readonly (readonly [string, number, 4 | 8])[] = [
  ["p_type", 0, 4],
  ["p_flags", 4, 4],
  ["p_offset", 8, 8],
  ["p_vaddr", 0x10, 8],
  ["p_filesz", 0x20, 8],
  ["p_memsz", 0x28, 8],
  ["p_align", 0x30, 8],
];

/** Builds the mutation plan of one case; the same arguments always give the same plan. */
export function planMutation(seed: Uint8Array, layout: ElfLayout, seedOfCase: number): MutationPlan {
  const next = randomSource(seedOfCase);
  const below = (n: number): number => (n <= 0 ? 0 : next() % n);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[below(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  const size = layout.size;
  const sectionLabel = (s: SeedSection): string => `section ${s.index} (${s.name === "" ? "unnamed" : s.name})`;
  const inFile = layout.sections.filter((s) => s.type !== SHT_NOBITS && s.size > 0 && s.offset + s.size <= size);
  const targets = inFile.filter((s) => TARGET_SECTIONS.includes(s.name));

  /** Values that break length and offset checks, for a field `width` bytes wide now holding `current`. */
  const interesting = (width: 1 | 2 | 4 | 8, current: bigint): bigint => {
    const max = (1n << BigInt(8 * width)) - 1n;
    const candidates = [0n, 0n, 0xffffffffn, 1n, 0x80n, 0x7fn, max, max - 1n, 0xffffffffn, 0x7fffffffn, 0x80000000n, 0x100000000n, BigInt(size), BigInt(size) - 1n, BigInt(size) + 1n, (1n << 53n) - 1n, 1n << 53n, 1n << 63n, BigInt(below(size)), current + 1n, current - 1n, current * 2n, current + BigInt(size)];
    const fitting = candidates.filter((v) => v >= 0n && v <= max);
    return pick(fitting);
  };
  const readField = (offset: number, width: number): bigint => {
    let value = 0n;
    for (let i = 0; i < width; i++) {
      const b = BigInt(seed[layout.isLittleEndian ? offset + width - 1 - i : offset + i] ?? 0);
      value = (value << 8n) | b;
    }
    return value;
  };
  const encode = (value: bigint, width: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < width; i++) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
    return layout.isLittleEndian ? out : out.reverse();
  };
  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  const setField = (label: string, offset: number, width: 1 | 2 | 4 | 8): MutationStep => {
    const value = interesting(width, readField(offset, width));
    return { description: `${label} (${width * 8}-bit at file offset 0x${offset.toString(16)}) = ${hex(value)}`, edits: [{ op: "write", offset, bytes: encode(value, width) }] };
  };

  const kinds: readonly (readonly [number, () => MutationStep[]])[] = [
    [
      12,
      () => {
        const flips: MutationStep[] = [];
        for (let n = 1 + below(8); n > 0; n--) {
          const offset = below(size);
          const bit = below(8);
          flips.push({ description: `flip bit ${bit} of byte 0x${offset.toString(16)}`, edits: [{ op: "xor", offset, mask: 1 << bit }] });
        }
        return flips;
      },
    ],
    [
      8,
      () => {
        const length = 1 + below(64);
        const offset = below(size);
        const value = pick([0x00, 0xff, 0x80, 0x7f, below(256)]);
        return [{ description: `${length} bytes at 0x${offset.toString(16)} set to 0x${value.toString(16)}`, edits: [{ op: "write", offset, bytes: new Array<number>(length).fill(value) }] }];
      },
    ],
    [
      10,
      () => {
        const boundaries = new Set<number>([0, 1, 4, 5, 16, 0x18, 0x20, 0x28, 0x3e, 0x40, layout.phoff, layout.phoff + layout.phentsize * layout.phnum, layout.shoff, layout.shoff + 64]);
        for (const s of inFile) for (const b of [s.offset, s.offset + 1, s.offset + s.size - 1, s.offset + s.size]) boundaries.add(b);
        for (const s of layout.sections) boundaries.add(s.headerOffset);
        const length = pick([...boundaries].filter((b) => b >= 0 && b < size).sort((a, b) => a - b));
        const at = inFile.find((s) => s.offset === length || s.offset + s.size === length || s.offset + 1 === length || s.offset + s.size - 1 === length);
        return [{ description: `truncate to 0x${length.toString(16)} bytes${at === undefined ? "" : ` (at an edge of ${sectionLabel(at)})`}`, edits: [{ op: "truncate", length }] }];
      },
    ],
    [
      4,
      () => {
        const length = below(size);
        return [{ description: `truncate to 0x${length.toString(16)} bytes`, edits: [{ op: "truncate", length }] }];
      },
    ],
    [
      12,
      () => {
        const [name, offset, width] = pick(ELF_HEADER_FIELDS);
        return [setField(`ELF header ${name}`, offset, width)];
      },
    ],
    [
      22,
      () => {
        // Aim at named sections half of the time: they are the ones a reader follows.
        const section = targets.length > 0 && below(2) === 0 ? pick(targets) : pick(layout.sections);
        const [name, offset, width] = pick(SECTION_HEADER_FIELDS);
        return [setField(`${sectionLabel(section)} ${name}`, section.headerOffset + offset, width)];
      },
    ],
    [
      6,
      () => {
        if (layout.phnum === 0) return [];
        const index = below(layout.phnum);
        const [name, offset, width] = pick(PROGRAM_HEADER_FIELDS);
        return [setField(`program header ${index} ${name}`, layout.phoff + index * layout.phentsize + offset, width)];
      },
    ],
    [
      26,
      () => {
        if (targets.length === 0) return [];
        const section = pick(targets);
        const span = Math.min(64, section.size);
        const at = (k: number): number => section.offset + k;
        switch (below(3)) {
          case 0: {
            const steps: MutationStep[] = [];
            for (let n = 1 + below(4); n > 0; n--) {
              const k = below(span);
              const bit = below(8);
              steps.push({ description: `flip bit ${bit} of byte ${k} of ${sectionLabel(section)}`, edits: [{ op: "xor", offset: at(k), mask: 1 << bit }] });
            }
            return steps;
          }
          case 1: {
            const width = pick([1, 2, 4, 8] as const);
            const k = Math.max(0, below(Math.floor(span / width)) * width);
            if (k + width > section.size) return [];
            return [setField(`bytes ${k}..${k + width - 1} of ${sectionLabel(section)}`, at(k), width)];
          }
          default: {
            const k = below(span);
            const length = Math.min(span - k, 1 + below(16));
            const bytes = Array.from({ length }, () => below(256));
            return [{ description: `bytes ${k}..${k + length - 1} of ${sectionLabel(section)} set to ${bytes.map((b) => b.toString(16).padStart(2, "0")).join("")}`, edits: [{ op: "write", offset: at(k), bytes }] }];
          }
        }
      },
    ],
    [
      30,
      () => {
        // A length, count or offset inside a section: a unit header, an abbreviation, the
        // pclntab header or a _func record, the build info header, a compression header.
        if (layout.structures.length === 0) return [];
        const field = pick(layout.structures);
        return [setField(field.label, field.offset, field.width)];
      },
    ],
    [
      8,
      () => {
        // Two fields of one kind swapped: each value is plausible, but not where it now is.
        if (layout.structures.length === 0) return [];
        const first = pick(layout.structures);
        const peers = layout.structures.filter((f) => f.group === first.group && f.width === first.width && f.offset !== first.offset);
        if (peers.length === 0) return [setField(first.label, first.offset, first.width)];
        const second = pick(peers);
        const a = encode(readField(first.offset, first.width), first.width);
        const b = encode(readField(second.offset, second.width), second.width);
        return [{ description: `swap ${first.label} (file offset 0x${first.offset.toString(16)}) with ${second.label} (0x${second.offset.toString(16)})`, edits: [{ op: "write", offset: first.offset, bytes: b }, { op: "write", offset: second.offset, bytes: a }] }];
      },
    ],
    [
      3,
      () => {
        // Random bytes: the file replaced by a few KB of noise, sometimes behind a valid ELF ident
        // so that the header reader goes further than the magic.
        const length = Math.min(size - 1, 64 + below(4096));
        const from = below(2) === 0 ? 16 : 0;
        const bytes = Array.from({ length: Math.max(0, length - from) }, () => below(256));
        return [{ description: `replaced by ${length} random bytes${from === 0 ? "" : " after the ELF ident"}`, edits: [{ op: "truncate", length }, { op: "write", offset: from, bytes }] }];
      },
    ],
  ];
  const totalWeight = kinds.reduce((sum, [w]) => sum + w, 0);
  const chooseKind = (): (() => MutationStep[]) => {
    let r = below(totalWeight);
    for (const [w, make] of kinds) {
      if (r < w) return make;
      r -= w;
    }
    return kinds[0]?.[1] ?? (() => []);
  };

  const steps: MutationStep[] = [];
  // Mostly one mutation, sometimes two or three stacked: a corrupt length next to a corrupt offset.
  const count = below(10) < 7 ? 1 : 2 + below(2);
  for (let guard = 0; steps.length < count && guard < 20; guard++) steps.push(...chooseKind()());
  const byteOffset = below(2) === 0 ? 0 : 1 + below(15);
  return { steps, byteOffset };
}

/**
 * Applies the steps to a copy of the seed. The result owns an ArrayBuffer exactly `byteOffset`
 * bytes longer than itself (filled with 0xa5), so a reader that ignores byteOffset or byteLength
 * sees the wrong bytes instead of the seed's.
 */
export function applyMutation(seed: Uint8Array, steps: readonly MutationStep[], byteOffset: number): Uint8Array {
  let length = seed.byteLength;
  for (const step of steps) for (const e of step.edits) if (e.op === "truncate") length = Math.min(length, e.length);
  const buffer = new ArrayBuffer(byteOffset + length);
  new Uint8Array(buffer).fill(0xa5);
  const out = new Uint8Array(buffer, byteOffset, length);
  out.set(seed.subarray(0, length));
  for (const step of steps) {
    for (const e of step.edits) {
      if (e.op === "write") {
        e.bytes.forEach((b, k) => {
          if (e.offset + k < length) out[e.offset + k] = b;
        });
      } else if (e.op === "xor") {
        const old = out[e.offset];
        if (old !== undefined) out[e.offset] = old ^ e.mask;
      }
    }
  }
  return out;
}

/** The plan in one line: its steps, and the view offset when it is not 0. */
export function describePlan(plan: MutationPlan): string {
  const steps = plan.steps.length === 0 ? "no mutation (the seed itself)" : plan.steps.map((s) => s.description).join("; ");
  return plan.byteOffset === 0 ? steps : `${steps} [view at byteOffset ${plan.byteOffset}]`;
}
