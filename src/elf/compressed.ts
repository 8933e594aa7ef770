import { constants as bufferConstants } from "node:buffer";
import { constants, inflateSync } from "node:zlib";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";

// ELF gABI, "Compressed Sections": ch_type values.
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;

/** How a section's bytes are stored in the file. */
export type SectionCompression = "none" | "zlib" | "zdebug";

/** Where a compressed section's stream starts and how large it says it inflates to. */
interface CompressedHeader {
  readonly streamStart: number;
  readonly size: number;
}

/**
 * Reads the compression header of a section: the gABI Elf32/64_Chdr for SHF_COMPRESSED, or the
 * older GNU `.zdebug_*` form ("ZLIB" + 8-byte big-endian size), which Go's linker wrote up to 1.18.
 */
function readCompressedHeader(c: ByteCursor, kind: "zlib" | "zdebug", wordSize: 4 | 8): CompressedHeader {
  if (kind === "zdebug") {
    const magic = c.take(4, "zdebug magic");
    if (magic[0] !== 0x5a || magic[1] !== 0x4c || magic[2] !== 0x49 || magic[3] !== 0x42) {
      throw c.error("zdebug header: no ZLIB magic", 0);
    }
    const big = new ByteCursor(c.bytes, false, c.place);
    return { streamStart: 12, size: big.u64At(4, "zdebug uncompressed size") };
  }
  const type = c.u32At(0, "ch_type");
  if (type === ELFCOMPRESS_ZSTD) {
    throw new GoxrayError("unsupported", c.place.section === undefined ? { file: c.place.file } : { file: c.place.file, section: c.place.section, offset: 0 }, "zstd-compressed section: Node 20 has no zstd decoder");
  }
  if (type !== ELFCOMPRESS_ZLIB) throw c.error(`compression header: unknown ch_type ${type}`, 0);
  return wordSize === 8
    ? { streamStart: 24, size: c.u64At(8, "ch_size") }
    : { streamStart: 12, size: c.u32At(4, "ch_size") };
}

// zlib's smallest output chunk, and the largest this reader asks for at once.
const MIN_CHUNK = 64;
const CHUNK_LIMIT = 32 << 20;

// DEFLATE cannot expand input more than 1032:1 (RFC 1951 block limits), so no stream can
// legitimately need more output than this, whatever its header says.
function outputBound(declared: number, streamBytes: number): number {
  return Math.min(declared, streamBytes * 1032 + 64, bufferConstants.MAX_LENGTH);
}

/**
 * Inflates a whole compressed section, never past the size its header declares; a stream that
 * inflates to another size is `malformed` (a lying header must not buy an unbounded allocation).
 */
export function inflateSection(c: ByteCursor, kind: "zlib" | "zdebug", wordSize: 4 | 8): Uint8Array {
  const header = readCompressedHeader(c, kind, wordSize);
  const stream = c.bytes.subarray(header.streamStart);
  if (header.size === 0) return new Uint8Array(0);
  let out: Buffer;
  try {
    const bound = outputBound(header.size, stream.byteLength);
    // Output in one chunk of the declared size saves zlib's copy of its chunks into one buffer
    // (a third of the time on a 7 MB .debug_info); past CHUNK_LIMIT a size is believed only as
    // the stream proves it, so a lying header cannot buy a large allocation up front.
    out = inflateSync(stream, { maxOutputLength: bound, chunkSize: Math.max(MIN_CHUNK, Math.min(bound, CHUNK_LIMIT)) });
  } catch (err) {
    throw c.error(`zlib stream: ${describeZlibError(err, header.size)}`, header.streamStart);
  }
  if (out.byteLength !== header.size) {
    throw c.error(`zlib stream: inflates to 0x${out.byteLength.toString(16)} bytes, header declares 0x${header.size.toString(16)}`, header.streamStart);
  }
  // A plain view, not the Buffer: readers take many small subarrays, and a Buffer's subarray
  // goes through Buffer's own (slower) constructor each time.
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Inflates only the first bytes of a compressed section (at most `want`), for callers that need
 * a header and not the whole section: a sync-flushed partial stream yields what it has so far.
 */
export function inflateSectionPrefix(c: ByteCursor, kind: "zlib" | "zdebug", wordSize: 4 | 8, want: number): Uint8Array {
  const header = readCompressedHeader(c, kind, wordSize);
  const streamLength = c.length - header.streamStart;
  // A deflate block starts with its Huffman tables (often a few hundred bytes) before any output:
  // feed a growing prefix of the stream until enough comes out, or the whole stream has been fed.
  for (let input = Math.min(streamLength, 4096); ; input = Math.min(streamLength, input * 8)) {
    const stream = c.bytes.subarray(header.streamStart, header.streamStart + input);
    let out: Buffer;
    try {
      out = inflateSync(stream, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: outputBound(header.size, stream.byteLength) });
    } catch (err) {
      throw c.error(`zlib stream: ${describeZlibError(err, header.size)}`, header.streamStart);
    }
    if (out.byteLength >= want || input >= streamLength) return out.subarray(0, Math.min(want, out.byteLength));
  }
}

function describeZlibError(err: unknown, declared: number): string {
  const why = err instanceof Error ? err.message : String(err);
  return /maxOutputLength|larger than/.test(why) ? `inflates past the declared size 0x${declared.toString(16)}` : why;
}
