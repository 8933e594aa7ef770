import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EntrySpOffset, Placement, PlacedValue } from "../abi/placement.js";
import type { GoType } from "../model/go-type.js";
import { FetchPlan, planValues, type FetchedField } from "./tracefs-fetch.js";

// The fetch arguments goxray writes for kernel uprobe events, checked as the kernel would read
// them: each names a register or an SP slot with the piece's width and signedness, and decoding
// what the kernel prints for them gives back the value (a string cut to its length).

const INT_KINDS = [
  { kind: "int8", size: 1, signed: true },
  { kind: "int16", size: 2, signed: true },
  { kind: "int32", size: 4, signed: true },
  { kind: "int64", size: 8, signed: true },
  { kind: "uint8", size: 1, signed: false },
  { kind: "uint16", size: 2, signed: false },
  { kind: "uint32", size: 4, signed: false },
  { kind: "uint64", size: 8, signed: false },
] as const;

type Generated = { type: "int"; spec: (typeof INT_KINDS)[number]; value: bigint } | { type: "string"; bytes: Uint8Array };

const generated: fc.Arbitrary<Generated> = fc.oneof(
  fc.constantFrom(...INT_KINDS).chain((spec) => {
    const bits = BigInt(spec.size * 8);
    const value = spec.signed ? fc.bigInt({ min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n }) : fc.bigInt({ min: 0n, max: (1n << bits) - 1n });
    return value.map((v): Generated => ({ type: "int", spec, value: v }));
  }),
  fc.uint8Array({ maxLength: 100 }).map((bytes): Generated => ({ type: "string", bytes })),
);

/** A stack-ABI placement of `values` as arguments, each in consecutive 8-byte slots from SP+8. */
function stackPlacement(values: readonly Generated[]): Placement {
  let offset = 8;
  const placed = values.map((g, i): PlacedValue => {
    const at = offset;
    if (g.type === "int") {
      offset += 8;
      const type: GoType = { kind: g.spec.kind, name: g.spec.kind, size: g.spec.size, align: g.spec.size };
      return { name: `a${i}`, role: "argument", type, home: { kind: "stack", offset: at as EntrySpOffset, reason: "stack-abi" }, pieces: [{ path: `a${i}`, offset: 0, size: g.spec.size, encoding: g.spec.signed ? "signed" : "unsigned", kind: g.spec.kind, location: { kind: "stack", offset: at as EntrySpOffset } }] };
    }
    offset += 16;
    return {
      name: `a${i}`,
      role: "argument",
      type: { kind: "string", name: "string", size: 16, align: 8 },
      home: { kind: "stack", offset: at as EntrySpOffset, reason: "stack-abi" },
      pieces: [
        { path: `a${i}.ptr`, offset: 0, size: 8, encoding: "pointer", kind: "string", location: { kind: "stack", offset: at as EntrySpOffset } },
        { path: `a${i}.len`, offset: 8, size: 8, encoding: "signed", kind: "string", location: { kind: "stack", offset: (at + 8) as EntrySpOffset } },
      ],
    };
  });
  return { abi: "stack", arch: "amd64", values: placed, stackArguments: undefined, stackResults: undefined, spillArea: undefined, argsSize: undefined };
}

/** The SP-relative memory of the stack slots, and the heap bytes behind each string pointer. */
function simulateKernel(plan: FetchPlan, values: readonly Generated[]): Map<string, FetchedField> {
  const slots = new Map<number, bigint>();
  const heap = new Map<bigint, Uint8Array>();
  let offset = 8;
  values.forEach((g, i) => {
    if (g.type === "int") {
      slots.set(offset, BigInt.asUintN(64, g.value));
      offset += 8;
    } else {
      const address = BigInt(0x10000 * (i + 1));
      heap.set(address, g.bytes);
      slots.set(offset, address);
      slots.set(offset + 8, BigInt(g.bytes.length));
      offset += 16;
    }
  });
  const fields = new Map<string, FetchedField>();
  for (const arg of plan.args) {
    const slot = /^\+(\d+)\(%sp\)$/.exec(arg.expression);
    const behind = /^\+0\(\+(\d+)\(%sp\)\)$/.exec(arg.expression);
    const type = /^([sux])(8|16|32|64)$/.exec(arg.type);
    const array = /^u8\[(\d+)\]$/.exec(arg.type);
    if (slot !== null && type !== null) {
      const bits = Number(type[2]);
      const raw = BigInt.asUintN(bits, slots.get(Number(slot[1])) ?? 0n);
      fields.set(arg.name, type[1] === "s" ? BigInt.asIntN(bits, raw) : raw);
    } else if (behind !== null && array !== null) {
      // The kernel reads N bytes whatever the string's length: what follows it is other memory.
      const bytes = heap.get(slots.get(Number(behind[1])) ?? 0n) ?? new Uint8Array(0);
      fields.set(arg.name, Array.from({ length: Number(array[1]) }, (_, k) => BigInt(bytes[k] ?? 0xee)));
    } else {
      throw new Error(`unexpected fetch argument ${arg.name}=${arg.expression}:${arg.type}`);
    }
  }
  return fields;
}

describe("tracefs fetch arguments", () => {
  it("read each piece at its width and decode back to the value", () => {
    fc.assert(
      fc.property(fc.array(generated, { maxLength: 8 }), fc.integer({ min: 1, max: 64 }), (values, stringBytes) => {
        const plan = new FetchPlan(stringBytes, 0);
        const decode = planValues(plan, "amd64", stackPlacement(values), "argument");
        for (const arg of plan.args) expect(arg.name).toMatch(/^v\d+$/);
        const decoded = decode(simulateKernel(plan, values), { bias: 0n, typeNames: new Map(), messageTypes: [] });
        expect(decoded.map((d) => d.name)).toEqual(values.map((_, i) => `a${i}`));
        decoded.forEach((d, i) => {
          const g = values[i];
          if (g?.type === "int") expect(d.value).toEqual({ kind: "int", type: g.spec.kind, value: g.value >= BigInt(Number.MIN_SAFE_INTEGER) && g.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(g.value) : g.value });
          else if (g?.type === "string") {
            const shown = g.bytes.subarray(0, Math.min(g.bytes.length, stringBytes));
            expect(d.value.kind === "string" && [...d.value.bytes]).toEqual([...shown]);
            expect(d.value.kind === "string" && d.value.length).toBe(g.bytes.length);
            expect(d.value.kind === "string" && d.value.isTruncated).toBe(g.bytes.length > stringBytes);
          }
        });
      }),
    );
  });
  it("follow a pointer with --deref: the pointee's fields behind it, a string's bytes behind those", () => {
    const int32: GoType = { kind: "int32", name: "int32", size: 4, align: 4 };
    const str: GoType = { kind: "string", name: "string", size: 16, align: 8 };
    const item: GoType = { kind: "struct", name: "main.Item", size: 24, align: 8, fields: [{ name: "N", offset: 0, type: int32, isEmbedded: false }, { name: "S", offset: 8, type: str, isEmbedded: false }] };
    const pointer: GoType = { kind: "pointer", name: "*main.Item", size: 8, align: 8, elem: item };
    const at = 8 as EntrySpOffset;
    const placement: Placement = {
      abi: "stack",
      arch: "amd64",
      values: [{ name: "p", role: "argument", type: pointer, home: { kind: "stack", offset: at, reason: "stack-abi" }, pieces: [{ path: "p", offset: 0, size: 8, encoding: "pointer", kind: "pointer", location: { kind: "stack", offset: at } }] }],
      stackArguments: undefined,
      stackResults: undefined,
      spillArea: undefined,
      argsSize: undefined,
    };
    const plan = new FetchPlan(4, 1);
    const decode = planValues(plan, "amd64", placement, "argument");
    // Kernel syntax (Documentation/trace/uprobetracer.rst): +OFFSET(FETCHARG) reads memory at FETCHARG + OFFSET.
    expect(plan.args.map((a) => `${a.name}=${a.expression}:${a.type}`)).toEqual(["v0=+8(%sp):x64", "v1=+0(+8(%sp)):s32", "v2=+8(+8(%sp)):x64", "v3=+16(+8(%sp)):s64", "v4=+0(+8(+8(%sp))):u8[4]"]);
    const fields = new Map<string, FetchedField>([["v0", 0xc000010000n], ["v1", -7n], ["v2", 0xc000020000n], ["v3", 2n], ["v4", [0x68n, 0x69n, 0xeen, 0xeen]]]);
    const [p] = decode(fields, { bias: 0n, typeNames: new Map(), messageTypes: [] });
    expect(p?.value).toEqual({
      kind: "pointer",
      type: "*main.Item",
      address: 0xc000010000n,
      target: {
        kind: "struct",
        type: "main.Item",
        fields: [
          { name: "N", value: { kind: "int", type: "int32", value: -7 } },
          { name: "S", value: { kind: "string", type: "string", bytes: new Uint8Array([0x68, 0x69]), text: "hi", length: 2, isTruncated: false } },
        ],
      },
    });
    // Without --deref the pointer is one word.
    const flat = new FetchPlan(4, 0);
    planValues(flat, "amd64", placement, "argument");
    expect(flat.args.map((a) => a.expression)).toEqual(["+8(%sp)"]);
  });
  it("say why a float in a vector register cannot be read", () => {
    const type: GoType = { kind: "float64", name: "float64", size: 8, align: 8 };
    const placement: Placement = {
      abi: "register",
      arch: "amd64",
      values: [{ name: "f", role: "argument", type, home: { kind: "registers", spill: undefined }, pieces: [{ path: "f", offset: 0, size: 8, encoding: "float", kind: "float64", location: { kind: "register", register: { isFloat: true, index: 0 as never, name: "X0", bpftraceName: undefined, dwarf: 17 as never } } }] }],
      stackArguments: undefined,
      stackResults: undefined,
      spillArea: undefined,
      argsSize: undefined,
    };
    const plan = new FetchPlan(64, 0);
    const decoded = planValues(plan, "amd64", placement, "argument")(new Map(), { bias: 0n, typeNames: new Map(), messageTypes: [] });
    expect(plan.args).toEqual([]);
    expect(decoded[0]?.value).toEqual({ kind: "unreadable", type: "float64", why: "float in X0, which a uprobe cannot read" });
  });
});
