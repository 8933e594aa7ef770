import type { ByteCursor } from "../bytes/cursor.js";
import * as C from "./constants.js";
import type { PcRange } from "./pc-range.js";
import { readAddress, toNumber } from "./ranges.js";

const MAX_ENTRIES = 1 << 20;

/** How a unit resolves indexed addresses (DW_FORM_addrx, DW_RLE_*x, DW_LLE_*x). */
export type AddressIndexReader = (index: number) => number;

/**
 * The range list at `offset` of .debug_rnglists (DWARF 5 §2.17.3, §7.25), ending at
 * DW_RLE_end_of_list. `baseAddress` is the unit's low_pc.
 */
export function readRngList(c: ByteCursor, offset: number, addressSize: 4 | 8, baseAddress: number, addressAt: AddressIndexReader): PcRange[] {
  const out: PcRange[] = [];
  c.seek(offset);
  let base = baseAddress;
  const push = (low: number, high: number): void => {
    if (high > low) out.push({ low, high });
  };
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const at = c.pos;
    const kind = c.u8("DW_RLE kind");
    switch (kind) {
      case C.DW_RLE_end_of_list:
        return out;
      case C.DW_RLE_base_addressx:
        base = addressAt(c.uleb("DW_RLE_base_addressx index"));
        break;
      case C.DW_RLE_startx_endx: {
        const low = addressAt(c.uleb("start index"));
        push(low, addressAt(c.uleb("end index")));
        break;
      }
      case C.DW_RLE_startx_length: {
        const low = addressAt(c.uleb("start index"));
        push(low, low + c.uleb("length"));
        break;
      }
      case C.DW_RLE_offset_pair: {
        const low = base + c.uleb("start offset");
        push(low, base + c.uleb("end offset"));
        break;
      }
      case C.DW_RLE_base_address:
        base = toNumber(c, readAddress(c, addressSize));
        break;
      case C.DW_RLE_start_end: {
        const low = toNumber(c, readAddress(c, addressSize));
        push(low, toNumber(c, readAddress(c, addressSize)));
        break;
      }
      case C.DW_RLE_start_length: {
        const low = toNumber(c, readAddress(c, addressSize));
        push(low, low + c.uleb("length"));
        break;
      }
      default:
        throw c.error(`range list entry kind 0x${kind.toString(16)} is unknown`, at);
    }
  }
  throw c.error(`range list at 0x${offset.toString(16)} has more than ${MAX_ENTRIES} entries`, offset);
}

/**
 * The section offset of list `index` of a unit's .debug_rnglists or .debug_loclists contribution
 * (DWARF 5 §7.28–7.29): an offset table follows the header, at `base` (DW_AT_rnglists_base /
 * DW_AT_loclists_base), and its entries count from `base`.
 */
export function readListOffset(c: ByteCursor, base: number, index: number, offsetSize: 4 | 8): number {
  return base + c.wordAt(base + index * offsetSize, offsetSize, `offset table entry ${index}`);
}
