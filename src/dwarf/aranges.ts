import type { ByteCursor } from "../bytes/cursor.js";
import { debugInfoOffset, type DebugInfoOffset } from "./offsets.js";
import type { PcRange } from "./pc-range.js";
import { readAddress, toNumber } from "./ranges.js";

/** The PC ranges .debug_aranges assigns to one unit. */
export interface UnitAddressRanges {
  readonly unit: DebugInfoOffset;
  readonly ranges: readonly PcRange[];
}

// Go's linker writes no .debug_aranges; gcc-compiled cgo units and external linkers may.
/** Reads every set of .debug_aranges (DWARF 5 §6.1.2). */
export function readAranges(c: ByteCursor): UnitAddressRanges[] {
  const out: UnitAddressRanges[] = [];
  c.seek(0);
  while (c.remaining > 0) {
    const start = c.pos;
    let length = c.u32("unit_length");
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffff_ffff) {
      offsetSize = 8;
      length = c.u64("unit_length");
    }
    if (length > c.remaining) throw c.error(`aranges: unit_length 0x${length.toString(16)} runs past the end of the section`, start);
    const end = c.pos + length;
    const version = c.u16("aranges version");
    if (version !== 2) throw c.error(`aranges: version ${version} is not supported`, c.pos - 2);
    const unit = debugInfoOffset(c.word(offsetSize, "debug_info_offset"));
    const addressSize = c.u8("address_size");
    if (addressSize !== 4 && addressSize !== 8) throw c.error(`aranges: address_size ${addressSize}`, c.pos - 1);
    c.u8("segment_selector_size");
    // Tuples start at a multiple of twice the address size from the start of the set.
    const tupleSize = 2 * addressSize;
    const pad = (tupleSize - ((c.pos - start) % tupleSize)) % tupleSize;
    c.skip(pad);
    const ranges: PcRange[] = [];
    while (c.pos + tupleSize <= end) {
      const address = readAddress(c, addressSize);
      const size = readAddress(c, addressSize);
      if (address === 0n && size === 0n) break;
      const low = toNumber(c, address);
      ranges.push({ low, high: low + toNumber(c, size) });
    }
    out.push({ unit, ranges });
    c.seek(end);
  }
  return out;
}
