// Where the length, count and offset fields of a seed's inner structures sit: DWARF unit headers
// (.debug_info, .debug_line), abbreviation tables, the pclntab header, its functab and `_func`
// records, the build info header, and compression headers. The fuzzer aims its field mutations
// at them, because a reader trusts these fields first. Found by a small parse of our own from the
// unmutated seed, so the fuzzer does not ask the code under test where to hit it.

/** One field of the seed: what it is, where (file offset) and how wide. */
export interface StructureField {
  readonly label: string;
  readonly offset: number;
  readonly width: 1 | 2 | 4 | 8;
  /** Fields of one group (e.g. every unit_length) may be swapped with each other. */
  readonly group: string;
}

/** A section as readElfLayout saw it, with what this file needs. */
export interface SectionSpan {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly flags: number;
}

// ELF gABI: sh_flags bit of a section stored with an Elf64_Chdr in front.
const SHF_COMPRESSED = 0x800;

/** At most this many fields of one kind are kept: enough to aim at, few enough to stay small. */
const MAX_PER_KIND = 400;

/** The fields of every structure the seed holds in readable (uncompressed) form. */
export function locateStructures(bytes: Uint8Array, sections: readonly SectionSpan[], isLittleEndian: boolean): StructureField[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inFile = (at: number, width: number): boolean => at >= 0 && at + width <= bytes.byteLength;
  const u8 = (at: number): number => (inFile(at, 1) ? view.getUint8(at) : 0);
  const u16 = (at: number): number => (inFile(at, 2) ? view.getUint16(at, isLittleEndian) : 0);
  const u32 = (at: number): number => (inFile(at, 4) ? view.getUint32(at, isLittleEndian) : 0);
  const u64 = (at: number): number => (inFile(at, 8) ? Number(view.getBigUint64(at, isLittleEndian)) : 0);
  const fields: StructureField[] = [];
  const add = (group: string, label: string, offset: number, width: 1 | 2 | 4 | 8): void => {
    if (inFile(offset, width)) fields.push({ group, label, offset, width });
  };
  const section = (name: string): SectionSpan | undefined => sections.find((s) => s.name === name && s.size > 0 && inFile(s.offset, s.size));
  const isPlain = (s: SectionSpan): boolean => (s.flags & SHF_COMPRESSED) === 0 && !s.name.startsWith(".zdebug");

  // Compression headers: Elf64_Chdr (ch_type, ch_size) or ".zdebug" "ZLIB" + big-endian size.
  for (const s of sections) {
    if (s.size < 12 || !inFile(s.offset, 12)) continue;
    if ((s.flags & SHF_COMPRESSED) !== 0) {
      add("chdr-type", `${s.name} ch_type`, s.offset, 4);
      add("chdr-size", `${s.name} ch_size`, s.offset + 8, 8);
    } else if (s.name.startsWith(".zdebug")) {
      add("zdebug-size", `${s.name} zdebug size`, s.offset + 4, 8);
    }
  }

  // .debug_info unit headers: DWARF 5 §7.5.1.1, DWARF 4 §7.5.1.1.
  const abbrevOffsets = new Set<number>();
  const info = section(".debug_info");
  if (info !== undefined && isPlain(info)) {
    let at = info.offset;
    const end = info.offset + info.size;
    for (let n = 0; at + 11 <= end && n < MAX_PER_KIND; n++) {
      let length = u32(at);
      let header = at + 4;
      const is64 = length === 0xffffffff;
      if (is64) {
        length = u64(at + 4);
        header = at + 12;
      }
      const unit = `.debug_info unit at 0x${(at - info.offset).toString(16)}`;
      add("unit_length", `${unit} unit_length`, is64 ? at + 4 : at, is64 ? 8 : 4);
      const version = u16(header);
      add("version", `${unit} version`, header, 2);
      const wordWidth = is64 ? 8 : 4;
      if (version >= 5) {
        add("unit_type", `${unit} unit_type`, header + 2, 1);
        add("address_size", `${unit} address_size`, header + 3, 1);
        add("abbrev_offset", `${unit} debug_abbrev_offset`, header + 4, wordWidth);
        abbrevOffsets.add(wordWidth === 8 ? u64(header + 4) : u32(header + 4));
      } else {
        add("abbrev_offset", `${unit} debug_abbrev_offset`, header + 2, wordWidth);
        add("address_size", `${unit} address_size`, header + 2 + wordWidth, 1);
        abbrevOffsets.add(wordWidth === 8 ? u64(header + 2) : u32(header + 2));
      }
      if (length === 0) break;
      at = header + length;
    }
  }

  // Abbreviation tables: (code, tag, children, (attribute, form)* 0 0)* 0, all ULEB128 but
  // children; each ULEB byte is a 1-byte field (0x80 makes it run on into the next).
  const abbrev = section(".debug_abbrev");
  if (abbrev !== undefined && isPlain(abbrev)) {
    const end = abbrev.offset + abbrev.size;
    let kept = 0;
    const uleb = (at: number): { value: number; next: number } => {
      let value = 0;
      let shift = 0;
      let p = at;
      for (; p < end; p++) {
        const b = u8(p);
        value += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) return { value, next: p + 1 };
      }
      return { value, next: end };
    };
    for (const tableOffset of [...abbrevOffsets].sort((a, b) => a - b)) {
      let at = abbrev.offset + tableOffset;
      while (at < end && kept < MAX_PER_KIND) {
        const code = uleb(at);
        if (code.value === 0) break;
        const where = `abbrev 0x${code.value.toString(16)} (.debug_abbrev+0x${(at - abbrev.offset).toString(16)})`;
        add("abbrev-code", `${where} code`, at, 1);
        const tag = uleb(code.next);
        add("abbrev-tag", `${where} tag`, code.next, 1);
        add("abbrev-children", `${where} children`, tag.next, 1);
        kept += 3;
        at = tag.next + 1;
        for (;;) {
          const name = uleb(at);
          const form = uleb(name.next);
          if (name.value === 0 && form.value === 0) {
            at = form.next;
            break;
          }
          add("abbrev-attr", `${where} attribute at +0x${(at - abbrev.offset).toString(16)}`, at, 1);
          add("abbrev-form", `${where} form of attribute 0x${name.value.toString(16)}`, name.next, 1);
          kept += 2;
          // DW_FORM_implicit_const (0x21) carries its value in the table.
          at = form.value === 0x21 ? uleb(form.next).next : form.next;
          if (at >= end) break;
        }
      }
    }
  }

  // .debug_line unit headers: unit_length, version, header_length (DWARF 4 §6.2.4).
  const line = section(".debug_line");
  if (line !== undefined && isPlain(line)) {
    let at = line.offset;
    const end = line.offset + line.size;
    for (let n = 0; at + 10 <= end && n < MAX_PER_KIND / 4; n++) {
      const length = u32(at);
      if (length === 0xffffffff || length === 0) break;
      const unit = `.debug_line unit at 0x${(at - line.offset).toString(16)}`;
      add("unit_length", `${unit} unit_length`, at, 4);
      add("version", `${unit} version`, at + 4, 2);
      const version = u16(at + 4);
      add("header_length", `${unit} header_length`, version >= 5 ? at + 8 : at + 6, 4);
      if (version >= 5) {
        // DWARF 5 §6.2.4: after opcode_base's lengths, the directory then the file entry formats
        // (a u8 count, ULEB pairs) and counts (ULEB): counts a reader loops over.
        const opcodeBase = u8(at + 17);
        let p = at + 18 + Math.max(0, opcodeBase - 1);
        for (const table of ["directory", "file name"]) {
          const formats = u8(p);
          add("line-format-count", `${unit} ${table} entry format count`, p, 1);
          p++;
          for (let k = 0; k < formats; k++) {
            add("line-form", `${unit} ${table} entry format ${k} form`, p + 1, 1);
            p += 2;
          }
          add("line-count", `${unit} ${table} count`, p, 1);
          // Entries follow; only the directory table's end is needed, so stop after the first table
          // unless its count is 0.
          if (u8(p) !== 0) break;
          p++;
        }
      }
      at += 4 + length;
    }
  }

  fields.push(...locatePclntab(section(".gopclntab") ?? section(".data.rel.ro.gopclntab"), { u8, u32, u64, add }));
  fields.push(...locateBuildInfo(section(".go.buildinfo"), u8));
  return fields;
}

interface Readers {
  readonly u8: (at: number) => number;
  readonly u32: (at: number) => number;
  readonly u64: (at: number) => number;
  readonly add: (group: string, label: string, offset: number, width: 1 | 2 | 4 | 8) => void;
}

// runtime/symtab.go's magics (Go 1.2, 1.16, 1.18, 1.20) and what follows each.
const MAGIC_12 = 0xfffffffb;
const MAGIC_116 = 0xfffffffa;
const MAGIC_118 = 0xfffffff0;
const MAGIC_120 = 0xfffffff1;

/**
 * The pclntab header's words and, for a sample of functions (main.* and runtime.mallocgc first,
 * which check and trace read), the functab entry and the `_func` fields a reader follows.
 */
function locatePclntab(s: SectionSpan | undefined, r: Readers): StructureField[] {
  if (s === undefined) return [];
  const fields: StructureField[] = [];
  const add = (group: string, label: string, offset: number, width: 1 | 2 | 4 | 8): void => {
    if (offset >= s.offset && offset + width <= s.offset + s.size) fields.push({ group, label, offset, width });
  };
  const base = s.offset;
  const magic = r.u32(base);
  if (![MAGIC_12, MAGIC_116, MAGIC_118, MAGIC_120].includes(magic)) return [];
  const ptrSize = r.u8(base + 7);
  if (ptrSize !== 8) return [];
  const wordWidth = 8 as const;
  const word = (i: number): number => r.u64(base + 8 + i * ptrSize);
  add("pclntab-magic", "pclntab magic", base, 4);
  add("pclntab-byte", "pclntab pad byte 4", base + 4, 1);
  add("pclntab-byte", "pclntab quantum", base + 6, 1);
  add("pclntab-byte", "pclntab ptrsize", base + 7, 1);
  add("pclntab-count", "pclntab nfunc", base + 8, wordWidth);
  const isText = magic === MAGIC_118 || magic === MAGIC_120;
  const funcCount = word(0);
  let functab: number;
  let funcBase: number;
  let nameBase: number;
  if (magic === MAGIC_12) {
    functab = base + 8 + ptrSize;
    funcBase = base;
    nameBase = base;
    add("pclntab-offset", "pclntab filetab offset (after the functab)", functab + funcCount * 2 * ptrSize + ptrSize, 4);
  } else {
    add("pclntab-count", "pclntab nfiles", base + 8 + ptrSize, wordWidth);
    const first = isText ? 3 : 2;
    if (isText) add("pclntab-offset", "pclntab textStart", base + 8 + 2 * ptrSize, wordWidth);
    const names = ["funcnameOffset", "cuOffset", "filetabOffset", "pctabOffset", "pclnOffset"];
    names.forEach((name, k) => add("pclntab-offset", `pclntab ${name}`, base + 8 + (first + k) * ptrSize, wordWidth));
    functab = base + word(first + 4);
    funcBase = functab;
    nameBase = base + word(first);
  }
  const entryWidth = isText ? 4 : ptrSize;
  const nameOf = (nameoff: number): string => {
    let text = "";
    for (let p = nameBase + nameoff; p < s.offset + s.size && text.length < 80; p++) {
      const b = r.u8(p);
      if (b === 0) break;
      text += String.fromCharCode(b);
    }
    return text;
  };
  // _func after its entry field: nameoff, args, deferreturn, pcsp, pcfile, pcln, npcdata, then
  // (1.16+) cuOffset, (1.20+) startLine, then funcID, flag, pad and nfuncdata bytes.
  const entryField = isText ? 4 : ptrSize;
  const nfuncdataAt = magic === MAGIC_12 ? 28 + 3 : magic === MAGIC_120 ? 36 + 3 : 32 + 3;
  const wanted: number[] = [];
  const others: number[] = [];
  for (let i = 0; i < funcCount && i < 200_000; i++) {
    const funcoff = isText ? r.u32(functab + i * 8 + 4) : r.u64(functab + i * 2 * ptrSize + ptrSize);
    const record = funcBase + funcoff;
    const name = nameOf(r.u32(record + entryField));
    if (name.startsWith("main.") || name === "runtime.mallocgc") wanted.push(i);
    else if (i % 97 === 0) others.push(i);
  }
  for (const i of [...wanted.slice(0, 60), ...others.slice(0, 40)]) {
    const entryAt = functab + i * 2 * entryWidth;
    const funcoffAt = entryAt + entryWidth;
    const funcoff = isText ? r.u32(funcoffAt) : r.u64(funcoffAt);
    const record = funcBase + funcoff;
    const after = record + entryField;
    const name = nameOf(r.u32(after));
    const label = `_func of ${name}`;
    add("functab-entry", `functab entry of ${name}`, entryAt, entryWidth === 4 ? 4 : 8);
    add("functab-funcoff", `functab funcoff of ${name}`, funcoffAt, entryWidth === 4 ? 4 : 8);
    add("func-nameoff", `${label} nameoff`, after, 4);
    add("func-args", `${label} args`, after + 4, 4);
    for (const [field, at] of [["pcsp", 12], ["pcfile", 16], ["pcln", 20]] as const) add("func-pctab", `${label} ${field}`, after + at, 4);
    add("func-count", `${label} npcdata`, after + 24, 4);
    add("func-count", `${label} nfuncdata`, after + nfuncdataAt, 1);
    if (magic !== MAGIC_12) add("func-cuoffset", `${label} cuOffset`, after + 28, 4);
    // The funcdata offsets follow the pcdata array; FUNCDATA_InlTree is index 3 (ver118+: u32 each).
    const npcdata = r.u32(after + 24);
    const nfuncdata = r.u8(after + nfuncdataAt);
    if (isText && nfuncdata > 0 && npcdata < 64) {
      const funcdata = after + nfuncdataAt + 1 + npcdata * 4;
      for (let k = 0; k < Math.min(nfuncdata, 4); k++) add("funcdata", `${label} funcdata[${k}]`, funcdata + k * 4, 4);
    }
  }
  return fields;
}

/** The build info header: pointer size, flags, and the version and module info lengths or pointers. */
function locateBuildInfo(s: SectionSpan | undefined, u8: (at: number) => number): StructureField[] {
  if (s === undefined || s.size < 32) return [];
  const at = s.offset;
  const fields: StructureField[] = [
    { group: "buildinfo-byte", label: "buildinfo magic byte 1", offset: at + 1, width: 1 },
    { group: "buildinfo-byte", label: "buildinfo pointer size", offset: at + 14, width: 1 },
    { group: "buildinfo-byte", label: "buildinfo flags", offset: at + 15, width: 1 },
  ];
  const flags = u8(at + 15);
  if ((flags & 2) === 0) {
    // Before Go 1.18: two pointers to the runtime strings holding the version and module info.
    fields.push({ group: "buildinfo-pointer", label: "buildinfo version pointer", offset: at + 16, width: 8 });
    fields.push({ group: "buildinfo-pointer", label: "buildinfo modinfo pointer", offset: at + 24, width: 8 });
    return fields;
  }
  // Go 1.18+: two varint-length strings inline from byte 32.
  let p = at + 32;
  for (const what of ["version", "modinfo"]) {
    let length = 0;
    let shift = 0;
    const start = p;
    for (; p < at + s.size; p++) {
      const b = u8(p);
      fields.push({ group: "buildinfo-varint", label: `buildinfo ${what} length byte ${p - start}`, offset: p, width: 1 });
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    p += 1 + length;
  }
  return fields;
}
