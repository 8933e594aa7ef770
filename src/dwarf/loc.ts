import type { ByteCursor } from "../bytes/cursor.js";
import { allOnes, readAddress, toNumber } from "./ranges.js";

/** One entry of a location list: where a value is while the PC is in [low, high). */
export interface LocationListEntry {
  readonly low: number;
  readonly high: number;
  /** The DW_OP bytes describing the location over this range (a view into the section). */
  readonly expr: Uint8Array;
}

const MAX_ENTRIES = 1 << 20;

/**
 * The location list at `offset` of .debug_loc (DWARF 2–4 §2.6.2): address pairs relative to the
 * unit's base address, each followed by a 2-byte expression length and the expression.
 */
export function readLocList(c: ByteCursor, offset: number, addressSize: 4 | 8, baseAddress: number): LocationListEntry[] {
  const out: LocationListEntry[] = [];
  c.seek(offset);
  let base = baseAddress;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const begin = readAddress(c, addressSize);
    const end = readAddress(c, addressSize);
    if (begin === 0n && end === 0n) return out;
    if (begin === allOnes(addressSize)) {
      base = toNumber(c, end);
      continue;
    }
    const expr = c.take(c.u16("location expression length"), "location expression");
    out.push({ low: base + toNumber(c, begin), high: base + toNumber(c, end), expr });
  }
  throw c.error(`location list at 0x${offset.toString(16)} has more than ${MAX_ENTRIES} entries`, offset);
}
