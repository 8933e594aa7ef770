// Where a function's code hands control back: the RET instructions that return-value probes sit on
// (uretprobes crash Go programs, whose stacks move), the jumps that leave it for good, and the
// calls whose return address matters (runtime.deferreturn). amd64 is decoded by iced-x86, one
// instruction after the other; arm64 is fixed-width, so each 4-byte word is one instruction.

import { createRequire } from "node:module";
import type { Instruction } from "iced-x86";
import { GoxrayError } from "../errors.js";

/** The architectures whose code goxray decodes. */
export type CodeArch = "amd64" | "arm64";

/** One function's machine code, as the caller cut it out of the binary (symbol size, or up to the next pclntab entry). */
export interface FunctionCode {
  /** The binary's name, for errors. */
  readonly file: string;
  /** Virtual address of the first byte. */
  readonly entry: number;
  readonly bytes: Uint8Array;
  readonly arch: CodeArch;
  /** File offset of the first byte, so that an error can say where in the file the code is. */
  readonly fileOffset?: number;
}

/** A direct or indirect call inside the function. */
export interface CallSite {
  /** Bytes from the entry to the call instruction. */
  readonly offset: number;
  /** Bytes from the entry to the instruction after the call: the return address it pushes (or puts in LR). */
  readonly returnOffset: number;
  /** Virtual address called; undefined for a call through a register or memory. */
  readonly target: number | undefined;
}

/** An unconditional direct jump whose target lies outside the function: a tail call. */
export interface TailCallSite {
  /** Bytes from the entry to the jump. */
  readonly offset: number;
  /** Virtual address jumped to. */
  readonly target: number;
}

/** The exits of one function, found by decoding every instruction of its code. */
export interface RetSites {
  /** Bytes from the entry to each RET instruction, ascending: where return probes go. */
  readonly rets: readonly number[];
  /** Unconditional direct jumps out of the function; the callee then returns to our caller. */
  readonly tailCalls: readonly TailCallSite[];
  /**
   * Bytes from the entry to each jump through a register or memory (JMP AX, BR X0): a jump table
   * (Go 1.19+ compiles dense switches to them) or a tail call that cannot be told apart statically.
   */
  readonly indirectJumps: readonly number[];
  /** Every call, in order; a caller matching `target` against runtime.deferreturn's address finds the defer return path. */
  readonly calls: readonly CallSite[];
  /** The last instruction before any trailing padding (INT3 on amd64, zero words on arm64) is a tail call. */
  readonly hasTailCallAtEnd: boolean;
  /**
   * No RET, no tail call and no indirect jump: control leaves only through calls that do not
   * come back (runtime.gopanic, runtime.throw), so no return probe can ever fire.
   */
  readonly isNoReturn: boolean;
}

type Iced = typeof import("iced-x86");

let icedLoading: Promise<Iced> | undefined;

/**
 * The iced-x86 module, loaded on first use: compiling its 0.8 MB of WebAssembly costs about
 * 40 ms and 25 MB of memory (Node 20 on a 2-core machine), which commands that never decode amd64
 * code should not pay. It is a CommonJS package, loaded with `require`: an ESM `import` of it
 * first scans its 3,000 lines for export names, which cost 60 ms more here.
 */
export function loadIced(): Promise<Iced> {
  icedLoading ??= Promise.resolve().then(() => createRequire(import.meta.url)("iced-x86") as Iced);
  return icedLoading;
}

/** Decodes a function's instructions and returns its RET sites, tail calls, indirect jumps and calls. */
export async function findRetSites(code: FunctionCode): Promise<RetSites> {
  if (code.bytes.byteLength === 0) throw codeError(code, undefined, "no code (0 bytes)");
  switch (code.arch) {
    case "amd64":
      return findAmd64RetSites(code, await loadIced());
    case "arm64":
      return findArm64RetSites(code);
    default: {
      const never: never = code.arch;
      throw new GoxrayError("unsupported", { file: code.file }, `cannot decode code for ${String(never)}`);
    }
  }
}

/** A `malformed` error naming the function's entry and, when given, the offending instruction's offset and address. */
function codeError(code: FunctionCode, offset: number | undefined, problem: string): GoxrayError {
  const at = offset === undefined ? "" : `${code.arch} instruction at +0x${offset.toString(16)} (0x${(code.entry + offset).toString(16)}) `;
  const place = code.fileOffset === undefined ? { file: code.file } : { file: code.file, offset: code.fileOffset + (offset ?? 0) };
  return new GoxrayError("malformed", place, `function at 0x${code.entry.toString(16)}: ${at}${problem}`);
}

/**
 * How one instruction moves control, as far as the function's exits are concerned. Targets are
 * offsets from the entry; negative or at least the size means outside the function.
 */
type Flow =
  | { readonly kind: "ret" }
  | { readonly kind: "jump"; readonly targetOffset: number }
  | { readonly kind: "indirect-jump" }
  | { readonly kind: "call"; readonly targetOffset: number | undefined }
  | { readonly kind: "padding" }
  | { readonly kind: "other" };

const RET: Flow = { kind: "ret" };
const INDIRECT_JUMP: Flow = { kind: "indirect-jump" };
const INDIRECT_CALL: Flow = { kind: "call", targetOffset: undefined };
const PADDING: Flow = { kind: "padding" };
const OTHER: Flow = { kind: "other" };

/** RetSites while the instructions are being decoded in order. */
interface Exits {
  readonly rets: number[];
  readonly tailCalls: TailCallSite[];
  readonly indirectJumps: number[];
  readonly calls: CallSite[];
  /** Whether the last instruction other than padding was a tail call. */
  isLastTailCall: boolean;
}

function noExits(): Exits {
  return { rets: [], tailCalls: [], indirectJumps: [], calls: [], isLastTailCall: false };
}

/** Records the instruction at [offset, next) of `code`. */
function addFlow(exits: Exits, code: FunctionCode, offset: number, next: number, flow: Flow): void {
  switch (flow.kind) {
    case "ret":
      exits.rets.push(offset);
      break;
    case "jump": {
      const target = flow.targetOffset;
      const isOutside = target < 0 || target >= code.bytes.byteLength;
      if (isOutside) exits.tailCalls.push({ offset, target: code.entry + target });
      exits.isLastTailCall = isOutside;
      return;
    }
    case "indirect-jump":
      exits.indirectJumps.push(offset);
      break;
    case "call":
      exits.calls.push({ offset, returnOffset: next, target: flow.targetOffset === undefined ? undefined : code.entry + flow.targetOffset });
      break;
    case "padding":
      return;
    case "other":
      break;
    default: {
      const never: never = flow;
      throw new Error(`unhandled flow ${JSON.stringify(never)}`);
    }
  }
  exits.isLastTailCall = false;
}

function toRetSites(exits: Exits): RetSites {
  return {
    rets: exits.rets,
    tailCalls: exits.tailCalls,
    indirectJumps: exits.indirectJumps,
    calls: exits.calls,
    hasTailCallAtEnd: exits.isLastTailCall,
    isNoReturn: exits.rets.length === 0 && exits.tailCalls.length === 0 && exits.indirectJumps.length === 0,
  };
}

// amd64 ----------------------------------------------------------------------------------------

function findAmd64RetSites(code: FunctionCode, iced: Iced): RetSites {
  const exits = noExits();
  const decoder = new iced.Decoder(64, code.bytes, iced.DecoderOptions.None);
  const instruction = new iced.Instruction();
  try {
    // IP 0 makes branch targets offsets from the entry (mod 2^64), kept out of bigint arithmetic.
    decoder.ip = 0n;
    while (decoder.canDecode) {
      const offset = decoder.position;
      decoder.decodeOut(instruction);
      if (instruction.isInvalid) {
        throw codeError(
          code,
          offset,
          decoder.lastError === iced.DecoderError.NoMoreBytes
            ? `runs past the function's end (0x${code.bytes.byteLength.toString(16)} bytes)`
            : "is not a valid instruction",
        );
      }
      addFlow(exits, code, offset, offset + instruction.length, amd64Flow(iced, instruction));
    }
  } finally {
    instruction.free();
    decoder.free();
  }
  return toRetSites(exits);
}

/** What one decoded x86 instruction does to control flow (iced-x86's FlowControl, narrowed to what Go emits). */
function amd64Flow(iced: Iced, instruction: Instruction): Flow {
  const { FlowControl, Mnemonic } = iced;
  switch (instruction.flowControl) {
    case FlowControl.Return:
      // RETF, IRET and SYSRET are Return too; Go code has only the near RET (C3, C2 iw).
      return instruction.mnemonic === Mnemonic.Ret ? RET : OTHER;
    case FlowControl.UnconditionalBranch:
      // JMP rel8/rel32; a far JMP ptr16:32 does not decode in 64-bit mode.
      return instruction.isJmpShortOrNear ? { kind: "jump", targetOffset: branchOffset(instruction.nearBranchTarget) } : OTHER;
    case FlowControl.IndirectBranch:
      return INDIRECT_JUMP;
    case FlowControl.Call:
      // iced-x86 counts SYSCALL, SYSENTER and VMCALL as calls too; they push no return address.
      return instruction.isCallNear ? { kind: "call", targetOffset: branchOffset(instruction.nearBranchTarget) } : OTHER;
    case FlowControl.IndirectCall:
      return instruction.isCallNearIndirect ? INDIRECT_CALL : OTHER;
    case FlowControl.Interrupt:
      // INT3 is Go's padding between functions (and after calls that never return).
      return instruction.mnemonic === Mnemonic.Int3 ? PADDING : OTHER;
    default:
      return OTHER;
  }
}

/** A near branch target decoded with IP 0, as a signed offset from the entry. */
function branchOffset(target: bigint): number {
  return Number(BigInt.asIntN(64, target));
}

// arm64 ----------------------------------------------------------------------------------------

function findArm64RetSites(code: FunctionCode): RetSites {
  const bytes = code.bytes;
  if (bytes.byteLength % 4 !== 0) {
    throw codeError(code, undefined, `size 0x${bytes.byteLength.toString(16)} is not a whole number of 4-byte arm64 instructions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const exits = noExits();
  for (let offset = 0; offset + 4 <= bytes.byteLength; offset += 4) {
    // A64 instructions are little-endian words in every byte order of data (Arm ARM B2.6.2).
    addFlow(exits, code, offset, offset + 4, classifyA64(view.getUint32(offset, true), offset));
  }
  return toRetSites(exits);
}

/**
 * The control flow of one A64 instruction word, by the encoding tables of the Arm ARM (DDI 0487,
 * C4.1 "A64 instruction set encoding"): op0 (bits 28:25) = 101x is "Branches, exception
 * generating and system instructions"; within it op0 (bits 31:29) and op1 (bits 25:12) pick the class.
 */
function classifyA64(word: number, offset: number): Flow {
  // Go pads arm64 functions to 16 bytes with zero words (UDF #0), inside the symbol's size.
  if (word === 0) return PADDING;
  if (((word >>> 26) & 0b111) !== 0b101) return OTHER;
  const top = word >>> 29; // op0 of the branch group: bits 31:29
  if ((top & 0b011) === 0b000) {
    // C4.1.65.7 Unconditional branch (immediate): B (op=0), BL (op=1); imm26 counts words.
    const targetOffset = offset + signExtend(word & 0x03ffffff, 26) * 4;
    return top === 0b100 ? { kind: "call", targetOffset } : { kind: "jump", targetOffset };
  }
  if (top === 0b110 && ((word >>> 25) & 1) === 1) return classifyBranchRegister(word);
  // Conditional, compare-and-branch, test-and-branch, exceptions, system: control goes on or
  // stays inside the function (Go emits no conditional tail calls).
  return OTHER;
}

/** C4.1.65.6 Unconditional branch (register): bits 31:25 = 1101011, opc 24:21, op2 20:16, op3 15:10, Rn 9:5, op4 4:0. */
function classifyBranchRegister(word: number): Flow {
  const opc = (word >>> 21) & 0xf;
  const op2 = (word >>> 16) & 0x1f;
  const op3 = (word >>> 10) & 0x3f;
  const rn = (word >>> 5) & 0x1f;
  const op4 = word & 0x1f;
  if (op2 !== 0b11111) return OTHER;
  switch (opc) {
    case 0b0000: // BR Xn; BRAAZ, BRABZ (op3 00001x, op4 11111)
      if (op3 === 0 && op4 === 0) return INDIRECT_JUMP;
      if ((op3 & 0b111110) === 0b000010 && op4 === 0b11111) return INDIRECT_JUMP;
      return OTHER;
    case 0b0001: // BLR Xn; BLRAAZ, BLRABZ
      if (op3 === 0 && op4 === 0) return INDIRECT_CALL;
      if ((op3 & 0b111110) === 0b000010 && op4 === 0b11111) return INDIRECT_CALL;
      return OTHER;
    case 0b0010: // RET Xn (X30 by default: 0xd65f03c0); RETAA, RETAB (FEAT_PAuth, Rn and op4 11111)
      if (op3 === 0 && op4 === 0) return RET;
      if ((op3 & 0b111110) === 0b000010 && rn === 0b11111 && op4 === 0b11111) return RET;
      return OTHER;
    case 0b1000: // BRAA, BRAB Xn, Xm|SP
      return (op3 & 0b111110) === 0b000010 ? INDIRECT_JUMP : OTHER;
    case 0b1001: // BLRAA, BLRAB
      return (op3 & 0b111110) === 0b000010 ? INDIRECT_CALL : OTHER;
    default: // ERET, DRPS and unallocated encodings
      return OTHER;
  }
}

/** The low `bits` bits of `value` as a two's complement number. */
function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}
