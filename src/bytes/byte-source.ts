import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { GoxrayError } from "../errors.js";

/**
 * Positioned reads from a binary: an open file, or bytes already in memory.
 * Readers ask only for the ranges they need (headers, then one section at a time), because
 * reading a whole 30 MB binary costs more than parsing the part a command uses.
 */
export interface ByteSource {
  /** The name errors show: the path as the user gave it, or a label for in-memory bytes. */
  readonly name: string;
  readonly size: number;
  /** Bytes [offset, offset+length) of the file; throws `malformed` when the range is outside it. */
  read(offset: number, length: number, what: string): Uint8Array;
  close(): void;
}

/** Opens a file for positioned reads; a missing file, a directory or an unreadable one is an `io` error. */
export function openFileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new GoxrayError("io", { file: path }, `cannot open: ${describeSystemError(err)}`);
  }
  let size: number;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new GoxrayError("io", { file: path }, "is a directory, not a binary");
    if (!stat.isFile()) throw new GoxrayError("io", { file: path }, "is not a regular file");
    size = stat.size;
  } catch (err) {
    closeSync(fd);
    if (err instanceof GoxrayError) throw err;
    throw new GoxrayError("io", { file: path }, `cannot stat: ${describeSystemError(err)}`);
  }
  let isOpen = true;
  return {
    name: path,
    size,
    read(offset, length, what) {
      checkRange(path, size, offset, length, what);
      const bytes = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        let n: number;
        try {
          n = readSync(fd, bytes, done, length - done, offset + done);
        } catch (err) {
          throw new GoxrayError("io", { file: path, offset: offset + done }, `read failed: ${describeSystemError(err)}`);
        }
        // The file shrank under us: report it where it happened rather than return zeros.
        if (n === 0) throw new GoxrayError("io", { file: path, offset: offset + done }, `${what}: file ended early`);
        done += n;
      }
      return bytes;
    },
    close() {
      if (isOpen) {
        isOpen = false;
        closeSync(fd);
      }
    },
  };
}

/** Wraps bytes already in memory; reads return views, not copies. */
export function memorySource(bytes: Uint8Array, name = "<memory>"): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    read(offset, length, what) {
      checkRange(name, bytes.byteLength, offset, length, what);
      return bytes.subarray(offset, offset + length);
    },
    close() {},
  };
}

function checkRange(file: string, size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new GoxrayError("malformed", { file }, `${what}: bad range offset ${offset} length ${length}`);
  }
  if (offset > size || length > size - offset) {
    throw new GoxrayError(
      "malformed",
      { file, offset },
      `${what}: 0x${length.toString(16)} bytes at 0x${offset.toString(16)} run past the end of the file (size 0x${size.toString(16)})`,
    );
  }
}

function describeSystemError(err: unknown): string {
  if (err instanceof Error && "code" in err && typeof err.code === "string") {
    switch (err.code) {
      case "ENOENT":
        return "no such file";
      case "EACCES":
      case "EPERM":
        return "permission denied";
      case "EISDIR":
        return "is a directory";
      default:
        return err.code;
    }
  }
  return String(err);
}
