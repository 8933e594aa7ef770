import type { ByteCursor } from "../bytes/cursor.js";
import * as C from "./constants.js";
import { readForm, type FormValue } from "./forms.js";
import type { UnitHeader } from "./unit-header.js";

/** The header of one line number program (DWARF 5 §6.2.4): the tables a program's rows index. */
export interface LineProgramHeader {
  readonly offset: number;
  readonly end: number;
  readonly version: number;
  readonly programStart: number;
  readonly minInstructionLength: number;
  readonly maxOpsPerInstruction: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  readonly standardOpcodeLengths: readonly number[];
  readonly directories: readonly FormValue[];
  /** File entries: path (a string form) and directory index. */
  readonly files: readonly { readonly path: FormValue | undefined; readonly directory: number }[];
  readonly addressSize: 4 | 8;
  readonly offsetSize: 4 | 8;
}

// More entries than any real table has; a count this high in a header is corrupt input.
const MAX_TABLE = 1 << 20;

/** Reads the line program header at `offset` of .debug_line (versions 2–5). */
export function readLineProgramHeader(c: ByteCursor, offset: number, unit: UnitHeader): LineProgramHeader {
  c.seek(offset);
  let length = c.u32("unit_length");
  let offsetSize: 4 | 8 = 4;
  if (length === 0xffff_ffff) {
    offsetSize = 8;
    length = c.u64("unit_length");
  }
  if (length > c.remaining) throw c.error(`line program: unit_length 0x${length.toString(16)} runs past the end of the section`, offset);
  const end = c.pos + length;
  const version = c.u16("line program version");
  if (version < 2 || version > 5) throw c.error(`line program: version ${version} is not supported`, c.pos - 2);
  let addressSize = unit.addressSize;
  if (version >= 5) {
    const size = c.u8("address_size");
    if (size !== 4 && size !== 8) throw c.error(`line program: address_size ${size}`, c.pos - 1);
    addressSize = size;
    c.u8("segment_selector_size");
  }
  const headerLength = c.word(offsetSize, "header_length");
  const programStart = c.pos + headerLength;
  if (programStart > end) throw c.error("line program: header_length runs past the unit", c.pos - offsetSize);
  const minInstructionLength = c.u8("minimum_instruction_length");
  const maxOpsPerInstruction = version >= 4 ? c.u8("maximum_operations_per_instruction") : 1;
  const defaultIsStmt = c.u8("default_is_stmt") !== 0;
  const lineBase = (c.u8("line_base") << 24) >> 24;
  const lineRange = c.u8("line_range");
  if (lineRange === 0) throw c.error("line program: line_range is 0", c.pos - 1);
  const opcodeBase = c.u8("opcode_base");
  const standardOpcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(c.u8("standard_opcode_lengths"));
  const lineUnit: UnitHeader = { ...unit, offsetSize, addressSize, version: Math.max(unit.version, 2) };
  const directories: FormValue[] = [];
  const files: { path: FormValue | undefined; directory: number }[] = [];
  if (version >= 5) {
    for (const entry of readEntryTable(c, lineUnit, "directory")) directories.push(entry.path ?? { kind: "string", bytes: new Uint8Array(0) });
    for (const entry of readEntryTable(c, lineUnit, "file name")) files.push(entry);
  } else {
    for (;;) {
      const dir = c.cstring("include_directories");
      if (dir.byteLength === 0) break;
      directories.push({ kind: "string", bytes: dir });
      if (directories.length > MAX_TABLE) throw c.error("line program: too many directories");
    }
    // DWARF 2–4 file indices start at 1; keep index 0 as "no file".
    files.push({ path: undefined, directory: 0 });
    for (;;) {
      const name = c.cstring("file_names");
      if (name.byteLength === 0) break;
      const directory = c.uleb("directory index");
      c.uleb("mtime");
      c.uleb("length");
      files.push({ path: { kind: "string", bytes: name }, directory });
      if (files.length > MAX_TABLE) throw c.error("line program: too many files");
    }
  }
  return { offset, end, version, programStart, minInstructionLength, maxOpsPerInstruction, defaultIsStmt, lineBase, lineRange, opcodeBase, standardOpcodeLengths, directories, files, addressSize, offsetSize };
}

function readEntryTable(c: ByteCursor, unit: UnitHeader, what: string): { path: FormValue | undefined; directory: number }[] {
  const formatCount = c.u8(`${what} entry format count`);
  const types: number[] = [];
  const forms: number[] = [];
  for (let i = 0; i < formatCount; i++) {
    types.push(c.uleb("content type"));
    forms.push(c.uleb("form"));
  }
  // DWARF 5 §6.2.4.1 allows only forms that take bytes here; with one that takes none, a count
  // (up to MAX_TABLE) of entries of up to 255 formats would loop for nothing.
  for (const [k, form] of forms.entries()) {
    if (form === C.DW_FORM_flag_present || form === C.DW_FORM_implicit_const) throw c.error(`line program: ${what} entry format ${k} has form 0x${form.toString(16)}, which takes no bytes`);
  }
  const countAt = c.pos;
  const count = c.uleb(`${what} count`);
  if (count > MAX_TABLE) throw c.error(`line program: ${count} ${what}s`, countAt);
  if (count > 0 && formatCount === 0) throw c.error(`line program: ${count} ${what} entries with no entry format`, countAt);
  // Every entry takes a byte at least: more entries than bytes left is a corrupt count.
  if (count > c.remaining) throw c.error(`line program: ${count} ${what} entries in 0x${c.remaining.toString(16)} bytes`, countAt);
  const out: { path: FormValue | undefined; directory: number }[] = [];
  for (let i = 0; i < count; i++) {
    let path: FormValue | undefined;
    let directory = 0;
    for (let k = 0; k < formatCount; k++) {
      const type = types[k] as number;
      const form = forms[k] as number;
      // Go writes every path as DW_FORM_string and every directory index as DW_FORM_udata: read
      // those directly (a table has a few hundred entries per unit, thousands of units per binary).
      if (form === C.DW_FORM_udata && type === C.DW_LNCT_directory_index) {
        directory = c.uleb("directory index");
        continue;
      }
      const value = form === C.DW_FORM_string ? ({ kind: "string", bytes: c.cstring("file name") } as const) : readForm(c, form, unit, undefined);
      if (type === C.DW_LNCT_path) path = value;
      else if (type === C.DW_LNCT_directory_index && value.kind === "constant") directory = value.value;
    }
    out.push({ path, directory });
  }
  return out;
}
