import { describe, expect, it } from "vitest";
import { GoxrayError } from "../errors.js";
import { findArch, type Arch } from "../model/arch.js";
import type { GoField, GoType } from "../model/go-type.js";
import { placeRegisterAbi } from "./abi-internal.js";
import { choosePlacer } from "./place.js";
import type { Placement, Signature } from "./placement.js";

type SignatureValue = Signature["values"][number];

// Every expectation below was worked out by hand from abi-internal.md (the assignment steps and
// "Memory layout") and checked against go-abi.md §6, never copied from goxray's output. Stack
// offsets are from SP at entry: the first stack argument is at SP+8 on both arches (arch.ts).

const t = {
  bool: scalar("bool", 1),
  int8: scalar("int8", 1),
  uint8: scalar("uint8", 1),
  uint16: scalar("uint16", 2),
  int32: scalar("int32", 4),
  int64: scalar("int64", 8),
  uint64: scalar("uint64", 8),
  int: scalar("int", 8),
  uintptr: scalar("uintptr", 8),
  float32: scalar("float32", 4),
  float64: scalar("float64", 8),
  complex128: { kind: "complex128", name: "complex128", size: 16, align: 8 } as GoType,
  string: { kind: "string", name: "string", size: 16, align: 8 } as GoType,
  any: { kind: "interface", name: "interface {}", size: 16, align: 8, isEmpty: true } as GoType,
  error: { kind: "interface", name: "error", size: 16, align: 8, isEmpty: false } as GoType,
};

function scalar(kind: "bool" | "int8" | "uint8" | "uint16" | "int32" | "int64" | "uint64" | "int" | "uintptr" | "float32" | "float64", size: number): GoType {
  return { kind, name: kind, size, align: size };
}
function slice(elem: GoType): GoType {
  return { kind: "slice", name: `[]${elem.name}`, size: 24, align: 8, elem };
}
function array(elem: GoType, length: number): GoType {
  return { kind: "array", name: `[${length}]${elem.name}`, size: elem.size * length, align: elem.align, elem, length };
}
function pointer(elem: GoType): GoType {
  return { kind: "pointer", name: `*${elem.name}`, size: 8, align: 8, elem };
}
/** A struct laid out by abi-internal.md "Memory layout" (the sequence rules; no trailing zero-size fields here). */
function struct(name: string, members: [string, GoType][]): GoType {
  let offset = 0;
  let align = 1;
  const fields: GoField[] = members.map(([fieldName, type]) => {
    offset = Math.ceil(offset / type.align) * type.align;
    const field = { name: fieldName, offset, type, isEmbedded: false };
    offset += type.size;
    align = Math.max(align, type.align);
    return field;
  });
  return { kind: "struct", name, size: Math.ceil(offset / align) * align, align, fields };
}

const arg = (name: string, type: GoType): SignatureValue => ({ name, type, isResult: false });
const res = (name: string, type: GoType): SignatureValue => ({ name, type, isResult: true });
const sig = (values: SignatureValue[], dictionaryIndex?: number): Signature => ({ values, dictionaryIndex });

/** One line per value: "name ← path=REG …" in registers, "name @SP+N reason ← path=SP+M …" on the stack. */
function render(p: Placement): string[] {
  return p.values.map((v) => {
    const pieces = v.pieces.map((piece) => `${piece.path}=${piece.location.kind === "register" ? piece.location.register.name : `SP+${piece.location.offset}`}`);
    const head = v.home.kind === "stack" ? `${v.name} @SP+${v.home.offset} ${v.home.reason}` : v.home.kind === "unknown" ? `${v.name} unknown` : v.name;
    return `${head} ←${pieces.map((s) => ` ${s}`).join("")}`;
  });
}
function spills(p: Placement): string[] {
  return p.values.flatMap((v) => (v.home.kind === "registers" && v.home.spill !== undefined ? [`${v.name}@SP+${v.home.spill}`] : []));
}

const amd64 = choosePlacer("register", "amd64", "test");
const arm64 = choosePlacer("register", "arm64", "test");
const abi0 = choosePlacer("stack", "amd64", "test");
const abi0arm64 = choosePlacer("stack", "arm64", "test");

describe("abi-internal.md's worked example (64-bit, hypothetical integer registers R0–R9)", () => {
  const amd64Arch = findArch("amd64") as Arch;
  const r0r9: Arch = {
    ...amd64Arch,
    integerArgs: Array.from({ length: 10 }, (_, i) => ({ name: `R${i}`, bpftraceName: undefined, dwarf: amd64Arch.integerArgs[0]?.dwarf ?? amd64Arch.stackPointer.dwarf })),
  };
  // func f(a1 uint8, a2 [2]uintptr, a3 uint8) (r1 struct { x uintptr; y [2]uintptr }, r2 string)
  const r1 = struct("struct { x uintptr; y [2]uintptr }", [["x", t.uintptr], ["y", array(t.uintptr, 2)]]);
  const p = placeRegisterAbi(r0r9, sig([arg("a1", t.uint8), arg("a2", array(t.uintptr, 2)), arg("a3", t.uint8), res("r1", r1), res("r2", t.string)]));
  it("assigns a1 to R0 and a3 to R1, r2 to R0/R1; a2 and r1 go on the stack because they contain arrays", () => {
    expect(render(p)).toEqual([
      "a1 ← a1=R0",
      "a2 @SP+8 array ← a2[0]=SP+8 a2[1]=SP+16",
      "a3 ← a3=R1",
      "r1 @SP+24 array ← r1.x=SP+24 r1.y[0]=SP+32 r1.y[1]=SP+40",
      "r2 ← r2.ptr=R0 r2.len=R1",
    ]);
  });
  it("lays out the frame as a2, r1.x, r1.y, a1Spill, a3Spill, [6]uint8 padding", () => {
    // S offsets: a2 0–16, r1 16–40, a1Spill 40, a3Spill 41, padding 42–48.
    expect(spills(p)).toEqual(["a1@SP+48", "a3@SP+49"]);
    expect(p.stackArguments).toEqual({ offset: 8, size: 16 });
    expect(p.stackResults).toEqual({ offset: 24, size: 24 });
    expect(p.spillArea).toEqual({ offset: 48, size: 8 });
    expect(p.argsSize).toBe(48);
  });
});

describe("go-abi.md §6 worked examples", () => {
  it("1. Ints(a int, b int8, c bool, d uint16) (int, bool)", () => {
    const s = sig([arg("a", t.int), arg("b", t.int8), arg("c", t.bool), arg("d", t.uint16), res("~r0", t.int), res("~r1", t.bool)]);
    expect(render(amd64(s))).toEqual(["a ← a=RAX", "b ← b=RBX", "c ← c=RCX", "d ← d=RDI", "~r0 ← ~r0=RAX", "~r1 ← ~r1=RBX"]);
    // Spill slots keep the memory layout: a 0–8, b 8, c 9, d 10–12, padded to 16.
    expect(spills(amd64(s))).toEqual(["a@SP+8", "b@SP+16", "c@SP+17", "d@SP+18"]);
    expect(amd64(s).argsSize).toBe(16);
    expect(render(arm64(s))).toEqual(["a ← a=R0", "b ← b=R1", "c ← c=R2", "d ← d=R3", "~r0 ← ~r0=R0", "~r1 ← ~r1=R1"]);
    // ABI0: a +8, b +16, c +17, d +18; args end at 12, rounded to 16; results at 16 and 24.
    expect(render(abi0(s))).toEqual([
      "a @SP+8 stack-abi ← a=SP+8",
      "b @SP+16 stack-abi ← b=SP+16",
      "c @SP+17 stack-abi ← c=SP+17",
      "d @SP+18 stack-abi ← d=SP+18",
      "~r0 @SP+24 stack-abi ← ~r0=SP+24",
      "~r1 @SP+32 stack-abi ← ~r1=SP+32",
    ]);
    expect(abi0(s).argsSize).toBe(32);
  });

  it("2. Str(s string, b []byte) (string, error)", () => {
    const s = sig([arg("s", t.string), arg("b", slice(t.uint8)), res("~r0", t.string), res("~r1", t.error)]);
    expect(render(amd64(s))).toEqual([
      "s ← s.ptr=RAX s.len=RBX",
      "b ← b.ptr=RCX b.len=RDI b.cap=RSI",
      "~r0 ← ~r0.ptr=RAX ~r0.len=RBX",
      "~r1 ← ~r1.itab=RCX ~r1.data=RDI",
    ]);
    expect(amd64(s).argsSize).toBe(40);
    // How to decode each word: the string's pointer and length, the slice's three, error's itab and data.
    expect(amd64(s).values.flatMap((v) => v.pieces.map((p) => `${p.path}:${p.kind}/${p.encoding}/${p.size}`))).toEqual([
      "s.ptr:string/pointer/8", "s.len:string/signed/8",
      "b.ptr:slice/pointer/8", "b.len:slice/signed/8", "b.cap:slice/signed/8",
      "~r0.ptr:string/pointer/8", "~r0.len:string/signed/8",
      "~r1.itab:interface/pointer/8", "~r1.data:interface/pointer/8",
    ]);
    expect(render(abi0(s))).toEqual([
      "s @SP+8 stack-abi ← s.ptr=SP+8 s.len=SP+16",
      "b @SP+24 stack-abi ← b.ptr=SP+24 b.len=SP+32 b.cap=SP+40",
      "~r0 @SP+48 stack-abi ← ~r0.ptr=SP+48 ~r0.len=SP+56",
      "~r1 @SP+64 stack-abi ← ~r1.itab=SP+64 ~r1.data=SP+72",
    ]);
  });

  it("3. Iface(e interface{}, err error) int", () => {
    const s = sig([arg("e", t.any), arg("err", t.error), res("~r0", t.int)]);
    expect(render(amd64(s))).toEqual(["e ← e.type=RAX e.data=RBX", "err ← err.itab=RCX err.data=RDI", "~r0 ← ~r0=RAX"]);
  });

  it("4. Floats(a float64, b float32, c complex128, n int) float64", () => {
    const s = sig([arg("a", t.float64), arg("b", t.float32), arg("c", t.complex128), arg("n", t.int), res("~r0", t.float64)]);
    expect(render(amd64(s))).toEqual(["a ← a=X0", "b ← b=X1", "c ← c.real=X2 c.imag=X3", "n ← n=RAX", "~r0 ← ~r0=X0"]);
    expect(render(arm64(s))).toEqual(["a ← a=F0", "b ← b=F1", "c ← c.real=F2 c.imag=F3", "n ← n=R0", "~r0 ← ~r0=F0"]);
    const c = amd64(s).values[2]?.pieces ?? [];
    expect(c.map((p) => [p.kind, p.encoding, p.size, p.location.kind === "register" ? p.location.register.bpftraceName : "stack"])).toEqual([
      ["complex128", "float", 8, undefined],
      ["complex128", "float", 8, undefined],
    ]);
    // ABI0: a 0, b 8, c 16–32 (align 8), n 32; results from 40.
    expect(render(abi0(s))).toEqual([
      "a @SP+8 stack-abi ← a=SP+8",
      "b @SP+16 stack-abi ← b=SP+16",
      "c @SP+24 stack-abi ← c.real=SP+24 c.imag=SP+32",
      "n @SP+40 stack-abi ← n=SP+40",
      "~r0 @SP+48 stack-abi ← ~r0=SP+48",
    ]);
  });

  it("5. Structs(p Point, arr1 [1]int, arr2 [2]int, arr0 [0]int, q *Point) (r Point)", () => {
    const point = struct("main.Point", [["X", t.int32], ["Y", t.int32], ["Name", t.string]]);
    const s = sig([arg("p", point), arg("arr1", array(t.int, 1)), arg("arr2", array(t.int, 2)), arg("arr0", array(t.int, 0)), arg("q", pointer(point)), res("r", point)]);
    expect(render(amd64(s))).toEqual([
      "p ← p.X=RAX p.Y=RBX p.Name.ptr=RCX p.Name.len=RDI",
      "arr1 ← arr1[0]=RSI",
      "arr2 @SP+8 array ← arr2[0]=SP+8 arr2[1]=SP+16",
      // Zero-sized: assignment step 2 puts it in S (at offset 16, aligned to 8) with no bytes.
      "arr0 @SP+24 zero-size ←",
      "q ← q=R8",
      "r ← r.X=RAX r.Y=RBX r.Name.ptr=RCX r.Name.len=RDI",
    ]);
    // S: arr2 0–16, arr0 16, [no stack results], spill p 16–40, arr1 40–48, q 48–56.
    expect(spills(amd64(s))).toEqual(["p@SP+24", "arr1@SP+48", "q@SP+56"]);
    expect(amd64(s).argsSize).toBe(56);
    expect(render(arm64(s))).toEqual([
      "p ← p.X=R0 p.Y=R1 p.Name.ptr=R2 p.Name.len=R3",
      "arr1 ← arr1[0]=R4",
      "arr2 @SP+8 array ← arr2[0]=SP+8 arr2[1]=SP+16",
      "arr0 @SP+24 zero-size ←",
      "q ← q=R5",
      "r ← r.X=R0 r.Y=R1 r.Name.ptr=R2 r.Name.len=R3",
    ]);
    // ABI0: p 0–24, arr1 24–32, arr2 32–48, arr0 48, q 48–56; r 56–80.
    expect(render(abi0(s))).toEqual([
      "p @SP+8 stack-abi ← p.X=SP+8 p.Y=SP+12 p.Name.ptr=SP+16 p.Name.len=SP+24",
      "arr1 @SP+32 stack-abi ← arr1[0]=SP+32",
      "arr2 @SP+40 stack-abi ← arr2[0]=SP+40 arr2[1]=SP+48",
      "arr0 @SP+56 stack-abi ←",
      "q @SP+56 stack-abi ← q=SP+56",
      "r @SP+64 stack-abi ← r.X=SP+64 r.Y=SP+68 r.Name.ptr=SP+72 r.Name.len=SP+80",
    ]);
    expect(abi0(s).argsSize).toBe(80);
  });

  it("6. Many(a…i int, s string, j int) int: s and j on the stack on amd64, all in registers on arm64", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const s = sig([...names.map((n) => arg(n, t.int)), arg("s", t.string), arg("j", t.int), res("~r0", t.int)]);
    const amd64Regs = ["RAX", "RBX", "RCX", "RDI", "RSI", "R8", "R9", "R10", "R11"];
    expect(render(amd64(s))).toEqual([
      ...names.map((n, i) => `${n} ← ${n}=${amd64Regs[i] ?? "?"}`),
      "s @SP+8 out-of-registers ← s.ptr=SP+8 s.len=SP+16",
      // No register is left for j either: 9 of 9 are taken.
      "j @SP+24 out-of-registers ← j=SP+24",
      "~r0 ← ~r0=RAX",
    ]);
    // S: s 0–16, j 16–24, spill a…i 24–96.
    expect(spills(amd64(s))[0]).toBe("a@SP+32");
    expect(amd64(s).argsSize).toBe(96);
    expect(render(arm64(s))).toEqual([...names.map((n, i) => `${n} ← ${n}=R${i}`), "s ← s.ptr=R9 s.len=R10", "j ← j=R11", "~r0 ← ~r0=R0"]);
    expect(arm64(s).argsSize).toBe(96);
    expect(abi0(s).argsSize).toBe(104);
  });

  it("6'. a string that does not fit leaves its registers to later arguments", () => {
    // Eight ints take RAX…R10; the string needs two registers but one is left, so it goes on the
    // stack whole, and the int after it still gets R11 (assignment step 4 restores I).
    const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const s = sig([...names.map((n) => arg(n, t.int)), arg("s", t.string), arg("j", t.int)]);
    expect(render(amd64(s)).slice(8)).toEqual(["s @SP+8 out-of-registers ← s.ptr=SP+8 s.len=SP+16", "j ← j=R11"]);
  });

  it("7. methods: the receiver is assigned first", () => {
    const T = struct("main.T", [["a", t.int], ["b", t.int]]);
    expect(render(amd64(sig([arg("t", T), arg("x", t.int), res("~r0", t.int)])))).toEqual(["t ← t.a=RAX t.b=RBX", "x ← x=RCX", "~r0 ← ~r0=RAX"]);
    expect(render(amd64(sig([arg("t", pointer(T)), arg("x", t.int)])))).toEqual(["t ← t=RAX", "x ← x=RBX"]);
  });

  it("8. Gen[string,int](m map[K]V, k K) (V, bool): the dictionary is a hidden first argument", () => {
    const m: GoType = { kind: "map", name: "map[go.shape.string]go.shape.int", size: 8, align: 8, key: t.string, elem: t.int };
    const s = sig([arg("m", m), arg("k", t.string), res("~r0", t.int), res("~r1", t.bool)], 0);
    expect(render(amd64(s))).toEqual([".dict ← .dict=RAX", "m ← m=RBX", "k ← k.ptr=RCX k.len=RDI", "~r0 ← ~r0=RAX", "~r1 ← ~r1=RBX"]);
    expect(amd64(s).values[0]?.role).toBe("dictionary");
    expect(render(abi0(s)).slice(0, 2)).toEqual([".dict @SP+8 stack-abi ← .dict=SP+8", "m @SP+16 stack-abi ← m=SP+16"]);
  });

  it("9. Variadic(prefix string, xs ...int) (n int, err error)", () => {
    const s = sig([arg("prefix", t.string), arg("xs", slice(t.int)), res("n", t.int), res("err", t.error)]);
    expect(render(amd64(s))).toEqual(["prefix ← prefix.ptr=RAX prefix.len=RBX", "xs ← xs.ptr=RCX xs.len=RDI xs.cap=RSI", "n ← n=RAX", "err ← err.itab=RBX err.data=RCX"]);
  });

  it("10. Big(a int64, b uint64, c int32) (x…q int): the tenth result goes on the stack at SP+8 on amd64", () => {
    const results = ["x", "y", "z", "w", "v", "u", "t", "s", "r", "q"];
    const s = sig([arg("a", t.int64), arg("b", t.uint64), arg("c", t.int32), ...results.map((n) => res(n, t.int))]);
    const p = amd64(s);
    expect(render(p).slice(0, 3)).toEqual(["a ← a=RAX", "b ← b=RBX", "c ← c=RCX"]);
    expect(render(p)[11]).toBe("r ← r=R11");
    expect(render(p)[12]).toBe("q @SP+8 out-of-registers ← q=SP+8");
    // No stack arguments; q 0–8; spill a 8–16, b 16–24, c 24–28, padded to 32.
    expect(p.stackArguments).toEqual({ offset: 8, size: 0 });
    expect(spills(p)).toEqual(["a@SP+16", "b@SP+24", "c@SP+32"]);
    expect(p.argsSize).toBe(32);
    expect(render(arm64(s))[12]).toBe("q ← q=R9");
  });
});

describe("ABI0 on arm64 (go-abi.md §4: S(16 ints, q, r int) int)", () => {
  it("puts a at SP+8, q at SP+136, r at SP+144 and the result at SP+152", () => {
    const ints = Array.from({ length: 16 }, (_, i) => arg(`a${i}`, t.int));
    const s = sig([...ints, arg("q", t.int), arg("r", t.int), res("~r0", t.int)]);
    const lines = render(abi0arm64(s));
    expect(lines[0]).toBe("a0 @SP+8 stack-abi ← a0=SP+8");
    expect(lines.slice(16)).toEqual(["q @SP+136 stack-abi ← q=SP+136", "r @SP+144 stack-abi ← r=SP+144", "~r0 @SP+152 stack-abi ← ~r0=SP+152"]);
    // Register ABI: the sixteen ints fill R0–R15 and q, r go to the stack at SP+8, SP+16.
    expect(render(arm64(s)).slice(16, 18)).toEqual(["q @SP+8 out-of-registers ← q=SP+8", "r @SP+16 out-of-registers ← r=SP+16"]);
  });
});

describe("choosePlacer", () => {
  it("refuses architectures it has no register tables for", () => {
    expect(() => choosePlacer("register", "riscv64", "bin")).toThrow(GoxrayError);
    expect(() => choosePlacer("stack", "386", "bin")).toThrow(/not 386/);
  });
});
