import type { ByteCursor } from "../bytes/cursor.js";

/** A NUL-terminated string at `offset` of .debug_str or .debug_line_str, as a view. */
export function readStringAt(section: ByteCursor, offset: number): Uint8Array {
  return section.cstringAt(offset, "string");
}

/**
 * The .debug_str offset that entry `index` of a unit's .debug_str_offsets contribution holds
 * (DWARF 5 §7.26): `base` is the unit's DW_AT_str_offsets_base, pointing past the contribution header.
 */
export function readStringOffset(offsets: ByteCursor, base: number, index: number, offsetSize: 4 | 8): number {
  return offsets.wordAt(base + index * offsetSize, offsetSize, `str_offsets entry ${index}`);
}
