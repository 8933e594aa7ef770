import type { ByteCursor } from "../bytes/cursor.js";
import * as C from "./constants.js";
import type { LocationListEntry } from "./loc.js";
import { readAddress, toNumber } from "./ranges.js";
import type { AddressIndexReader } from "./rnglists.js";

const MAX_ENTRIES = 1 << 20;

/**
 * The location list at `offset` of .debug_loclists (DWARF 5 §2.6.2, §7.7.3), ending at
 * DW_LLE_end_of_list. A default location (DW_LLE_default_location) covers every PC not listed.
 */
export function readLocLists(c: ByteCursor, offset: number, addressSize: 4 | 8, baseAddress: number, addressAt: AddressIndexReader): LocationListEntry[] {
  const out: LocationListEntry[] = [];
  c.seek(offset);
  let base = baseAddress;
  const expr = (): Uint8Array => c.take(c.uleb("location expression length"), "location expression");
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const at = c.pos;
    const kind = c.u8("DW_LLE kind");
    switch (kind) {
      case C.DW_LLE_end_of_list:
        return out;
      case C.DW_LLE_base_addressx:
        base = addressAt(c.uleb("DW_LLE_base_addressx index"));
        break;
      case C.DW_LLE_startx_endx: {
        const low = addressAt(c.uleb("start index"));
        const high = addressAt(c.uleb("end index"));
        out.push({ low, high, expr: expr() });
        break;
      }
      case C.DW_LLE_startx_length: {
        const low = addressAt(c.uleb("start index"));
        const high = low + c.uleb("length");
        out.push({ low, high, expr: expr() });
        break;
      }
      case C.DW_LLE_offset_pair: {
        const low = base + c.uleb("start offset");
        const high = base + c.uleb("end offset");
        out.push({ low, high, expr: expr() });
        break;
      }
      case C.DW_LLE_default_location:
        out.push({ low: 0, high: Number.MAX_SAFE_INTEGER, expr: expr() });
        break;
      case C.DW_LLE_base_address:
        base = toNumber(c, readAddress(c, addressSize));
        break;
      case C.DW_LLE_start_end: {
        const low = toNumber(c, readAddress(c, addressSize));
        const high = toNumber(c, readAddress(c, addressSize));
        out.push({ low, high, expr: expr() });
        break;
      }
      case C.DW_LLE_start_length: {
        const low = toNumber(c, readAddress(c, addressSize));
        const high = low + c.uleb("length");
        out.push({ low, high, expr: expr() });
        break;
      }
      default:
        throw c.error(`location list entry kind 0x${kind.toString(16)} is unknown`, at);
    }
  }
  throw c.error(`location list at 0x${offset.toString(16)} has more than ${MAX_ENTRIES} entries`, offset);
}
