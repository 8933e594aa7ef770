import type { ByteCursor } from "../bytes/cursor.js";
import type { PcRange } from "./pc-range.js";

// Far more entries than any function's ranges; a list that long is corrupt or hostile.
const MAX_ENTRIES = 1 << 20;

/**
 * The range list at `offset` of .debug_ranges (DWARF 2–4 §2.17.3): address pairs relative to
 * `baseAddress` (the unit's low_pc), a base-address-selection entry (begin all ones) changes the
 * base, and (0, 0) ends the list.
 */
export function readRangeList(ranges: ByteCursor, offset: number, addressSize: 4 | 8, baseAddress: number): PcRange[] {
  const out: PcRange[] = [];
  ranges.seek(offset);
  let base = baseAddress;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const beginBig = readAddress(ranges, addressSize);
    const endBig = readAddress(ranges, addressSize);
    if (beginBig === 0n && endBig === 0n) return out;
    if (beginBig === allOnes(addressSize)) {
      base = toNumber(ranges, endBig);
      continue;
    }
    const low = base + toNumber(ranges, beginBig);
    const high = base + toNumber(ranges, endBig);
    if (high > low) out.push({ low, high });
  }
  throw ranges.error(`range list at 0x${offset.toString(16)} has more than ${MAX_ENTRIES} entries`, offset);
}

/** An address-sized value as a bigint, so that all-ones markers survive. */
export function readAddress(c: ByteCursor, addressSize: 4 | 8): bigint {
  if (addressSize === 4) return BigInt(c.u32("address"));
  const v = c.u64BigAt(c.pos, "address");
  c.skip(8);
  return v;
}

export function allOnes(addressSize: 4 | 8): bigint {
  return addressSize === 4 ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn;
}

/** An address as a number; an address above 2^53−1 is malformed input here, not a real Go PC. */
export function toNumber(c: ByteCursor, v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw c.error(`address 0x${v.toString(16)} above 2^53-1`, Math.max(0, c.pos - 8));
  return Number(v);
}
