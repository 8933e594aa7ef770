import { describe, expect, it } from "vitest";
import { argRegister, findArch, generalRegister, type Arch } from "./arch.js";

// Expectations are the published tables, typed in here: System V AMD64 psABI Figure 3.36 and
// AADWARF64 §4.1 for DWARF numbers, abi-internal.md for Go's sequences, bpftrace's
// src/arch/x86_64.cpp and aarch64/arm.cpp for reg() names.

function arch(name: string): Arch {
  const a = findArch(name);
  if (a === undefined) throw new Error(`no arch ${name}`);
  return a;
}

describe("amd64", () => {
  const amd64 = arch("amd64");
  it("has Go's nine integer registers in order, with psABI DWARF numbers and bpftrace names", () => {
    expect(amd64.integerArgs.map((r) => [r.name, r.dwarf, r.bpftraceName])).toEqual([
      ["RAX", 0, "ax"],
      ["RBX", 3, "bx"],
      ["RCX", 2, "cx"],
      ["RDI", 5, "di"],
      ["RSI", 4, "si"],
      ["R8", 8, "r8"],
      ["R9", 9, "r9"],
      ["R10", 10, "r10"],
      ["R11", 11, "r11"],
    ]);
  });
  it("has X0–X14 for floats, DWARF 17–31, unreadable by bpftrace", () => {
    expect(amd64.floatArgs).toHaveLength(15);
    expect(amd64.floatArgs[0]).toEqual({ name: "X0", bpftraceName: undefined, dwarf: 17 });
    expect(amd64.floatArgs[14]).toEqual({ name: "X14", bpftraceName: undefined, dwarf: 31 });
  });
  it("names the closure context, g and SP registers", () => {
    expect(amd64.closureContext).toEqual({ name: "RDX", bpftraceName: "dx", dwarf: 1 });
    expect(amd64.goroutine).toEqual({ name: "R14", bpftraceName: "r14", dwarf: 14 });
    expect(amd64.stackPointer).toEqual({ name: "RSP", bpftraceName: "sp", dwarf: 7 });
  });
  it("starts stack arguments above the return address; CFA is SP+8 at entry", () => {
    expect(amd64.firstStackArgOffset).toBe(8);
    expect(amd64.entryCfaOffset).toBe(8);
  });
});

describe("arm64", () => {
  const arm64 = arch("arm64");
  it("has R0–R15 and F0–F15 with AADWARF64 numbers", () => {
    expect(arm64.integerArgs.map((r) => r.name)).toEqual(Array.from({ length: 16 }, (_, i) => `R${i}`));
    expect(arm64.integerArgs[15]).toEqual({ name: "R15", bpftraceName: "r15", dwarf: 15 });
    expect(arm64.floatArgs).toHaveLength(16);
    expect(arm64.floatArgs[0]).toEqual({ name: "F0", bpftraceName: undefined, dwarf: 64 });
    expect(arm64.floatArgs[15]).toEqual({ name: "F15", bpftraceName: undefined, dwarf: 79 });
  });
  it("names R26 closure context, R28 g, SP 31", () => {
    expect(arm64.closureContext).toEqual({ name: "R26", bpftraceName: "r26", dwarf: 26 });
    expect(arm64.goroutine).toEqual({ name: "R28", bpftraceName: "r28", dwarf: 28 });
    expect(arm64.stackPointer.dwarf).toBe(31);
  });
  it("starts stack arguments at SP+8 (0(SP) is the caller's saved LR); CFA is SP at entry", () => {
    expect(arm64.firstStackArgOffset).toBe(8);
    expect(arm64.entryCfaOffset).toBe(0);
  });
});

describe("argRegister", () => {
  it("maps a sequence index to the machine register and carries the index", () => {
    expect(argRegister(arch("amd64"), "integer", 3)).toEqual({ name: "RDI", bpftraceName: "di", dwarf: 5, index: 3 });
    expect(argRegister(arch("arm64"), "float", 2)).toEqual({ name: "F2", bpftraceName: undefined, dwarf: 66, index: 2 });
  });
  it("refuses an index past the sequence", () => {
    expect(() => argRegister(arch("amd64"), "integer", 9)).toThrow(RangeError);
    expect(() => argRegister(arch("amd64"), "float", 15)).toThrow(RangeError);
    expect(() => argRegister(arch("arm64"), "integer", -1)).toThrow(RangeError);
  });
  it("knows only amd64 and arm64", () => {
    expect(findArch("386")).toBeUndefined();
    expect(findArch("riscv64")).toBeUndefined();
  });
});

describe("generalRegister", () => {
  it("maps every psABI general register number to its name and bpftrace's reg() name", () => {
    const amd64 = arch("amd64");
    const names = Array.from({ length: 17 }, (_, n) => {
      const r = generalRegister(amd64, n);
      return r === undefined ? undefined : [r.name, r.dwarf, r.bpftraceName];
    });
    expect(names).toEqual([
      ["RAX", 0, "ax"], ["RDX", 1, "dx"], ["RCX", 2, "cx"], ["RBX", 3, "bx"], ["RSI", 4, "si"], ["RDI", 5, "di"], ["RBP", 6, "bp"], ["RSP", 7, "sp"],
      ["R8", 8, "r8"], ["R9", 9, "r9"], ["R10", 10, "r10"], ["R11", 11, "r11"], ["R12", 12, "r12"], ["R13", 13, "r13"], ["R14", 14, "r14"], ["R15", 15, "r15"],
      undefined,
    ]);
    const arm64 = arch("arm64");
    expect([0, 17, 30, 31, 32, 64].map((n) => generalRegister(arm64, n)?.bpftraceName)).toEqual(["r0", "r17", "r30", "sp", undefined, undefined]);
  });
});
