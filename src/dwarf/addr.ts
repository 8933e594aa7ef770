import type { ByteCursor } from "../bytes/cursor.js";

/**
 * Address `index` of a unit's .debug_addr contribution (DWARF 5 §7.27): `base` is the unit's
 * DW_AT_addr_base, which points past the contribution header.
 */
export function readAddressAt(addrs: ByteCursor, base: number, index: number, addressSize: 4 | 8): number {
  return addrs.wordAt(base + index * addressSize, addressSize, `debug_addr entry ${index}`);
}
