/**
 * The machine facts placement needs for each architecture goxray supports: pointer size, Go's
 * argument register sequences, the registers with a fixed meaning, and where the stack arguments
 * start. A register has three names here (STYLE.md "Naming"): its DWARF number (the psABI's, what
 * DW_OP_regN says), its index in Go's argument sequence, and its name for reports and bpftrace.
 * Every conversion between them goes through this file.
 */

declare const brand: unique symbol;

/** A register number as DWARF writes it (DW_OP_reg0–31, DW_OP_regx): the psABI numbering, not Go's order. */
export type DwarfRegNum = number & { readonly [brand]: "DwarfRegNum" };

/** A position in Go's integer or floating-point argument register sequence (abi-internal.md "Architecture specifics"). */
export type AbiRegIndex = number & { readonly [brand]: "AbiRegIndex" };

/** The architectures goxray places arguments for, spelled as GOARCH. */
export type ArchName = "amd64" | "arm64";

/** One machine register under its three names. */
interface MachineRegister {
  /** The name in reports: "RAX", "X0", "R0", "F0". */
  readonly name: string;
  /** The name bpftrace's reg() accepts ("ax", "r0"); undefined when no uprobe can read it (vector registers are not in pt_regs). */
  readonly bpftraceName: string | undefined;
  readonly dwarf: DwarfRegNum;
}

/** The per-architecture facts of abi-internal.md "Architecture specifics", for 64-bit targets. */
export interface Arch {
  readonly name: ArchName;
  readonly pointerSize: 8;
  /** Go's integer argument and result registers, in assignment order. */
  readonly integerArgs: readonly MachineRegister[];
  /** Go's floating-point argument and result registers, in assignment order. */
  readonly floatArgs: readonly MachineRegister[];
  /** Holds the closure object's address at a call of a func value (abi-internal.md "Closures"). */
  readonly closureContext: MachineRegister;
  /** Holds the current goroutine's g in ABIInternal code. */
  readonly goroutine: MachineRegister;
  readonly stackPointer: MachineRegister;
  /** Offset from SP at a function's first instruction of its first stack-assigned argument (or ABI0 argument). */
  readonly firstStackArgOffset: number;
  /** The canonical frame address minus SP at a function's first instruction, from Go's CIE; DW_OP_fbreg N is entry SP + this + N. */
  readonly entryCfaOffset: number;
}

const register = (name: string, bpftraceName: string | undefined, dwarf: number): MachineRegister => ({ name, bpftraceName, dwarf: dwarf as DwarfRegNum });

// System V AMD64 psABI §3.6.2, Figure 3.36 (DWARF register number mapping): 0 RAX, 1 RDX, 2 RCX,
// 3 RBX, 4 RSI, 5 RDI, 6 RBP, 7 RSP, 8–15 R8–R15, 17–32 XMM0–XMM15.
const AMD64_DWARF: Readonly<Record<string, number>> = { RAX: 0, RDX: 1, RCX: 2, RBX: 3, RSI: 4, RDI: 5, RBP: 6, RSP: 7 };
const amd64 = (name: string): MachineRegister => {
  const low = AMD64_DWARF[name];
  if (low !== undefined) return register(name, name.slice(1).toLowerCase(), low);
  // R8–R15 keep their number; bpftrace spells them "r8"…"r15".
  return register(name, name.toLowerCase(), Number(name.slice(1)));
};
// Go names the vector registers X0–X15 (abi-internal.md amd64); DWARF numbers XMMn as 17 + n.
const amd64Float = (n: number): MachineRegister => register(`X${n}`, undefined, 17 + n);

// DWARF for the Arm 64-bit Architecture (AADWARF64) §4.1: 0–30 X0–X30, 31 SP, 64–95 V0–V31.
const arm64 = (n: number): MachineRegister => register(`R${n}`, `r${n}`, n);
const arm64Float = (n: number): MachineRegister => register(`F${n}`, undefined, 64 + n);
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

// abi-internal.md "amd64 architecture": integer RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11; floats
// X0–X14; RDX closure context; R14 current goroutine. The same lists are ParamIntRegNames and
// ParamFloatRegNames in ssa/_gen/AMD64Ops.go of Go 1.19, 1.22, 1.24, 1.26 and 1.27.
const AMD64: Arch = {
  name: "amd64",
  pointerSize: 8,
  integerArgs: ["RAX", "RBX", "RCX", "RDI", "RSI", "R8", "R9", "R10", "R11"].map(amd64),
  floatArgs: range(15).map(amd64Float),
  closureContext: amd64("RDX"),
  goroutine: amd64("R14"),
  stackPointer: register("RSP", "sp", 7),
  // abi-internal.md amd64 "Stack layout": CALL pushes the return PC, so at entry 0(SP) holds it
  // and the caller's outgoing arguments start at 8(SP) (go-abi.md §4).
  firstStackArgOffset: 8,
  // Go's amd64 CIE: DW_CFA_def_cfa: r7 (rsp) ofs 8 (readelf --debug-dump=frames, Go 1.15–1.27).
  entryCfaOffset: 8,
};

// abi-internal.md "arm64 architecture": integer R0–R15, floats F0–F15, R26 closure context, R28
// current goroutine (ARM64Ops.go ParamIntRegNames/ParamFloatRegNames agree, Go 1.19–1.27).
const ARM64: Arch = {
  name: "arm64",
  pointerSize: 8,
  integerArgs: range(16).map(arm64),
  floatArgs: range(16).map(arm64Float),
  closureContext: arm64(26),
  goroutine: arm64(28),
  stackPointer: register("RSP", "sp", 31),
  // abi-internal.md arm64 "Stack layout": the return PC is in R30, and the word at 0(RSP) of every
  // frame holds that frame's saved R30; a caller's outgoing arguments sit above it, so at the
  // callee's first instruction they start at 8(SP) (go-abi.md §4; Go 1.15 and 1.22 DWARF agree).
  firstStackArgOffset: 8,
  // Go's arm64 CIE: DW_CFA_def_cfa: r31 (sp) ofs 0.
  entryCfaOffset: 0,
};

/** The Arch for a GOARCH value, or undefined for an architecture goxray does not place arguments for. */
export function findArch(goArch: string): Arch | undefined {
  switch (goArch) {
    case "amd64":
      return AMD64;
    case "arm64":
      return ARM64;
    default:
      return undefined;
  }
}

/** The register class an argument register belongs to. */
type RegisterClass = "integer" | "float";

/** The machine register at `index` of the arch's integer or float argument sequence; a RangeError (a bug) past its end. */
export function argRegister(arch: Arch, registerClass: RegisterClass, index: number): MachineRegister & { readonly index: AbiRegIndex } {
  const sequence = registerClass === "integer" ? arch.integerArgs : arch.floatArgs;
  const machine = sequence[index];
  if (machine === undefined || !Number.isInteger(index)) {
    throw new RangeError(`${arch.name} has no ${registerClass} argument register ${index} (it has ${sequence.length})`);
  }
  return { ...machine, index: index as AbiRegIndex };
}

// The general-purpose registers by DWARF number (psABI tables above), for locations the compiler
// gives outside Go's argument sequences (an inlined copy's values live in any register).
const AMD64_GENERAL = ["RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"];

/** The amd64 general-purpose register Intel names `name` ("RCX", "R14"), or undefined. */
export function amd64Register(arch: Arch, name: string): MachineRegister | undefined {
  return arch.name === "amd64" && AMD64_GENERAL.includes(name) ? generalRegister(arch, AMD64_GENERAL.indexOf(name)) : undefined;
}

/** The general-purpose register with DWARF number `dwarf`, or undefined for any other (vector registers, which no uprobe reads). */
export function generalRegister(arch: Arch, dwarf: number): MachineRegister | undefined {
  if (arch.name === "amd64") {
    const name = AMD64_GENERAL[dwarf];
    return name === undefined ? undefined : name === "RSP" ? arch.stackPointer : amd64(name);
  }
  if (dwarf === 31) return arch.stackPointer;
  return Number.isInteger(dwarf) && dwarf >= 0 && dwarf <= 30 ? arm64(dwarf) : undefined;
}
