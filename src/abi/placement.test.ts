import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findArch, type Arch } from "../model/arch.js";
import type { GoField, GoType } from "../model/go-type.js";
import { placeStackAbi } from "./abi0.js";
import { placeRegisterAbi } from "./abi-internal.js";
import { findUnplaceable, stackPieces, type PlacedValue, type Placement, type Signature } from "./placement.js";

type SignatureValue = Signature["values"][number];

// Properties of both ABIs over random Go types and signatures. The reference functions here
// (payloadSize, registerWords, hasArrayOverOne, layoutStruct) are written from abi-internal.md
// independently of src/abi, so a property compares two readings of the spec, not code with itself.

function knownArch(name: string): Arch {
  const a = findArch(name);
  if (a === undefined) throw new Error(`no arch ${name}`);
  return a;
}
const AMD64 = knownArch("amd64");
const ARM64 = knownArch("arm64");

// ---------------------------------------------------------------------------------------------
// Random Go types

const SCALARS: readonly [GoType["kind"], number, number][] = [
  ["bool", 1, 1], ["int8", 1, 1], ["uint8", 1, 1], ["int16", 2, 2], ["uint16", 2, 2], ["int32", 4, 4], ["uint32", 4, 4],
  ["int64", 8, 8], ["uint64", 8, 8], ["int", 8, 8], ["uint", 8, 8], ["uintptr", 8, 8],
  ["float32", 4, 4], ["float64", 8, 8], ["complex64", 8, 4], ["complex128", 16, 8],
];

/** abi-internal.md "Memory layout" for a struct: the sequence rules, plus the padding byte after a final zero-sized field. */
function layoutStruct(members: readonly (readonly [string, GoType])[]): GoType {
  let offset = 0;
  let align = 1;
  const fields: GoField[] = members.map(([name, type]) => {
    offset = Math.ceil(offset / type.align) * type.align;
    const field = { name, offset, type, isEmbedded: false };
    offset += type.size;
    align = Math.max(align, type.align);
    return field;
  });
  const last = members[members.length - 1];
  if (last !== undefined && last[1].size === 0 && members.some(([, type]) => type.size !== 0)) offset += 1;
  return { kind: "struct", name: `struct {${members.map(([n, ty]) => ` ${n} ${ty.name}`).join(";")} }`, size: Math.ceil(offset / align) * align, align, fields };
}

// A linked-list node: a struct that reaches itself through a pointer (placement must not follow pointers).
const node = { kind: "struct", name: "main.Node", size: 16, align: 8, fields: [] as GoField[] } as GoType & { fields: GoField[] };
node.fields.push({ name: "Val", offset: 0, type: { kind: "int", name: "int", size: 8, align: 8 }, isEmbedded: false });
node.fields.push({ name: "Next", offset: 8, type: { kind: "pointer", name: "*main.Node", size: 8, align: 8, elem: node }, isEmbedded: false });

const word = (kind: "string" | "interface" | "slice" | "map" | "chan" | "func" | "unsafe.Pointer" | "pointer"): fc.Arbitrary<GoType> => {
  switch (kind) {
    case "string":
      return fc.constant({ kind, name: "string", size: 16, align: 8 });
    case "interface":
      return fc.boolean().map((isEmpty): GoType => ({ kind, name: isEmpty ? "interface {}" : "error", size: 16, align: 8, isEmpty }));
    case "slice":
      return fc.constant({ kind, name: "[]uint8", size: 24, align: 8, elem: { kind: "uint8", name: "uint8", size: 1, align: 1 } });
    case "map":
      return fc.constant({ kind, name: "map[string]int", size: 8, align: 8, key: { kind: "string", name: "string", size: 16, align: 8 }, elem: { kind: "int", name: "int", size: 8, align: 8 } });
    case "chan":
      return fc.constant({ kind, name: "chan int", size: 8, align: 8, elem: { kind: "int", name: "int", size: 8, align: 8 } });
    case "func":
      return fc.constant({ kind, name: "func()", size: 8, align: 8 });
    case "unsafe.Pointer":
      return fc.constant({ kind, name: "unsafe.Pointer", size: 8, align: 8 });
    case "pointer":
      return fc.constantFrom<GoType>(node, { kind: "string", name: "string", size: 16, align: 8 }).map((elem): GoType => ({ kind, name: `*${elem.name}`, size: 8, align: 8, elem }));
  }
};

const leafType: fc.Arbitrary<GoType> = fc.oneof(
  fc.constantFrom(...SCALARS).map(([kind, size, align]) => ({ kind, name: kind, size, align }) as GoType),
  word("string"), word("interface"), word("slice"), word("map"), word("chan"), word("func"), word("unsafe.Pointer"), word("pointer"),
  fc.constant<GoType>(node),
);

const goType: fc.Arbitrary<GoType> = fc.letrec<{ type: GoType; struct: GoType; array: GoType }>((tie) => ({
  type: fc.oneof({ maxDepth: 3, depthIdentifier: "type" }, { arbitrary: leafType, weight: 4 }, tie("struct"), tie("array")),
  struct: fc.array(tie("type"), { maxLength: 4 }).map((types) => layoutStruct(types.map((ty, i) => [`F${i}`, ty] as const))),
  array: fc.tuple(tie("type"), fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 2, max: 3 }))).map(
    ([elem, length]): GoType => ({ kind: "array", name: `[${length}]${elem.name}`, size: elem.size * length, align: elem.align, elem, length }),
  ),
})).type;

const signature: fc.Arbitrary<Signature> = fc
  .record({ args: fc.array(goType, { maxLength: 14 }), results: fc.array(goType, { maxLength: 12 }), dictionaryIndex: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }) })
  .map(({ args, results, dictionaryIndex }) => ({
    values: [...args.map((type, i): SignatureValue => ({ name: `a${i}`, type, isResult: false })), ...results.map((type, i): SignatureValue => ({ name: `r${i}`, type, isResult: true }))],
    dictionaryIndex,
  }));

/** amd64, arm64, or an arm64 with fewer registers (0–16 of each class), to reach every fallback. */
const arch: fc.Arbitrary<Arch> = fc.oneof(
  fc.constantFrom(AMD64, ARM64),
  fc.tuple(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 16 })).map(([ni, nfp]) => ({ ...ARM64, integerArgs: ARM64.integerArgs.slice(0, ni), floatArgs: ARM64.floatArgs.slice(0, nfp) })),
);

// ---------------------------------------------------------------------------------------------
// The spec, read a second time

/** Bytes of a type that hold data: its size minus struct padding (gaps, trailing, the final zero-size padding byte), recursively. */
function payloadSize(type: GoType): number {
  switch (type.kind) {
    case "struct":
      return type.fields.reduce((sum, f) => sum + payloadSize(f.type), 0);
    case "array":
      return type.length * payloadSize(type.elem);
    default:
      return type.size;
  }
}

/** How many integer and float registers register-assignment steps 1–9 would take, or undefined when step 10 fails. */
function registerWords(type: GoType): { ints: number; floats: number } | undefined {
  switch (type.kind) {
    case "float32":
    case "float64":
      return { ints: 0, floats: 1 };
    case "complex64":
    case "complex128":
      return { ints: 0, floats: 2 };
    case "string":
    case "interface":
      return { ints: 2, floats: 0 };
    case "slice":
      return { ints: 3, floats: 0 };
    case "struct": {
      let ints = 0;
      let floats = 0;
      for (const f of type.fields) {
        const w = registerWords(f.type);
        if (w === undefined) return undefined;
        ints += w.ints;
        floats += w.floats;
      }
      return { ints, floats };
    }
    case "array":
      if (type.length === 0) return { ints: 0, floats: 0 };
      return type.length === 1 ? registerWords(type.elem) : undefined;
    default:
      return type.size === 0 ? { ints: 0, floats: 0 } : { ints: 1, floats: 0 };
  }
}

/** Where abi-internal.md puts each value, by the counting reading of the algorithm: "registers" or "stack". */
function expectedHomes(a: Arch, s: Signature): string[] {
  const homes: string[] = [];
  let ints = 0;
  let floats = 0;
  const assign = (type: GoType): void => {
    const words = registerWords(type);
    if (type.size === 0 || words === undefined || ints + words.ints > a.integerArgs.length || floats + words.floats > a.floatArgs.length) {
      homes.push("stack");
      return;
    }
    ints += words.ints;
    floats += words.floats;
    homes.push("registers");
  };
  const args = s.values.filter((v) => !v.isResult).map((v) => v.type);
  if (s.dictionaryIndex !== undefined) args.splice(Math.min(s.dictionaryIndex, args.length), 0, { kind: "unsafe.Pointer", name: ".dict", size: 8, align: 8 });
  for (const type of args) assign(type);
  ints = 0;
  floats = 0;
  for (const v of s.values) if (v.isResult) assign(v.type);
  return homes;
}

// ---------------------------------------------------------------------------------------------
// Helpers over placements

const regKey = (v: PlacedValue): string[] => v.pieces.flatMap((p) => (p.location.kind === "register" ? [`${p.location.register.isFloat ? "F" : "I"}${p.location.register.index}`] : []));

/** The register indices of a class across values, in the order the values and pieces appear. */
function registerSequence(values: readonly PlacedValue[], isFloat: boolean): number[] {
  return values.flatMap((v) => v.pieces.flatMap((p) => (p.location.kind === "register" && p.location.register.isFloat === isFloat ? [p.location.register.index as number] : [])));
}

/** Every stack byte range a placement uses: stack-assigned values and spill slots. */
function stackRanges(p: Placement): { what: string; from: number; to: number; align: number }[] {
  return p.values.flatMap((v) => {
    if (v.home.kind === "stack") return [{ what: v.name, from: v.home.offset as number, to: v.home.offset + v.type.size, align: v.type.align }];
    if (v.home.kind === "registers" && v.home.spill !== undefined) return [{ what: `${v.name} spill`, from: v.home.spill as number, to: v.home.spill + v.type.size, align: v.type.align }];
    return [];
  });
}

const both = (a: Arch, s: Signature): Placement[] => [placeRegisterAbi(a, s), placeStackAbi(a, s)];
const runs = { numRuns: 500 };

describe("placement properties (both ABIs)", () => {
  it("places every byte of data of every value exactly once, within the value", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        for (const p of both(a, s)) {
          for (const v of p.values) {
            const sorted = [...v.pieces].sort((x, y) => x.offset - y.offset);
            const isBytes = sorted.length === 1 && sorted[0]?.encoding === "bytes";
            expect(sorted.reduce((sum, piece) => sum + piece.size, 0)).toBe(isBytes ? v.type.size : payloadSize(v.type));
            let end = 0;
            for (const piece of sorted) {
              expect(piece.offset).toBeGreaterThanOrEqual(end);
              end = piece.offset + piece.size;
            }
            expect(end).toBeLessThanOrEqual(v.type.size);
          }
        }
      }),
      runs,
    );
  });

  it("puts a value wholly in registers or wholly on the stack, matching its home", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        for (const p of both(a, s)) {
          for (const v of p.values) {
            const kinds = new Set(v.pieces.map((piece) => piece.location.kind));
            expect(kinds.size).toBeLessThanOrEqual(1);
            if (v.home.kind === "registers") expect(kinds.has("stack")).toBe(false);
            if (v.home.kind === "stack") {
              expect(kinds.has("register")).toBe(false);
              for (const piece of v.pieces) expect(piece.location).toEqual({ kind: "stack", offset: v.home.offset + piece.offset });
            }
          }
        }
      }),
      runs,
    );
  });

  it("keeps stack values and spill slots aligned, disjoint and inside the argument frame", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        for (const p of both(a, s)) {
          const ranges = stackRanges(p).sort((x, y) => x.from - y.from || x.to - y.to);
          let end = a.firstStackArgOffset;
          for (const r of ranges) {
            expect((r.from - a.firstStackArgOffset) % r.align).toBe(0);
            expect(r.from).toBeGreaterThanOrEqual(end);
            end = Math.max(end, r.to);
          }
          expect(end).toBeLessThanOrEqual(a.firstStackArgOffset + (p.argsSize ?? 0));
          expect((p.argsSize ?? 0) % 8).toBe(0);
          for (const v of p.values) {
            for (const piece of v.pieces) {
              if (piece.location.kind === "stack" && piece.encoding !== "bytes") {
                // On 64-bit targets every base value's alignment is its size (complex halves included).
                expect((piece.location.offset - a.firstStackArgOffset) % piece.size).toBe(0);
              }
            }
          }
        }
      }),
      runs,
    );
  });

  it("lays stack arguments in order, then stack results after a pointer-aligned boundary, then the spill area", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        for (const p of both(a, s)) {
          const args = p.values.filter((v) => v.role !== "result" && v.home.kind === "stack");
          const results = p.values.filter((v) => v.role === "result" && v.home.kind === "stack");
          const offsets = (vs: PlacedValue[]): number[] => vs.map((v) => (v.home.kind === "stack" ? v.home.offset : -1));
          expect(offsets(args)).toEqual([...offsets(args)].sort((x, y) => x - y));
          expect(offsets(results)).toEqual([...offsets(results)].sort((x, y) => x - y));
          const argsArea = p.stackArguments;
          const resultsArea = p.stackResults;
          const spill = p.spillArea;
          if (argsArea === undefined || resultsArea === undefined || spill === undefined) throw new Error("no unknown types are generated");
          expect(argsArea.offset).toBe(a.firstStackArgOffset);
          expect(resultsArea.offset).toBe(argsArea.offset + argsArea.size);
          expect((resultsArea.offset - a.firstStackArgOffset) % 8).toBe(0);
          expect(spill.offset).toBe(resultsArea.offset + resultsArea.size);
          for (const o of offsets(args)) expect(o).toBeLessThanOrEqual(resultsArea.offset);
          for (const o of offsets(results)) expect(o).toBeGreaterThanOrEqual(resultsArea.offset);
          expect(p.argsSize).toBe(argsArea.size + resultsArea.size + spill.size);
        }
      }),
      runs,
    );
  });
});

describe("register ABI properties", () => {
  it("takes argument registers in sequence order without reuse, and restarts at register 0 for results", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        const p = placeRegisterAbi(a, s);
        const inputs = p.values.filter((v) => v.role !== "result");
        const results = p.values.filter((v) => v.role === "result");
        for (const isFloat of [false, true]) {
          for (const group of [inputs, results]) {
            const sequence = registerSequence(group, isFloat);
            expect(sequence).toEqual(sequence.map((_, i) => i));
            expect(sequence.length).toBeLessThanOrEqual(isFloat ? a.floatArgs.length : a.integerArgs.length);
          }
        }
        for (const v of p.values) {
          for (const piece of v.pieces) {
            if (piece.location.kind !== "register") continue;
            const r = piece.location.register;
            const machine = (r.isFloat ? a.floatArgs : a.integerArgs)[r.index];
            expect(machine?.name).toBe(r.name);
            expect(r.isFloat).toBe(piece.encoding === "float");
          }
        }
      }),
      runs,
    );
  });

  it("spills exactly the values the spec's counting says do not fit, and only those", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        expect(placeRegisterAbi(a, s).values.map((v) => v.home.kind)).toEqual(expectedHomes(a, s));
      }),
      runs,
    );
  });

  it("overflows many integer words the same way: later small arguments still take the registers left", () => {
    const intWordType = fc.constantFrom<GoType>(
      { kind: "int", name: "int", size: 8, align: 8 },
      { kind: "string", name: "string", size: 16, align: 8 },
      { kind: "slice", name: "[]int", size: 24, align: 8, elem: { kind: "int", name: "int", size: 8, align: 8 } },
      layoutStruct([["A", { kind: "int32", name: "int32", size: 4, align: 4 }], ["B", { kind: "string", name: "string", size: 16, align: 8 }]]),
    );
    fc.assert(
      fc.property(fc.array(intWordType, { minLength: 6, maxLength: 20 }), fc.constantFrom(AMD64, ARM64), (types, a) => {
        const s: Signature = { values: types.map((type, i) => ({ name: `a${i}`, type, isResult: false })), dictionaryIndex: undefined };
        const p = placeRegisterAbi(a, s);
        let used = 0;
        const expected = types.map((type) => {
          const words = registerWords(type)?.ints ?? 0;
          if (used + words > a.integerArgs.length) return "stack";
          used += words;
          return "registers";
        });
        expect(p.values.map((v) => v.home.kind)).toEqual(expected);
        expect(p.values.filter((v) => v.home.kind === "stack").every((v) => v.home.kind === "stack" && v.home.reason === "out-of-registers")).toBe(true);
      }),
      runs,
    );
  });

  it("always puts arrays longer than 1 (anywhere inside a value) and zero-sized values on the stack", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        const p = placeRegisterAbi(a, s);
        for (const v of p.values) {
          if (v.type.size === 0) expect(v.home).toMatchObject({ kind: "stack", reason: "zero-size" });
          else if (registerWords(v.type) === undefined) expect(v.home).toMatchObject({ kind: "stack", reason: "array" });
        }
      }),
      runs,
    );
  });

  it("gives spill slots to register-assigned arguments only, in argument order", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        const p = placeRegisterAbi(a, s);
        for (const v of p.values) {
          if (v.home.kind !== "registers") continue;
          if (v.role === "result") expect(v.home.spill).toBeUndefined();
          else expect(v.home.spill).toBeDefined();
        }
        const spills = p.values.flatMap((v) => (v.home.kind === "registers" && v.home.spill !== undefined ? [v.home.spill as number] : []));
        expect(spills).toEqual([...spills].sort((x, y) => x - y));
      }),
      runs,
    );
  });

  it("passes the dictionary at its index, as a pointer in the integer register after the arguments before it", () => {
    fc.assert(
      fc.property(fc.constantFrom(AMD64, ARM64), signature, fc.integer({ min: 0, max: 1 }), (a, s, at) => {
        const p = placeRegisterAbi(a, { ...s, dictionaryIndex: at });
        const inputs = p.values.filter((v) => v.role !== "result");
        const index = Math.min(at, inputs.length - 1);
        expect(inputs[index]?.role).toBe("dictionary");
        const before = inputs.slice(0, index).flatMap(regKey).filter((k) => k.startsWith("I")).length;
        if (inputs[index]?.home.kind === "registers") expect(regKey(inputs[index] as PlacedValue)).toEqual([`I${before}`]);
        else expect(before).toBe(a.integerArgs.length);
      }),
      runs,
    );
  });

  it("places the arguments the same whatever the results are", () => {
    fc.assert(
      fc.property(arch, signature, signature, (a, s1, s2) => {
        const args = s1.values.filter((v) => !v.isResult);
        const p1 = placeRegisterAbi(a, { values: [...args, ...s1.values.filter((v) => v.isResult)], dictionaryIndex: s1.dictionaryIndex });
        const p2 = placeRegisterAbi(a, { values: [...args, ...s2.values.filter((v) => v.isResult)], dictionaryIndex: s1.dictionaryIndex });
        const inputs = (p: Placement): unknown[] => p.values.filter((v) => v.role !== "result").map((v) => (v.home.kind === "registers" ? v.pieces : v.home));
        expect(inputs(p1)).toEqual(inputs(p2));
      }),
      runs,
    );
  });
});

describe("ABI0 properties", () => {
  it("uses no register", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        const p = placeStackAbi(a, s);
        for (const v of p.values) {
          expect(v.home.kind).toBe("stack");
          for (const piece of v.pieces) expect(piece.location.kind).toBe("stack");
        }
        expect(p.spillArea?.size).toBe(0);
      }),
      runs,
    );
  });

  it("equals the register algorithm run with zero registers (abi-internal.md Rationale)", () => {
    fc.assert(
      fc.property(arch, signature, (a, s) => {
        const none: Arch = { ...a, integerArgs: [], floatArgs: [] };
        const stackAbi = placeStackAbi(a, s);
        const zeroRegisters = placeRegisterAbi(none, s);
        const strip = (p: Placement): unknown => ({
          values: p.values.map((v) => ({ name: v.name, pieces: v.pieces, offset: v.home.kind === "stack" ? v.home.offset : v.home.kind })),
          argsSize: p.argsSize,
          stackArguments: p.stackArguments,
          stackResults: p.stackResults,
        });
        expect(strip(zeroRegisters)).toEqual(strip(stackAbi));
      }),
      runs,
    );
  });
});

describe("values goxray cannot place", () => {
  const unknown: GoType = { kind: "unknown", name: "main.Weird", size: 8, align: 8, why: "no DW_AT_go_kind" };
  const int: GoType = { kind: "int", name: "int", size: 8, align: 8 };
  const str: GoType = { kind: "string", name: "string", size: 16, align: 8 };
  it("marks the value and everything whose place depends on it as unknown; later results in registers stay known", () => {
    const s: Signature = {
      values: [
        { name: "a", type: int, isResult: false },
        { name: "w", type: unknown, isResult: false },
        { name: "b", type: int, isResult: false },
        { name: "r", type: str, isResult: true },
      ],
      dictionaryIndex: undefined,
    };
    const p = placeRegisterAbi(AMD64, s);
    expect(p.values.map((v) => v.home.kind)).toEqual(["registers", "unknown", "unknown", "registers"]);
    expect(p.values[0]?.home).toEqual({ kind: "registers", spill: undefined });
    expect(p.argsSize).toBeUndefined();
    expect(placeStackAbi(AMD64, s).values.map((v) => v.home.kind)).toEqual(["stack", "unknown", "unknown", "unknown"]);
  });
  it("rejects sizes and layouts that contradict the spec's memory layout", () => {
    expect(findUnplaceable({ kind: "int", name: "int", size: 4, align: 4 })).toMatch(/size 4, not 8/);
    expect(findUnplaceable({ kind: "array", name: "[3]int", size: 16, align: 8, elem: int, length: 3 })).toMatch(/not 3 × 8/);
    expect(findUnplaceable({ kind: "struct", name: "S", size: 8, align: 8, fields: [{ name: "x", offset: 4, type: int, isEmbedded: false }] })).toMatch(/outside/);
    expect(findUnplaceable({ kind: "struct", name: "S", size: 8, align: 3, fields: [] })).toMatch(/alignment 3/);
    expect(findUnplaceable(node)).toBeUndefined();
  });
  it("places a huge stack array as one bytes piece instead of millions", () => {
    const big: GoType = { kind: "array", name: "[1000000]uint8", size: 1_000_000, align: 1, elem: { kind: "uint8", name: "uint8", size: 1, align: 1 }, length: 1_000_000 };
    expect(stackPieces(big, "b")).toEqual([{ path: "b", offset: 0, size: 1_000_000, encoding: "bytes", kind: "array", isFloat: false }]);
    const p = placeRegisterAbi(AMD64, { values: [{ name: "b", type: big, isResult: false }], dictionaryIndex: undefined });
    expect(p.values[0]?.home).toEqual({ kind: "stack", offset: 8, reason: "array" });
  });
});
