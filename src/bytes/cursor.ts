import { GoxrayError } from "../errors.js";
import { decodeSleb128, decodeSleb128Big, decodeUleb128, decodeUleb128Big, skipLeb128, type LebEnd } from "./leb128.js";
import { u64ToSafeNumber } from "./u64.js";

/** Where a cursor's bytes came from, so that every error can name the file, section and offset. */
interface CursorPlace {
  readonly file: string;
  /** Section name as readelf shows it; absent for file-level structures (ELF header, segments). */
  readonly section?: string;
  /** Offset of the cursor's first byte within the section (or the file when `section` is absent). */
  readonly base: number;
  /** Set when the section was inflated, so that offsets are known to be into decompressed bytes. */
  readonly isDecompressed?: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Decodes bytes as UTF-8, replacing invalid sequences; one shared decoder for the whole program. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

// Node's Buffer decodes a range of any Uint8Array in place, with the same replacement of invalid
// sequences as TextDecoder, several times faster for the short names DWARF is made of (no view
// object per string).
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (this: Uint8Array, start: number, end: number) => string }).utf8Slice;

/** Decodes bytes [start, end) as UTF-8 like `decodeUtf8`, without making a view of them. */
export function decodeUtf8Range(bytes: Uint8Array, start: number, end: number): string {
  return utf8Slice === undefined ? utf8.decode(bytes.subarray(start, end)) : utf8Slice.call(bytes, start, end);
}

/**
 * Bounds-checked reads over a window of bytes. Every read is checked before it happens: a typed
 * array read out of range returns undefined and a DataView throws a RangeError that names neither
 * section nor offset, so neither is allowed to reach the readers.
 */
export class ByteCursor {
  readonly bytes: Uint8Array;
  readonly isLittleEndian: boolean;
  readonly place: CursorPlace;
  /** Read position, relative to `bytes`. */
  pos = 0;
  private readonly view: DataView;
  private readonly lebEnd: LebEnd = { next: 0, problem: undefined };

  constructor(bytes: Uint8Array, isLittleEndian: boolean, place: CursorPlace, view?: DataView) {
    this.bytes = bytes;
    this.isLittleEndian = isLittleEndian;
    this.place = place;
    // A Node Buffer may sit at an offset inside a pooled ArrayBuffer.
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  /** Offset of the read position in the section (or file), as errors report it. */
  get offset(): number {
    return this.place.base + this.pos;
  }

  /** A `malformed` error at `pos` (default: the read position). */
  error(detail: string, pos = this.pos): GoxrayError {
    const place = this.place;
    const suffix = place.isDecompressed === true ? " (offset into decompressed bytes)" : "";
    return new GoxrayError(
      "malformed",
      place.section === undefined
        ? { file: place.file, offset: place.base + pos }
        : { file: place.file, section: place.section, offset: place.base + pos },
      detail + suffix,
    );
  }

  seek(pos: number): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos > this.bytes.byteLength) {
      throw this.error(`seek to 0x${pos.toString(16)} outside 0x${this.bytes.byteLength.toString(16)} bytes`, this.pos);
    }
    this.pos = pos;
  }

  skip(n: number): void {
    this.seek(this.pos + n);
  }

  /** Throws unless `n` bytes are readable at `pos`. */
  need(pos: number, n: number, what: string): void {
    if (!Number.isSafeInteger(pos) || !Number.isSafeInteger(n) || pos < 0 || n < 0 || pos > this.bytes.byteLength - n) {
      throw this.error(`${what}: needs ${n} bytes, ${Math.max(0, this.bytes.byteLength - pos)} left`, Math.max(0, Math.min(pos, this.bytes.byteLength)));
    }
  }

  u8At(pos: number, what = "u8"): number {
    this.need(pos, 1, what);
    return this.view.getUint8(pos);
  }
  u16At(pos: number, what = "u16"): number {
    this.need(pos, 2, what);
    return this.view.getUint16(pos, this.isLittleEndian);
  }
  u32At(pos: number, what = "u32"): number {
    this.need(pos, 4, what);
    return this.view.getUint32(pos, this.isLittleEndian);
  }
  i32At(pos: number, what = "i32"): number {
    this.need(pos, 4, what);
    return this.view.getInt32(pos, this.isLittleEndian);
  }
  /** A 64-bit unsigned field as a number; throws if it exceeds 2^53−1. */
  u64At(pos: number, what = "u64"): number {
    this.need(pos, 8, what);
    const first = this.view.getUint32(pos, this.isLittleEndian);
    const second = this.view.getUint32(pos + 4, this.isLittleEndian);
    const value = this.isLittleEndian ? u64ToSafeNumber(first, second) : u64ToSafeNumber(second, first);
    if (value === undefined) throw this.error(`${what}: 64-bit value above 2^53-1`, pos);
    return value;
  }
  /** A 64-bit field as a bigint, for data that really uses 64 bits. */
  u64BigAt(pos: number, what = "u64"): bigint {
    this.need(pos, 8, what);
    return this.view.getBigUint64(pos, this.isLittleEndian);
  }
  /** An unsigned field of 4 or 8 bytes (a pointer-sized word, an ELF class-dependent field). */
  wordAt(pos: number, size: 4 | 8, what = "word"): number {
    return size === 8 ? this.u64At(pos, what) : this.u32At(pos, what);
  }

  u8(what?: string): number {
    const v = this.u8At(this.pos, what);
    this.pos += 1;
    return v;
  }
  u16(what?: string): number {
    const v = this.u16At(this.pos, what);
    this.pos += 2;
    return v;
  }
  u32(what?: string): number {
    const v = this.u32At(this.pos, what);
    this.pos += 4;
    return v;
  }
  i32(what?: string): number {
    const v = this.i32At(this.pos, what);
    this.pos += 4;
    return v;
  }
  u64(what?: string): number {
    const v = this.u64At(this.pos, what);
    this.pos += 8;
    return v;
  }
  word(size: 4 | 8, what?: string): number {
    const v = this.wordAt(this.pos, size, what);
    this.pos += size;
    return v;
  }

  uleb(what = "ULEB128"): number {
    const v = decodeUleb128(this.bytes, this.pos, this.lebEnd);
    this.takeLeb(what);
    return v;
  }
  sleb(what = "SLEB128"): number {
    const v = decodeSleb128(this.bytes, this.pos, this.lebEnd);
    this.takeLeb(what);
    return v;
  }
  ulebBig(what = "ULEB128"): bigint {
    const v = decodeUleb128Big(this.bytes, this.pos, this.lebEnd);
    this.takeLeb(what);
    return v;
  }
  slebBig(what = "SLEB128"): bigint {
    const v = decodeSleb128Big(this.bytes, this.pos, this.lebEnd);
    this.takeLeb(what);
    return v;
  }
  /** Moves past one LEB128 of any value (signed or unsigned), without decoding it. */
  skipLeb(what = "LEB128"): void {
    const next = skipLeb128(this.bytes, this.pos);
    if (next < 0) throw this.error(`${what}: unterminated or longer than 32 bytes`);
    this.pos = next;
  }
  private takeLeb(what: string): void {
    const problem = this.lebEnd.problem;
    if (problem !== undefined) throw this.error(`${what}: ${problem}`);
    this.pos = this.lebEnd.next;
  }

  /** `n` bytes at the read position, as a view (never a copy). */
  take(n: number, what = "bytes"): Uint8Array {
    this.need(this.pos, n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The bytes up to the next NUL (excluded) as a view; moves past the NUL. */
  cstring(what = "string"): Uint8Array {
    const v = this.cstringAt(this.pos, what);
    this.pos += v.byteLength + 1;
    return v;
  }
  cstringAt(pos: number, what = "string"): Uint8Array {
    this.need(pos, 0, what);
    const nul = this.bytes.indexOf(0, pos);
    if (nul < 0) throw this.error(`${what}: no terminating NUL before the end`, pos);
    return this.bytes.subarray(pos, nul);
  }

  /** A cursor over the same bytes with its own position (at 0). */
  clone(): ByteCursor {
    // The same bytes: the view is shared (entry cursors are made tens of thousands of times).
    return new ByteCursor(this.bytes, this.isLittleEndian, this.place, this.view);
  }

  /** A cursor over [pos, pos+length) of this one, for a sub-structure; offsets stay section-relative. */
  window(pos: number, length: number, what: string): ByteCursor {
    this.need(pos, length, what);
    return new ByteCursor(this.bytes.subarray(pos, pos + length), this.isLittleEndian, {
      ...this.place,
      base: this.place.base + pos,
    });
  }
}
