/**
 * LEB128 decoding (DWARF 5 §7.6), also Go's uvarint/varint (encoding/binary), which is the same
 * unsigned encoding. Decoders write where they stopped into a caller-owned `LebEnd`, so the hot
 * path allocates nothing.
 *
 * Redundant padding bytes (0x80 … 0x00) are accepted: assemblers pad ULEBs that are patched
 * later, and such values are still exact. What is refused is a value wider than the result type.
 */
export interface LebEnd {
  /** Index just past the last byte read. */
  next: number;
  /** Why decoding failed; undefined when it did not. */
  problem: string | undefined;
}

const MAX_BYTES = 10; // 64 bits need at most ceil(64/7) = 10 bytes.

/** Unsigned LEB128 at `pos` as a number; sets `end.problem` if unterminated or above 2^53−1. */
export function decodeUleb128(bytes: Uint8Array, pos: number, end: LebEnd): number {
  let value = 0;
  let scale = 1;
  let i = pos;
  end.problem = undefined;
  for (;;) {
    const b = bytes[i];
    if (b === undefined) {
      end.next = i;
      end.problem = "LEB128 value runs past the end";
      return NaN;
    }
    i++;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
    if (i - pos >= MAX_BYTES) {
      end.next = i;
      end.problem = "LEB128 value longer than 10 bytes";
      return NaN;
    }
  }
  end.next = i;
  if (value > Number.MAX_SAFE_INTEGER) {
    end.problem = "LEB128 value above 2^53-1";
    return NaN;
  }
  return value;
}

/** Signed LEB128 at `pos` as a number; sets `end.problem` if unterminated or outside ±(2^53−1). */
export function decodeSleb128(bytes: Uint8Array, pos: number, end: LebEnd): number {
  let value = 0;
  let scale = 1;
  let i = pos;
  let b = 0;
  end.problem = undefined;
  for (;;) {
    const next = bytes[i];
    if (next === undefined) {
      end.next = i;
      end.problem = "LEB128 value runs past the end";
      return NaN;
    }
    b = next;
    i++;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) break;
    if (i - pos >= MAX_BYTES) {
      end.next = i;
      end.problem = "LEB128 value longer than 10 bytes";
      return NaN;
    }
  }
  end.next = i;
  // Up to 7 bytes (49 bits) the float sum is exact; longer encodings go through bigint.
  if (i - pos > 7) return signedFromBigint(bytes, pos, i, end);
  if (b & 0x40) value -= scale; // sign bit of the last byte set: extend
  if (!Number.isSafeInteger(value)) {
    end.problem = "LEB128 value outside ±(2^53-1)";
    return NaN;
  }
  return value;
}

function signedFromBigint(bytes: Uint8Array, pos: number, stop: number, end: LebEnd): number {
  let value = 0n;
  let shift = 0n;
  for (let i = pos; i < stop; i++) {
    value |= BigInt((bytes[i] as number) & 0x7f) << shift;
    shift += 7n;
  }
  if (((bytes[stop - 1] as number) & 0x40) !== 0) value -= 1n << shift;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    end.problem = "LEB128 value outside ±(2^53-1)";
    return NaN;
  }
  return Number(value);
}

/** Unsigned LEB128 as a bigint, for values that may use all 64 bits (DW_OP_constu, DW_FORM_udata constants). */
export function decodeUleb128Big(bytes: Uint8Array, pos: number, end: LebEnd): bigint {
  return decodeBig(bytes, pos, end, false);
}

/** Signed LEB128 as a bigint, for constants that use all 64 bits (DW_FORM_sdata, DW_OP_consts). */
export function decodeSleb128Big(bytes: Uint8Array, pos: number, end: LebEnd): bigint {
  return decodeBig(bytes, pos, end, true);
}

function decodeBig(bytes: Uint8Array, pos: number, end: LebEnd, isSigned: boolean): bigint {
  let value = 0n;
  let shift = 0n;
  let i = pos;
  end.problem = undefined;
  for (;;) {
    const b = bytes[i];
    if (b === undefined) {
      end.next = i;
      end.problem = "LEB128 value runs past the end";
      return 0n;
    }
    i++;
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (isSigned && (b & 0x40) !== 0) value -= 1n << shift;
      break;
    }
    if (i - pos >= MAX_BYTES) {
      end.next = i;
      end.problem = "LEB128 value longer than 10 bytes";
      return 0n;
    }
  }
  end.next = i;
  const fits = isSigned ? value <= 0x7fff_ffff_ffff_ffffn && value >= -0x8000_0000_0000_0000n : value <= 0xffff_ffff_ffff_ffffn;
  if (!fits) {
    end.problem = "LEB128 value wider than 64 bits";
    return 0n;
  }
  return value;
}

// DWARF does not bound LEB128 length; 128-bit constants take 19 bytes. Longer is corrupt.
const MAX_SKIP_BYTES = 32;

/** Index just past the LEB128 at `pos`, whatever its value; -1 when it does not end within bounds. */
export function skipLeb128(bytes: Uint8Array, pos: number): number {
  for (let i = pos; i < bytes.length && i - pos < MAX_SKIP_BYTES; i++) {
    if (((bytes[i] as number) & 0x80) === 0) return i + 1;
  }
  return -1;
}
