import { baseValues, findUnplaceable, type PlacedPiece, type PlacedValue } from "../abi/placement.js";
import type { GoType } from "../model/go-type.js";
import type { PrintfBuilder } from "./printf-builder.js";
import { readMemory, readPiece } from "./read-expr.js";
import { shownName } from "./shown-name.js";

/** How the script prints: Go-like text for people, or one JSON object per event for programs. */
export type OutputMode = "text" | "json";

/** What value printing needs besides the value. */
export interface PrintContext {
  readonly mode: OutputMode;
  /** At most this many bytes of a string or byte slice are printed (the real length is printed too). */
  readonly stringBytes: number;
  /** The probe's `$` variable holding the load bias (runtime address − link-time address); undefined unless PIE. */
  readonly bias: string | undefined;
  /** The script's map from link-time type descriptor addresses to Go type names (type-names.ts). */
  readonly typeNameMap: string;
  /**
   * Link-time addresses of the type descriptors whose values point at a Go string header, so that
   * an interface holding one can show its text: `*errors.errorString` in an error, `string` in an `any`.
   */
  readonly messageTypes: readonly number[];
  /** How many pointers deep to follow (--deref): a pointer to a struct, string, … prints what it points at too. */
  readonly deref: number;
  /** The stack a buf() takes: its length is a variable, so bpftrace sizes it for the longest string it allows (64 on 0.17). */
  readonly bufBytes: number;
  /** Print every string's length after it (the variant printed when one is cut; text mode). */
  readonly showsLengths: boolean;
  /** Leave out the optional markers (a cut string's "…", the quotes around an error's text) that cost BPF stack on 0.17. */
  readonly isCompact: boolean;
}

/**
 * Prints one placed value. Text mode writes Go syntax (`{X:10 Y:-20}`, `"gopher"`, `0xc000012000`),
 * JSON mode a JSON value: 64-bit numbers as numbers (jq keeps them exact), pointers as "0x…"
 * strings, strings as {len, hex} (bpftrace's %r escapes no quote, so text would not be JSON).
 * A value no uprobe can read prints as such, never as a number.
 */
export function printValue(b: PrintfBuilder, value: PlacedValue, context: PrintContext): void {
  if (value.home.kind === "unknown") {
    unreadable(b, context, `unknown placement: ${value.home.why}`);
    return;
  }
  const pieces = { list: value.pieces.map(placedSource), next: 0 };
  printType(b, value.type, pieces, context, context.deref);
}

/** Where the compiler's DWARF puts part of a value at some PC (an inlined copy's first instruction). */
export interface LocatedPiece {
  /** The part's byte range within the value. */
  readonly offset: number;
  readonly size: number;
  readonly place:
    | { readonly kind: "register"; readonly name: string; readonly bpftraceName: string }
    /** In memory at SP + offset, SP being its value where the probe fires. */
    | { readonly kind: "stack"; readonly offset: number }
    | { readonly kind: "none"; readonly why: string };
}

/**
 * Prints a value from the compiler's locations instead of the ABI's: each base value is read
 * from the located part that holds it (a register only when the part starts with it, since a
 * register holds its part in its low bytes), and printed as not readable when no part does.
 */
export function printLocatedValue(b: PrintfBuilder, type: GoType, located: readonly LocatedPiece[] | string, context: PrintContext): void {
  if (typeof located === "string") {
    unreadable(b, context, located);
    return;
  }
  if (findUnplaceable(type) !== undefined) {
    unreadable(b, context, `type ${type.name} cannot be read`);
    return;
  }
  const list: SourcePiece[] = [];
  for (const base of baseValues(type, "")) {
    if (list.length === MAX_DEREF_PIECES) {
      unreadable(b, context, `${type.name} has too many parts`);
      return;
    }
    const part = located.find((p) => p.offset <= base.offset && base.offset + base.size <= p.offset + p.size);
    const bits = `${base.encoding === "signed" ? "int" : "uint"}${base.size * 8}`;
    let expression: string | undefined;
    let where = "no location";
    if (part?.place.kind === "register" && part.offset === base.offset) {
      expression = bits === "uint64" ? `reg("${part.place.bpftraceName}")` : `(${bits})reg("${part.place.bpftraceName}")`;
      where = part.place.name;
    } else if (part?.place.kind === "stack") {
      const at = part.place.offset + base.offset - part.offset;
      expression = `*(${bits}*)(reg("sp") + ${at})`;
      where = `sp+${at}`;
    } else if (part?.place.kind === "none") {
      where = part.place.why;
    }
    list.push({ expression, size: base.size, encoding: base.encoding, where });
  }
  printType(b, type, { list, next: 0 }, context, context.deref);
}

/** A `$` variable holding `length` clamped to 0..`max`: how many bytes (or elements) a buf() may read. */
function clampedLength(b: PrintfBuilder, length: string, max: number | string): string {
  const shown = b.variable(length);
  b.statement(`if (${shown} < 0) { ${shown} = 0; }`);
  b.statement(`if (${shown} > ${max}) { ${shown} = ${max}; }`);
  return shown;
}

/** One piece ready to print: the expression that reads it (undefined when no uprobe can), and where it is. */
interface SourcePiece {
  readonly expression: string | undefined;
  readonly size: number;
  readonly encoding: PlacedPiece["encoding"];
  /** "RAX", "X0", "sp+8", "*(p+16)": for the reason a piece cannot be read. */
  readonly where: string;
}

function placedSource(piece: PlacedPiece): SourcePiece {
  const where = piece.location.kind === "register" ? piece.location.register.name : `sp+${piece.location.offset}`;
  return { expression: readPiece(piece), size: piece.size, encoding: piece.encoding, where };
}

// A pointee with more base values than this is not followed: each is one printf argument.
const MAX_DEREF_PIECES = 32;

/** The pieces of a `type` value at the address in `pointer` (a `$` variable), read from memory. */
function memorySource(type: GoType, pointer: string): SourcePiece[] | undefined {
  if (findUnplaceable(type) !== undefined) return undefined;
  const list: SourcePiece[] = [];
  for (const base of baseValues(type, "")) {
    if (list.length === MAX_DEREF_PIECES) return undefined;
    const size = base.size;
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return undefined;
    list.push({ expression: readMemory(pointer, base.offset, size, base.encoding === "signed"), size, encoding: base.encoding, where: `*(${pointer}+${base.offset})` });
  }
  return list;
}

interface PieceStream {
  readonly list: readonly SourcePiece[];
  next: number;
}

function take(pieces: PieceStream): SourcePiece | undefined {
  return pieces.list[pieces.next++];
}

function printType(b: PrintfBuilder, type: GoType, pieces: PieceStream, context: PrintContext, deref: number): void {
  if (type.size === 0) {
    b.text(type.kind === "array" ? "[]" : "{}");
    return;
  }
  const first = pieces.list[pieces.next];
  if (first?.encoding === "bytes") {
    // A value too large to split (placement.ts MAX_PIECES): say its size, never guess at it.
    pieces.next++;
    unreadable(b, context, `${first.size} bytes not decoded`);
    return;
  }
  switch (type.kind) {
    case "bool": {
      const read = readOrSkip(b, pieces, context);
      if (read !== undefined) b.conversion("%s", `${read} ? "true" : "false"`);
      return;
    }
    case "int":
    case "int8":
    case "int16":
    case "int32":
    case "int64": {
      const read = readOrSkip(b, pieces, context);
      if (read !== undefined) b.conversion("%ld", read);
      return;
    }
    case "uint":
    case "uint8":
    case "uint16":
    case "uint32":
    case "uint64":
    case "uintptr": {
      const read = readOrSkip(b, pieces, context);
      if (read !== undefined) b.conversion("%lu", read);
      return;
    }
    case "float32":
    case "float64":
      printFloat(b, type.size, take(pieces), context);
      return;
    case "complex64":
    case "complex128":
      printComplex(b, type.size / 2, take(pieces), take(pieces), context);
      return;
    case "pointer": {
      const read = readOrSkip(b, pieces, context);
      if (read === undefined) return;
      const pointee = deref > 0 && type.elem.size > 0 ? memorySource(type.elem, read) : undefined;
      if (pointee === undefined) {
        address(b, context, read);
        return;
      }
      // A nil pointer reads as zeros (the read fails): the address printed first says which it is.
      b.text(context.mode === "json" ? '{"ptr":' : "");
      address(b, context, read);
      b.text(context.mode === "json" ? ',"deref":' : "->");
      printType(b, type.elem, { list: pointee, next: 0 }, context, deref - 1);
      if (context.mode === "json") b.text("}");
      return;
    }
    case "map":
    case "chan": {
      const read = readOrSkip(b, pieces, context);
      if (read !== undefined) printContainer(b, type, read, context);
      return;
    }
    case "func":
    case "unsafe.Pointer": {
      const read = readOrSkip(b, pieces, context);
      if (read !== undefined) address(b, context, read);
      return;
    }
    case "string": {
      const ptr = readOrSkip(b, pieces, context);
      const len = readOrSkip(b, pieces, context);
      if (ptr !== undefined && len !== undefined) printBytes(b, ptr, len, context, "string");
      return;
    }
    case "slice":
      printSlice(b, type, pieces, context);
      return;
    case "interface":
      printInterface(b, type.isEmpty, pieces, context);
      return;
    case "struct": {
      b.text("{");
      let first = true;
      for (const field of type.fields) {
        if (!first) b.text(context.mode === "json" ? "," : " ");
        first = false;
        b.text(context.mode === "json" ? `${JSON.stringify(field.name)}:` : `${shownName(field.name)}:`);
        printType(b, field.type, pieces, context, deref);
      }
      b.text("}");
      return;
    }
    case "array":
      b.text("[");
      for (let i = 0; i < type.length; i++) {
        if (i > 0) b.text(context.mode === "json" ? "," : " ");
        printType(b, type.elem, pieces, context, deref);
      }
      b.text("]");
      return;
    case "unknown":
      unreadable(b, context, `type ${type.name} unknown`);
      return;
    default: {
      const never: never = type;
      throw new RangeError(`unexpected type ${JSON.stringify(never)}`);
    }
  }
}

/** Reads the next piece into a variable; prints "not readable" and returns undefined when no uprobe can read it. */
function readOrSkip(b: PrintfBuilder, pieces: PieceStream, context: PrintContext): string | undefined {
  const piece = take(pieces);
  const expression = piece?.expression;
  if (piece === undefined || expression === undefined) {
    unreadable(b, context, piece === undefined ? "missing piece" : `in ${piece.where}`);
    return undefined;
  }
  return b.variable(expression);
}

/** Text `<not readable: why>`; JSON `{"unreadable":"why"}`. */
function unreadable(b: PrintfBuilder, context: PrintContext, why: string): void {
  b.text(context.mode === "json" ? `{"unreadable":${JSON.stringify(why)}}` : `<not readable: ${shownName(why)}>`);
}

function address(b: PrintfBuilder, context: PrintContext, expression: string): void {
  b.text(context.mode === "json" ? '"0x' : "0x");
  b.conversion("%lx", expression);
  if (context.mode === "json") b.text('"');
}

/**
 * A float in a vector register cannot be read by any uprobe (pt_regs has no XMM or V registers);
 * one in memory (the stack ABI) prints as its IEEE bits, which bpftrace cannot format as a number.
 */
function printFloat(b: PrintfBuilder, size: number, piece: SourcePiece | undefined, context: PrintContext): void {
  const expression = piece?.expression;
  if (piece === undefined || expression === undefined) {
    unreadable(b, context, piece === undefined ? "missing piece" : `float in ${piece.where}, which eBPF cannot read`);
    return;
  }
  const bits = b.variable(expression);
  b.text(context.mode === "json" ? `{"float${size * 8}bits":"0x` : `float${size * 8}frombits(0x`);
  b.conversion("%lx", bits);
  b.text(context.mode === "json" ? '"}' : ")");
}

function printComplex(b: PrintfBuilder, half: number, real: SourcePiece | undefined, imag: SourcePiece | undefined, context: PrintContext): void {
  b.text(context.mode === "json" ? '{"real":' : "complex(");
  printFloat(b, half, real, context);
  b.text(context.mode === "json" ? ',"imag":' : ", ");
  printFloat(b, half, imag, context);
  b.text(context.mode === "json" ? "}" : ")");
}

/**
 * `len` bytes at `ptr`, at most context.stringBytes of them: text `"…"` through %r (exact bytes,
 * NULs included, non-printable bytes as \xNN), followed by `…` when cut; JSON
 * `{"len":N,"hex":"67 6f"}` (%rh: bytes in hex, so the JSON stays valid whatever the bytes).
 */
function printBytes(b: PrintfBuilder, ptr: string, len: string, context: PrintContext, kind: "string" | "bytes"): void {
  const shown = clampedLength(b, len, context.stringBytes);
  if (context.mode === "json") {
    b.text('{"len":');
    b.conversion("%ld", len);
    b.text(',"hex":"');
    b.conversion("%rh", `buf(${ptr}, ${shown})`, context.bufBytes);
    b.text('"}');
    return;
  }
  b.text(kind === "string" ? '"' : 'bytes("');
  b.conversion("%r", `buf(${ptr}, ${shown})`, context.bufBytes);
  b.text('"');
  if (context.showsLengths) {
    b.conversion("%s", `${len} > ${context.stringBytes} ? "…" : ""`);
    b.text("(len ");
    b.conversion("%ld", len);
    b.text(")");
  } else if (!context.isCompact) {
    b.conversion("%s", `${len} > ${context.stringBytes} ? "…" : ""`);
    b.cutConditions.push(`${len} > ${context.stringBytes}`);
  }
  if (kind === "bytes") b.text(")");
}

/**
 * A map's or channel's length (and a channel's capacity), read through its pointer: a map points
 * at its header, whose first word is the count (runtime.hmap.count up to Go 1.23,
 * internal/runtime/maps.Map.used from 1.24); a channel at runtime.hchan {qcount, dataqsiz, …}.
 * A nil map or channel has length 0.
 */
function printContainer(b: PrintfBuilder, type: GoType, pointer: string, context: PrintContext): void {
  const len = b.variable("(int64)0");
  const cap = type.kind === "chan" ? b.variable("(int64)0") : undefined;
  b.statement(`if (${pointer} != 0) { ${len} = ${readMemory(pointer, 0, 8, true)};${cap === undefined ? "" : ` ${cap} = ${readMemory(pointer, 8, 8, true)};`} }`);
  if (context.mode === "json") {
    b.text('{"ptr":');
    address(b, context, pointer);
    b.text(',"len":');
    b.conversion("%ld", len);
    if (cap !== undefined) {
      b.text(',"cap":');
      b.conversion("%ld", cap);
    }
    b.text("}");
    return;
  }
  b.text(`${shownName(type.name)}(len=`);
  b.conversion("%ld", len);
  if (cap !== undefined) {
    b.text(" cap=");
    b.conversion("%ld", cap);
  }
  b.text(" ");
  address(b, context, pointer);
  b.text(")");
}

/**
 * Element kinds whose values a slice's JSON carries as memory (--json): fixed-size numbers and
 * addresses. trace --run decodes the same set back (src/run/script-values.ts).
 */
export const SCALAR_ELEMENTS: ReadonlySet<GoType["kind"]> = new Set(["bool", "int", "int8", "int16", "int32", "int64", "uint", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "pointer", "unsafe.Pointer", "map", "chan", "func"]);

/** A slice: its length, capacity and address; a []byte or []uint8 also its first bytes, and in JSON the first elements of other scalar slices. */
function printSlice(b: PrintfBuilder, type: Extract<GoType, { kind: "slice" }>, pieces: PieceStream, context: PrintContext): void {
  const ptr = readOrSkip(b, pieces, context);
  const len = readOrSkip(b, pieces, context);
  const cap = readOrSkip(b, pieces, context);
  if (ptr === undefined || len === undefined || cap === undefined) return;
  const isBytes = type.elem.kind === "uint8" && type.elem.size === 1;
  // A []string's first strings, where the stack allows (a compact printf leaves them out).
  const strings = type.elem.kind === "string" && type.elem.size === 16 && !context.isCompact ? readStringSlots(b, ptr, len, context) : undefined;
  if (context.mode === "json") {
    b.text('{"ptr":');
    address(b, context, ptr);
    b.text(',"len":');
    b.conversion("%ld", len);
    b.text(',"cap":');
    b.conversion("%ld", cap);
    if (isBytes) {
      b.text(',"bytes":');
      printBytes(b, ptr, len, context, "bytes");
    } else if (SCALAR_ELEMENTS.has(type.elem.kind) && [1, 2, 4, 8].includes(type.elem.size)) {
      // The first elements' memory, whole elements only: a reader decodes them by size and kind
      // (little-endian on amd64 and arm64); as many as fit the string size.
      const size = type.elem.size;
      const count = Math.floor(context.stringBytes / size);
      const shown = clampedLength(b, len, count);
      b.text(`,"elems":{"kind":"${type.elem.kind}","size":${size},"count":`);
      b.conversion("%ld", shown);
      b.text(',"hex":"');
      b.conversion("%rh", `buf(${ptr}, ${shown} * ${size})`, context.bufBytes);
      b.text('"}');
    } else if (strings !== undefined) {
      // Always STRING_SLOTS entries; one past the slice's length has len -1.
      b.text(',"strings":[');
      strings.forEach((slot, i) => {
        if (i > 0) b.text(",");
        b.text('{"len":');
        b.conversion("%ld", slot.len);
        b.text(',"hex":"');
        b.conversion("%rh", `buf(${slot.ptr}, ${slot.shown})`, context.bufBytes);
        b.text('"}');
      });
      b.text("]");
    }
    b.text("}");
    return;
  }
  b.text(`${shownName(type.name)}(len=`);
  b.conversion("%ld", len);
  b.text(" cap=");
  b.conversion("%ld", cap);
  b.text(" ");
  address(b, context, ptr);
  if (isBytes) {
    b.text(" ");
    printBytes(b, ptr, len, context, "bytes");
  }
  b.text(")");
  if (strings !== undefined) {
    // Slots past the length print nothing at all: their quotes are chosen by the length too.
    b.text("[");
    strings.forEach((slot, i) => {
      b.conversion("%s", `${slot.len} >= 0 ? "${i > 0 ? " " : ""}\\"" : ""`);
      b.conversion("%r", `buf(${slot.ptr}, ${slot.shown})`, context.bufBytes);
      b.conversion("%s", `${slot.len} >= 0 ? "\\"" : ""`);
    });
    b.conversion("%s", `${len} > ${strings.length} ? " …" : ""`);
    b.text("]");
  }
}

/** How many strings of a []string a probe reads. */
const STRING_SLOTS = 4;

/** The first STRING_SLOTS strings of a []string: each slot's pointer, length (-1 past the slice's length) and the bytes shown. */
function readStringSlots(b: PrintfBuilder, ptr: string, len: string, context: PrintContext): { ptr: string; len: string; shown: string }[] {
  const slots: { ptr: string; len: string; shown: string }[] = [];
  for (let i = 0; i < STRING_SLOTS; i++) {
    const p = b.variable("(uint64)0");
    const l = b.variable("(int64)-1");
    b.statement(`if (${len} > ${i}) { ${p} = ${readMemory(ptr, 16 * i, 8, false)}; ${l} = ${readMemory(ptr, 16 * i + 8, 8, true)}; }`);
    const shown = clampedLength(b, l, context.stringBytes);
    slots.push({ ptr: p, len: l, shown });
  }
  return slots;
}

/**
 * An interface: its dynamic type's name, looked up by its type descriptor (the first word of an
 * `any`, the second word of a non-empty interface's itab) in the script's map of descriptors
 * (load bias removed), and its data word; for the message types, the string the data points at.
 */
function printInterface(b: PrintfBuilder, isEmpty: boolean, pieces: PieceStream, context: PrintContext): void {
  const tab = readOrSkip(b, pieces, context);
  const data = readOrSkip(b, pieces, context);
  if (tab === undefined || data === undefined) return;
  const key = b.variable(isEmpty ? tab : "(uint64)0");
  if (!isEmpty) b.statement(`if (${tab} != 0) { ${key} = ${readMemory(tab, 8, 8, false)}; }`);
  if (context.bias !== undefined) b.statement(`if (${key} != 0) { ${key} = ${key} - ${context.bias}; }`);
  // The name: looked up inside the printf, not into a variable (on 0.17 every string costs BPF
  // stack); without the map (a probe too big for 0.17's stack), the descriptor's address.
  const printName = (): void => {
    if (context.typeNameMap !== "") b.conversion("%s", `${context.typeNameMap}[${key}]`);
    else {
      b.text("type@0x");
      b.conversion("%lx", key);
    }
  };
  const message = context.messageTypes.length === 0 ? undefined : readMessage(b, key, data, context);
  if (context.mode === "json") {
    b.text('{"type":"');
    printName();
    b.text('","tab":');
    address(b, context, tab);
    b.text(',"data":');
    address(b, context, data);
    b.text(',"message":');
    if (message === undefined) b.text('{"len":-1,"hex":""}');
    else printBytes(b, message.ptr, message.len, context, "string");
    b.text("}");
    return;
  }
  printName();
  b.text("(");
  address(b, context, data);
  if (message !== undefined) {
    const shown = clampedLength(b, message.len, context.stringBytes);
    if (context.isCompact) {
      // The text without its quotes: "(0xc000010250 disk full)"; nothing after the space for other types.
      b.text(" ");
      b.conversion("%r", `buf(${message.ptr}, ${shown})`, context.bufBytes);
    } else {
      b.conversion("%s", `${message.len} >= 0 ? " \\"" : ""`);
      b.conversion("%r", `buf(${message.ptr}, ${shown})`, context.bufBytes);
      b.conversion("%s", `${message.len} >= 0 ? "\\"" : ""`);
    }
  }
  b.text(")");
}

/** For a message type's value, the string header its data word points at (length -1 for any other type). */
function readMessage(b: PrintfBuilder, key: string, data: string, context: PrintContext): { ptr: string; len: string } {
  const isMessage = context.messageTypes.map((a) => `${key} == 0x${a.toString(16)}`).join(" || ");
  const ptr = b.variable("(uint64)0");
  const len = b.variable("(int64)-1");
  b.statement(`if (${isMessage}) { ${ptr} = ${readMemory(data, 0, 8, false)}; ${len} = ${readMemory(data, 8, 8, true)}; }`);
  return { ptr, len };
}
