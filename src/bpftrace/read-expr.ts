import type { PlacedPiece } from "../abi/placement.js";

/**
 * The bpftrace expression that reads one placed piece where a uprobe fires: at the function's
 * entry (or the first instruction after its stack check, which moves neither SP nor an argument
 * register) for arguments, at a RET for results (SP is back at its entry value there). Registers
 * through `reg()`, memory through `*(T*)(reg("sp") + N)`: never `argN`, `sargN` (gone from 0.25)
 * or DWARF `args`, which read the C ABI's registers (docs/bpftrace-versions.md "What goxray takes").
 * Undefined for a piece no uprobe can read: a floating-point register, or raw bytes.
 */
export function readPiece(piece: PlacedPiece): string | undefined {
  const type = scalarType(piece);
  if (type === undefined) return undefined;
  const location = piece.location;
  if (location.kind === "register") {
    const name = location.register.bpftraceName;
    // A register holds the piece in its low bytes and the rest is unspecified: the cast keeps
    // exactly the piece (a narrow int's upper bits are garbage; docs/bpftrace-versions.md).
    if (name === undefined) return undefined;
    // reg() is a uint64 already (0.27 warns about a cast that changes nothing).
    return type === "uint64" ? `reg("${name}")` : `(${type})reg("${name}")`;
  }
  return `*(${type}*)(reg("sp") + ${location.offset})`;
}

/** The bpftrace integer type of a piece's bytes: signed for signed ints, unsigned for the rest (floats as their bits). */
function scalarType(piece: PlacedPiece): string | undefined {
  if (piece.encoding === "bytes") return undefined;
  if (piece.size !== 1 && piece.size !== 2 && piece.size !== 4 && piece.size !== 8) return undefined;
  return `${piece.encoding === "signed" ? "int" : "uint"}${piece.size * 8}`;
}

/** The bpftrace expression of the `size`-byte word at `address + offset` in the traced process (a pointer, an int). */
export function readMemory(address: string, offset: number, size: 1 | 2 | 4 | 8, isSigned: boolean): string {
  const type = `${isSigned ? "int" : "uint"}${size * 8}`;
  return offset === 0 ? `*(${type}*)(${address})` : `*(${type}*)(${address} + ${offset})`;
}
