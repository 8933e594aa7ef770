import { baseValues, findUnplaceable, type Placement, type PlacedPiece, type PlacedValue } from "../abi/placement.js";
import type { InlinedProbe } from "../bpftrace/script.js";
import type { LocatedPiece } from "../bpftrace/value-printer.js";
import type { ArchName } from "../model/arch.js";
import type { GoType } from "../model/go-type.js";
import { goInteger, type GoValue, type NamedValue } from "./events.js";
import { elementFromBytes, floatFromBits, goString } from "./script-values.js";

// Kernel uprobe events fetch values with "fetch arguments" (Documentation/trace/uprobetracer.rst):
// `%reg`, `+OFFSET(FETCHARG)` for memory, a type `u8…u64`, `s8…s64`, `x8…x64`, and
// `TYPE[N]` for N consecutive values (at most 64: MAX_ARRAY_LEN in kernel/trace/trace_probe.h).
// This file turns a placed value into the fetch arguments that read it and a decoder that
// rebuilds the Go value from what the trace line shows for them.

/** Elements one array fetch may hold (MAX_ARRAY_LEN). */
export const MAX_ARRAY_ELEMENTS = 64;
/** Fetch arguments one event may have (MAX_TRACE_ARGS). */
export const MAX_FETCH_ARGS = 128;

/** One fetch argument: `name=expression:type`. */
interface FetchArg {
  readonly name: string;
  readonly expression: string;
  readonly type: string;
}

/** What a trace line shows for one fetch argument: a number, or the numbers of an array. */
export type FetchedField = bigint | readonly bigint[];

/** The fields of one trace line by fetch argument name. */
export type FetchedFields = ReadonlyMap<string, FetchedField>;

/** What decoding needs besides the fields. */
export interface DecodeContext {
  /** Runtime address minus link-time address (non-zero for PIE). */
  readonly bias: bigint;
  /** Link-time type descriptor address → Go type name. */
  readonly typeNames: ReadonlyMap<number, string>;
  /** Descriptors whose values point at a Go string header (errors.New's, fmt.Errorf's, a string in an `any`). */
  readonly messageTypes: readonly number[];
}

type Decoder = (fields: FetchedFields, context: DecodeContext) => GoValue;

/** Fetch arguments under construction for one event, named v0, v1, … */
export class FetchPlan {
  readonly args: FetchArg[] = [];
  /** `deref`: how many pointers deep to follow (--deref), as the bpftrace script does. */
  constructor(
    readonly stringBytes: number,
    readonly deref: number,
  ) {}

  add(expression: string, type: string): string {
    const name = `v${this.args.length}`;
    this.args.push({ name, expression, type });
    return name;
  }
}

/** The tracefs name of a register: amd64's pt_regs names as bpftrace spells them; arm64's "x0"…, not bpftrace's "r0". */
export function tracefsRegister(arch: ArchName, bpftraceName: string): string {
  return arch === "arm64" ? bpftraceName.replace(/^r(\d+)$/, "x$1") : bpftraceName;
}

const scalar = (field: FetchedField | undefined): bigint | undefined => (typeof field === "bigint" ? field : undefined);
const array = (field: FetchedField | undefined): readonly bigint[] => (typeof field === "bigint" || field === undefined ? [] : field);

/** One piece as a fetch expression (undefined when none can read it), and where it is. */
interface PieceSource {
  readonly expression: string | undefined;
  readonly size: number;
  readonly encoding: PlacedPiece["encoding"];
  /** "RAX", "X0", "sp+8", "*(v3+16)": for the reason a piece cannot be read. */
  readonly where: string;
  /** A float is readable in memory (its bits), never in a vector register. */
  readonly isRegister: boolean;
}

function pieceSource(arch: ArchName, piece: PlacedPiece): PieceSource {
  const { size, encoding, location } = piece;
  if (location.kind === "stack") return { expression: `+${location.offset}(%sp)`, size, encoding, where: `sp+${location.offset}`, isRegister: false };
  const name = location.register.bpftraceName;
  return { expression: name === undefined ? undefined : `%${tracefsRegister(arch, name)}`, size, encoding, where: location.register.name, isRegister: true };
}

// A pointee with more base values than this is not followed (the bpftrace script's limit too):
// each is one fetch argument, and an event takes at most MAX_FETCH_ARGS.
const MAX_DEREF_PIECES = 32;

/** The pieces of a `type` value at the address that `pointer` (a fetch expression, named `name`) reads, or undefined when it is not followed. */
function memorySources(type: GoType, pointer: string, name: string): PieceSource[] | undefined {
  if (type.size === 0 || findUnplaceable(type) !== undefined) return undefined;
  const list: PieceSource[] = [];
  for (const base of baseValues(type, "")) {
    if (list.length === MAX_DEREF_PIECES || intType(base.size, false) === undefined) return undefined;
    list.push({ expression: `+${base.offset}(${pointer})`, size: base.size, encoding: base.encoding, where: `*(${name}+${base.offset})`, isRegister: false });
  }
  return list;
}

function intType(size: number, isSigned: boolean): string | undefined {
  return size === 1 || size === 2 || size === 4 || size === 8 ? `${isSigned ? "s" : "u"}${size * 8}` : undefined;
}

interface Stream {
  readonly list: readonly PieceSource[];
  next: number;
}

/**
 * Adds the fetch arguments that read `value` to `plan` and returns its decoder. Registers and
 * stack slots come from the placement; strings and []byte are read as u8 arrays of
 * `plan.stringBytes` bytes and cut to their length here; an error's or an `any` string's text is
 * read behind the data word.
 */
function planValue(plan: FetchPlan, arch: ArchName, value: PlacedValue): Decoder {
  if (value.home.kind === "unknown") {
    const why = `unknown placement: ${value.home.why}`;
    return () => ({ kind: "unreadable", type: value.type.name, why });
  }
  return planType(plan, value.type, { list: value.pieces.map((p) => pieceSource(arch, p)), next: 0 }, plan.deref);
}

function unreadable(type: GoType, why: string): Decoder {
  return () => ({ kind: "unreadable", type: type.name, why });
}

/** The next piece's fetch argument name, or a reason it cannot be read. */
function fetchPiece(plan: FetchPlan, stream: Stream, fetchType: (piece: PieceSource) => string | undefined): { name: string; expression: string } | { why: string } {
  const source = stream.list[stream.next++];
  if (source === undefined) return { why: "missing piece" };
  const type = fetchType(source);
  if (source.expression === undefined || type === undefined) {
    return { why: source.encoding === "float" ? `float in ${source.where}, which a uprobe cannot read` : `in ${source.where}` };
  }
  return { name: plan.add(source.expression, type), expression: source.expression };
}

const word = (piece: PieceSource): string | undefined => (piece.size === 8 ? "x64" : piece.size === 4 ? "x32" : undefined);
const signedWord = (piece: PieceSource): string | undefined => intType(piece.size, true);

function planType(plan: FetchPlan, type: GoType, stream: Stream, deref: number): Decoder {
  const name = type.name;
  if (type.size === 0) return () => (type.kind === "array" ? { kind: "array", type: name, elems: [] } : { kind: "struct", type: name, fields: [] });
  const first = stream.list[stream.next];
  if (first?.encoding === "bytes") {
    stream.next++;
    return unreadable(type, `${first.size} bytes not decoded`);
  }
  switch (type.kind) {
    case "bool": {
      const f = fetchPiece(plan, stream, (p) => intType(p.size, false));
      if ("why" in f) return unreadable(type, f.why);
      return (fields) => ({ kind: "bool", type: name, value: (scalar(fields.get(f.name)) ?? 0n) !== 0n });
    }
    case "int":
    case "int8":
    case "int16":
    case "int32":
    case "int64":
    case "uint":
    case "uint8":
    case "uint16":
    case "uint32":
    case "uint64":
    case "uintptr": {
      const isSigned = type.kind.startsWith("int");
      const f = fetchPiece(plan, stream, (p) => intType(p.size, isSigned));
      if ("why" in f) return unreadable(type, f.why);
      const bits = type.size * 8;
      return (fields) => {
        const raw = scalar(fields.get(f.name)) ?? 0n;
        return { kind: "int", type: name, value: goInteger(isSigned ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw)) };
      };
    }
    case "float32":
    case "float64":
      return planFloat(plan, type, stream);
    case "complex64":
    case "complex128": {
      const half = type.kind === "complex64" ? "float32" : "float64";
      const halfType: GoType = { kind: half, name: half, size: type.size / 2, align: type.size / 2 };
      const real = planFloat(plan, halfType, stream);
      const imag = planFloat(plan, halfType, stream);
      return (fields, context) => ({ kind: "complex", type: name, real: real(fields, context), imag: imag(fields, context) });
    }
    case "pointer": {
      const f = fetchPiece(plan, stream, word);
      if ("why" in f) return unreadable(type, f.why);
      const pointee = deref > 0 ? memorySources(type.elem, f.expression, f.name) : undefined;
      // A nil pointer's reads leave zeros: the address says which it is (as in the bpftrace script).
      const target = pointee === undefined ? undefined : planType(plan, type.elem, { list: pointee, next: 0 }, deref - 1);
      return (fields, context) => ({ kind: "pointer", type: name, address: scalar(fields.get(f.name)) ?? 0n, ...(target === undefined ? {} : { target: target(fields, context) }) });
    }
    case "func":
    case "unsafe.Pointer": {
      const f = fetchPiece(plan, stream, word);
      if ("why" in f) return unreadable(type, f.why);
      return (fields) => ({ kind: "func", type: name, address: scalar(fields.get(f.name)) ?? 0n });
    }
    case "map":
    case "chan": {
      // runtime.hmap.count / maps.Map.used, runtime.hchan{qcount, dataqsiz}: the first words.
      const f = fetchPiece(plan, stream, word);
      if ("why" in f) return unreadable(type, f.why);
      const len = plan.add(`+0(${f.expression})`, "s64");
      const cap = type.kind === "chan" ? plan.add(`+8(${f.expression})`, "s64") : undefined;
      return (fields) => {
        const address = scalar(fields.get(f.name)) ?? 0n;
        const count = (name: string | undefined): number => (address === 0n || name === undefined ? 0 : Number(scalar(fields.get(name)) ?? 0n));
        return type.kind === "map" ? { kind: "map", type: name, address, len: count(len) } : { kind: "chan", type: name, address, len: count(len), cap: count(cap) };
      };
    }
    case "string": {
      const ptr = fetchPiece(plan, stream, word);
      const len = fetchPiece(plan, stream, signedWord);
      if ("why" in ptr) return unreadable(type, ptr.why);
      if ("why" in len) return unreadable(type, len.why);
      const data = plan.add(`+0(${ptr.expression})`, `u8[${plan.stringBytes}]`);
      return (fields) => readString(name, fields, data, scalar(fields.get(len.name)) ?? 0n);
    }
    case "slice":
      return planSlice(plan, type, stream);
    case "interface":
      return planInterface(plan, type, stream);
    case "struct": {
      const decoders = type.fields.map((f) => ({ name: f.name, decode: planType(plan, f.type, stream, deref) }));
      return (fields, context) => ({ kind: "struct", type: name, fields: decoders.map((d): NamedValue => ({ name: d.name, value: d.decode(fields, context) })) });
    }
    case "array": {
      const decoders = Array.from({ length: type.length }, () => planType(plan, type.elem, stream, deref));
      return (fields, context) => ({ kind: "array", type: name, elems: decoders.map((d) => d(fields, context)) });
    }
    case "unknown":
      return unreadable(type, type.why);
    default: {
      const never: never = type;
      throw new RangeError(`unexpected type ${JSON.stringify(never)}`);
    }
  }
}

/** A float: on the stack (stack ABI) its bits are read; in a vector register no uprobe can read it. */
function planFloat(plan: FetchPlan, type: GoType, stream: Stream): Decoder {
  const f = fetchPiece(plan, stream, (p) => (p.isRegister ? undefined : intType(p.size, false)));
  if ("why" in f) return unreadable(type, f.why);
  return (fields) => ({ kind: "float", type: type.name, value: floatFromBits(scalar(fields.get(f.name)) ?? 0n, type.size) });
}

function readString(type: string, fields: FetchedFields, data: string, length: bigint): GoValue {
  const bytes = Uint8Array.from(array(fields.get(data)).map((b) => Number(b & 0xffn)));
  return goString(type, bytes, Number(length));
}

/** How many strings of a []string are read. */
const STRING_SLOTS = 4;

function planSlice(plan: FetchPlan, type: Extract<GoType, { kind: "slice" }>, stream: Stream): Decoder {
  const ptr = fetchPiece(plan, stream, word);
  const len = fetchPiece(plan, stream, signedWord);
  const cap = fetchPiece(plan, stream, signedWord);
  if ("why" in ptr) return unreadable(type, ptr.why);
  if ("why" in len) return unreadable(type, len.why);
  if ("why" in cap) return unreadable(type, cap.why);
  const elem = type.elem;
  let elements: (fields: FetchedFields, length: number) => GoValue[] = () => [];
  if (elem.kind === "string" && elem.size === 16) {
    const slots = Array.from({ length: STRING_SLOTS }, (_, i) => ({
      len: plan.add(`+${16 * i + 8}(${ptr.expression})`, "s64"),
      data: plan.add(`+0(+${16 * i}(${ptr.expression}))`, `u8[${plan.stringBytes}]`),
    }));
    elements = (fields, length) => slots.slice(0, Math.max(0, Math.min(length, STRING_SLOTS))).map((s) => readString(elem.name, fields, s.data, scalar(fields.get(s.len)) ?? 0n));
  } else if (["bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "pointer", "unsafe.Pointer", "map", "chan", "func"].includes(elem.kind) && [1, 2, 4, 8].includes(elem.size)) {
    const count = Math.max(1, Math.floor(plan.stringBytes / elem.size));
    const data = plan.add(`+0(${ptr.expression})`, `x${elem.size * 8}[${count}]`);
    elements = (fields, length) =>
      array(fields.get(data))
        .slice(0, Math.max(0, Math.min(length, count)))
        .map((v) => {
          const bytes = new Uint8Array(elem.size);
          for (let i = 0; i < elem.size; i++) bytes[i] = Number((v >> BigInt(8 * i)) & 0xffn);
          return elementFromBytes(elem, bytes);
        });
  }
  return (fields) => {
    const length = Number(scalar(fields.get(len.name)) ?? 0n);
    return { kind: "slice", type: type.name, address: scalar(fields.get(ptr.name)) ?? 0n, len: length, cap: Number(scalar(fields.get(cap.name)) ?? 0n), elems: elements(fields, length) };
  };
}

/**
 * An interface: its type word (an `any`'s first word; a non-empty interface's itab, whose second
 * word is the type, abi.ITab.Type), its data word, and behind the data word a string header, which
 * is the value's text when the dynamic type is one of the message types.
 */
function planInterface(plan: FetchPlan, type: Extract<GoType, { kind: "interface" }>, stream: Stream): Decoder {
  const tab = fetchPiece(plan, stream, word);
  const data = fetchPiece(plan, stream, word);
  if ("why" in tab) return unreadable(type, tab.why);
  if ("why" in data) return unreadable(type, data.why);
  const descriptor = type.isEmpty ? tab.name : plan.add(`+8(${tab.expression})`, "x64");
  const messageLen = plan.add(`+8(${data.expression})`, "s64");
  const messageBytes = plan.add(`+0(+0(${data.expression}))`, `u8[${plan.stringBytes}]`);
  return (fields, context) => {
    const tabWord = scalar(fields.get(tab.name)) ?? 0n;
    const typeWord = tabWord === 0n ? 0n : (scalar(fields.get(descriptor)) ?? 0n);
    const link = typeWord === 0n ? 0 : Number(typeWord - context.bias);
    const dynamicType = tabWord === 0n ? "nil" : context.typeNames.get(link);
    const isMessage = tabWord !== 0n && context.messageTypes.includes(link);
    const message = isMessage ? readString("string", fields, messageBytes, scalar(fields.get(messageLen)) ?? 0n) : undefined;
    return { kind: "interface", type: type.name, dynamicType, typeWord, data: scalar(fields.get(data.name)) ?? 0n, ...(message === undefined ? {} : { message }) };
  };
}

/**
 * The values of an inlined copy where the compiler's DWARF puts them at its first instruction, as
 * fetch arguments, and their decoder: each base value is read from the located part that holds it
 * (a register only when the part starts with it, since a register holds its part in its low
 * bytes), as the bpftrace script does (value-printer.ts printLocatedValue).
 */
export function planLocatedValues(plan: FetchPlan, arch: ArchName, values: InlinedProbe["values"]): (fields: FetchedFields, context: DecodeContext) => NamedValue[] {
  const decoders = values.map((v) => ({ name: v.name, decode: planLocated(plan, arch, v.type, v.located) }));
  return (fields, context) => decoders.map((d) => ({ name: d.name, value: d.decode(fields, context) }));
}

function planLocated(plan: FetchPlan, arch: ArchName, type: GoType, located: readonly LocatedPiece[] | string): Decoder {
  if (typeof located === "string") return unreadable(type, located);
  const why = findUnplaceable(type);
  if (why !== undefined) return unreadable(type, why);
  const list: PieceSource[] = [];
  for (const base of baseValues(type, "")) {
    if (list.length === MAX_DEREF_PIECES) return unreadable(type, `${type.name} has too many parts`);
    const part = located.find((p) => p.offset <= base.offset && base.offset + base.size <= p.offset + p.size);
    const { size, encoding } = base;
    if (part?.place.kind === "register" && part.offset === base.offset) {
      list.push({ expression: `%${tracefsRegister(arch, part.place.bpftraceName)}`, size, encoding, where: part.place.name, isRegister: true });
    } else if (part?.place.kind === "stack") {
      const at = part.place.offset + base.offset - part.offset;
      list.push({ expression: `+${at}(%sp)`, size, encoding, where: `sp+${at}`, isRegister: false });
    } else {
      list.push({ expression: undefined, size, encoding, where: part?.place.kind === "none" ? part.place.why : "no location", isRegister: false });
    }
  }
  return planType(plan, type, { list, next: 0 }, plan.deref);
}

/** The arguments (or results) of a function as fetch arguments of one event, and their decoder. */
export function planValues(plan: FetchPlan, arch: ArchName, placement: Placement | undefined, role: "argument" | "result"): (fields: FetchedFields, context: DecodeContext) => NamedValue[] {
  const values = placement?.values.filter((v) => v.role === role) ?? [];
  const decoders = values.map((v) => ({ name: v.name, decode: planValue(plan, arch, v) }));
  return (fields, context) => decoders.map((d) => ({ name: d.name, value: d.decode(fields, context) }));
}
