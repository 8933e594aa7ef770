import type { AbiRegIndex, Arch, ArchName, DwarfRegNum } from "../model/arch.js";
import type { GoKind, GoType } from "../model/go-type.js";

/**
 * What placement takes and what it gives: a signature of typed values in, and for each value its
 * pieces (one per base value: a scalar, a pointer word, a string's length…) each in a register
 * or at a stack offset. Both ABIs (abi0.ts, abi-internal.ts) build this data; hazards and the
 * bpftrace emitter read it and never redo the ABI.
 */

declare const brand: unique symbol;

/**
 * A byte offset from the stack pointer at a function's first instruction, where an entry uprobe
 * fires. It holds at every RET too: amd64 and arm64 Go code pops its frame before RET, so SP is
 * back at its entry value (go-abi.md §4).
 */
export type EntrySpOffset = number & { readonly [brand]: "EntrySpOffset" };

/** The entry-SP offset of byte `frameOffset` of the stack sequence S (abi-internal.md), which starts at the first stack-assigned argument. */
export function entrySpOffset(arch: Arch, frameOffset: number): EntrySpOffset {
  return (arch.firstStackArgOffset + frameOffset) as EntrySpOffset;
}

/** One value of a signature to place: a receiver, parameter or result, in declaration order. */
interface SignatureValue {
  readonly name: string;
  readonly type: GoType;
  readonly isResult: boolean;
}

/** A function signature to place. */
export interface Signature {
  /** Receiver (first, for methods), parameters and results, in declaration order. */
  readonly values: readonly SignatureValue[];
  /**
   * For the body of a generic function or method compiled for a GC shape ("pkg.F[go.shape.int]"),
   * where its hidden dictionary argument (one pointer) goes, as an index into the receiver and
   * parameters; undefined for every other function. The compiler puts it before everything (index 0)
   * in Go 1.18–1.19, and after the receiver in Go 1.20+ (unified IR's noder/reader.go shapeSig keeps
   * the receiver first): the caller decides, from the Go version and whether F is a method.
   */
  readonly dictionaryIndex: number | undefined;
}

/**
 * How to decode a piece's bytes: a two's-complement or unsigned integer, a bool (one byte, 0 or 1),
 * an IEEE float of the piece's size, an address, or raw bytes that goxray does not split further.
 */
type PieceEncoding = "signed" | "unsigned" | "bool" | "float" | "pointer" | "bytes";

/** An argument register holding one piece. */
interface PlacedRegister {
  readonly isFloat: boolean;
  readonly index: AbiRegIndex;
  /** "RAX", "X0", "R0", "F0". */
  readonly name: string;
  /** reg() name for bpftrace; undefined for float registers, which no uprobe can read. */
  readonly bpftraceName: string | undefined;
  readonly dwarf: DwarfRegNum;
}

/** Where one piece is when the function is entered (arguments) or returns (results). */
type PieceLocation =
  | { readonly kind: "register"; readonly register: PlacedRegister }
  | { readonly kind: "stack"; readonly offset: EntrySpOffset };

/**
 * One base value of a placed value. A register holds the piece in its low `size` bytes; the other
 * bytes are not specified (abi-internal.md Rationale: each base value gets a whole register, unpacked).
 */
export interface PlacedPiece {
  /** Go access path from the value's name: "it", "it.SKU.len", "s.ptr", "b.cap", "c.real", "a[0]". */
  readonly path: string;
  /** Byte offset of the piece within the value's memory layout (its stack copy or spill slot). */
  readonly offset: number;
  readonly size: number;
  readonly encoding: PieceEncoding;
  /** The kind of the innermost type the piece belongs to: "int8", "pointer", "map"; "string", "slice", "interface" for their words; "complex128" for its halves; the whole value's for a bytes piece. */
  readonly kind: GoKind;
  readonly location: PieceLocation;
}

/**
 * Why a value is on the stack: the stack ABI has no argument registers; zero-sized values always
 * go there (assignment step 2); a non-trivial array fails register assignment (register-assignment
 * step 10); or the value did not fit in the registers left (step 11).
 */
export type StackReason = "stack-abi" | "zero-size" | "array" | "out-of-registers";

/** Where a whole value is: entirely in registers, entirely on the stack, or not placeable by goxray. */
export type ValueHome =
  /** `spill` is the argument's spill slot (reserved by the caller, not written at the call); undefined for results and when unknown. */
  | { readonly kind: "registers"; readonly spill: EntrySpOffset | undefined }
  | { readonly kind: "stack"; readonly offset: EntrySpOffset; readonly reason: StackReason }
  /** A type goxray cannot read, or a value whose place depends on one; `why` says which. */
  | { readonly kind: "unknown"; readonly why: string };

/** What a placed value is in the signature. */
export type ValueRole = "dictionary" | "argument" | "result";

/** One receiver, parameter, result, or the hidden dictionary, with its pieces. */
export interface PlacedValue {
  readonly name: string;
  readonly role: ValueRole;
  readonly type: GoType;
  readonly home: ValueHome;
  /** In memory order; empty for zero-sized and unknown values. */
  readonly pieces: readonly PlacedPiece[];
}

/** A run of the argument frame: `size` bytes from entry SP + `offset`. */
interface StackArea {
  readonly offset: EntrySpOffset;
  readonly size: number;
}

/** The placement of one function's signature under one ABI on one architecture. */
export interface Placement {
  readonly abi: "register" | "stack";
  readonly arch: ArchName;
  /** The receiver and parameters (with a shape body's dictionary at its index), then the results, in order. */
  readonly values: readonly PlacedValue[];
  /** Stack-assigned receiver and arguments, and the pointer alignment after them (undefined here and below when a value's type is unknown). */
  readonly stackArguments: StackArea | undefined;
  /** Stack-assigned results, and the pointer alignment after them. */
  readonly stackResults: StackArea | undefined;
  /** Spill slots of register-assigned arguments, pointer-aligned (abi-internal.md steps 8–9); size 0 under the stack ABI. */
  readonly spillArea: StackArea | undefined;
  /** Bytes from the first stack argument to the end of the spill area: what pclntab records as the function's args size. */
  readonly argsSize: number | undefined;
}

/** Round `n` up to a multiple of `alignment` (a power of two): abi-internal.md's align(x, y). */
export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** One base value of a type before it is given a place: a piece without a location. */
interface BaseValue {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly encoding: PieceEncoding;
  readonly kind: GoKind;
  /** True for float32/float64 and the halves of complex numbers: they take floating-point registers. */
  readonly isFloat: boolean;
}

// A stack value with more base values than this (a large array) is one "bytes" piece instead.
const MAX_PIECES = 4096;
// Types nest only through struct fields and array elements here; deeper than this is corrupt DWARF.
const MAX_DEPTH = 100;

/**
 * The base values of `type` in memory order, which is also the order of abi-internal.md's
 * register-assignment recursion: struct fields in order (step 7), a string's pointer and length,
 * an interface's two words, a slice's three (step 6), a complex number's real and imaginary parts
 * (step 4), an array's elements (steps 8–10). Zero-sized parts yield nothing. The type must have
 * passed findUnplaceable.
 */
export function* baseValues(type: GoType, path: string, offset = 0): Generator<BaseValue> {
  if (type.size === 0) return;
  const kind = type.kind;
  const word = (suffix: string, at: number, encoding: PieceEncoding): BaseValue => ({ path: `${path}.${suffix}`, offset: offset + at, size: 8, encoding, kind, isFloat: false });
  switch (type.kind) {
    case "bool":
      yield { path, offset, size: type.size, encoding: "bool", kind, isFloat: false };
      return;
    case "int":
    case "int8":
    case "int16":
    case "int32":
    case "int64":
      yield { path, offset, size: type.size, encoding: "signed", kind, isFloat: false };
      return;
    case "uint":
    case "uint8":
    case "uint16":
    case "uint32":
    case "uint64":
    case "uintptr":
      yield { path, offset, size: type.size, encoding: "unsigned", kind, isFloat: false };
      return;
    case "float32":
    case "float64":
      yield { path, offset, size: type.size, encoding: "float", kind, isFloat: true };
      return;
    case "complex64":
    case "complex128": {
      const half = type.size / 2;
      yield { path: `${path}.real`, offset, size: half, encoding: "float", kind, isFloat: true };
      yield { path: `${path}.imag`, offset: offset + half, size: half, encoding: "float", kind, isFloat: true };
      return;
    }
    case "pointer":
    case "map":
    case "chan":
    case "func":
    case "unsafe.Pointer":
      yield { path, offset, size: type.size, encoding: "pointer", kind, isFloat: false };
      return;
    case "string":
      yield word("ptr", 0, "pointer");
      yield word("len", 8, "signed");
      return;
    case "slice":
      yield word("ptr", 0, "pointer");
      yield word("len", 8, "signed");
      yield word("cap", 16, "signed");
      return;
    case "interface":
      // abi-internal.md "Memory layout": interface{} is (type, data); other interfaces (itab, data).
      yield word(type.isEmpty ? "type" : "itab", 0, "pointer");
      yield word("data", 8, "pointer");
      return;
    case "struct":
      for (const field of type.fields) yield* baseValues(field.type, `${path}.${field.name}`, offset + field.offset);
      return;
    case "array":
      for (let i = 0; i < type.length; i++) yield* baseValues(type.elem, `${path}[${i}]`, offset + i * type.elem.size);
      return;
    case "unknown":
      throw new RangeError(`baseValues of unplaceable type ${type.name}`);
    default:
      return unreachable(type);
  }
}

/**
 * The base values of a stack-assigned value, or one "bytes" piece for the whole value when it has
 * more than MAX_PIECES of them (a large array), so that hostile array lengths cost nothing.
 */
export function stackPieces(type: GoType, path: string): BaseValue[] {
  const pieces: BaseValue[] = [];
  for (const base of baseValues(type, path)) {
    if (pieces.length === MAX_PIECES) return [{ path, offset: 0, size: type.size, encoding: "bytes", kind: type.kind, isFloat: false }];
    pieces.push(base);
  }
  return pieces;
}

// The sizes abi-internal.md "Memory layout" gives 64-bit targets; a type read from DWARF that
// disagrees is corrupt, and placing it would put pieces outside the value.
const SIZES_64: Readonly<Partial<Record<GoType["kind"], number>>> = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, int: 8, uint: 8, uintptr: 8,
  float32: 4, float64: 8, complex64: 8, complex128: 16,
  pointer: 8, map: 8, chan: 8, func: 8, "unsafe.Pointer": 8, string: 16, slice: 24, interface: 16,
};

/**
 * Why goxray cannot place a value of `type`, or undefined when it can: an unknown kind anywhere
 * in it (pointers aside, which are one word whatever they point to), a size or alignment that
 * breaks abi-internal.md's memory layout, or nesting deeper than any real program's.
 */
export function findUnplaceable(type: GoType, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return `type ${type.name} nests deeper than ${MAX_DEPTH} levels`;
  if (type.kind === "unknown") return `type ${type.name} is unknown: ${type.why}`;
  if (!Number.isSafeInteger(type.size) || type.size < 0) return `type ${type.name} has size ${type.size}`;
  if (!Number.isSafeInteger(type.align) || type.align < 1 || type.align > 8 || (type.align & (type.align - 1)) !== 0) {
    return `type ${type.name} has alignment ${type.align}`;
  }
  switch (type.kind) {
    case "array":
      if (!Number.isSafeInteger(type.length) || type.length < 0) return `array type ${type.name} has length ${type.length}`;
      if (type.elem.size * type.length !== type.size) return `array type ${type.name} has size ${type.size}, not ${type.length} × ${type.elem.size}`;
      return type.length === 0 ? undefined : findUnplaceable(type.elem, depth + 1);
    case "struct":
      for (const field of type.fields) {
        if (!Number.isSafeInteger(field.offset) || field.offset < 0 || field.offset + field.type.size > type.size) {
          return `field ${field.name} of ${type.name} at offset ${field.offset} lies outside its ${type.size} bytes`;
        }
        const why = findUnplaceable(field.type, depth + 1);
        if (why !== undefined) return why;
      }
      return undefined;
    default: {
      const expected = SIZES_64[type.kind];
      return type.size === expected ? undefined : `type ${type.name} (${type.kind}) has size ${type.size}, not ${String(expected)}`;
    }
  }
}

/**
 * True when a value of `type` contains an array of length > 1, which fails register assignment
 * (register-assignment step 10) even when the array is zero-sized: the recursion of step 7 reaches it.
 * cmd/compile agrees: types.CalcSize gives such arrays MaxUint8 registers, and a struct sums its fields'.
 */
export function hasNonTrivialArray(type: GoType): boolean {
  if (type.kind === "array") return type.length > 1 || (type.length === 1 && hasNonTrivialArray(type.elem));
  if (type.kind === "struct") return type.fields.some((f) => hasNonTrivialArray(f.type));
  return false;
}

// The hidden dictionary argument: one pointer word (the compiler types it *[N]uintptr or uintptr).
const DICTIONARY_TYPE: GoType = { kind: "unsafe.Pointer", name: "*[]uintptr", size: 8, align: 8 };

/** A receiver, parameter or the dictionary, ready to place: what both ABIs walk as "the arguments". */
interface InputValue {
  readonly name: string;
  readonly role: "dictionary" | "argument";
  readonly type: GoType;
}

/** The receiver, parameters and (at signature.dictionaryIndex) the hidden dictionary, in the order the ABI assigns them. */
export function signatureInputs(signature: Signature): InputValue[] {
  const inputs: InputValue[] = signature.values.filter((v) => !v.isResult).map((v) => ({ name: v.name, role: "argument", type: v.type }));
  const at = signature.dictionaryIndex;
  if (at !== undefined) inputs.splice(Math.min(Math.max(at, 0), inputs.length), 0, { name: ".dict", role: "dictionary", type: DICTIONARY_TYPE });
  return inputs;
}

function unreachable(x: never): never {
  throw new RangeError(`unexpected type kind ${JSON.stringify(x)}`);
}
