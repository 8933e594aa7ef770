// Go's stack-growth prologue. A function that may need more stack than it has starts by comparing
// SP with g.stackguard0 and, when short, branches to a block at its end that calls
// runtime.morestack and jumps back to the entry: the prologue then runs a second time, and a
// probe on the entry byte fires twice for one call. The first instruction after the check's
// branch runs once per call. Patterns from cmd/internal/obj/x86/obj6.go and obj/arm64/obj7.go
// (stacksplit), checked against `go tool objdump` of every function of the sample binaries by
// test/ret-sites-objdump.test.ts.

import type { Instruction } from "iced-x86";
import { loadIced, type FunctionCode } from "./ret-sites.js";

/**
 * The shapes of the stack check, named after the frame sizes they serve (obj6.go, obj7.go:
 * StackSmall = 128, StackBig = 4096). test/ret-sites-objdump.test.ts finds one in every function
 * that calls runtime.morestack, and none elsewhere, in Go 1.15, 1.19, 1.22, 1.24, 1.26 and 1.27
 * binaries (other releases were not checked). g is R14 on amd64 from Go 1.17
 * (loaded from TLS before, and still in assembly functions), R28 on arm64.
 * - "small": frame ≤ StackSmall. amd64 `CMP RSP, [g+16]; JBE`; arm64 Go 1.15 `MOV X2, SP;
 *   CMP X2, X1; B.LS`, Go 1.19+ `CMP SP, X16; B.LS`.
 * - "medium": frame ≤ StackBig. amd64 `LEA T, [RSP-n]; CMP T, [g+16]; JBE`; arm64
 *   `SUB T, SP, #n; CMP T, S; B.LS`. Every version.
 * - "large-preempt": bigger frames in Go 1.15, whose stackguard0 could hold StackPreempt. amd64
 *   `MOV S, [g+16]; CMP S, $StackPreempt; JE; LEA T, [RSP+n]; SUB T, S; CMP T, imm; JBE`; arm64
 *   the same shape with MOVN/MOVZ/MOVK for the constants.
 * - "large-underflow": bigger frames in Go 1.19+, guarding SP-n against wrapping. amd64
 *   `MOV T, RSP; SUB T, imm; JB; CMP T, [g+16]; JBE`; arm64 `SUBS T, SP, #n; B.LO; CMP T, S;
 *   B.LS`, or with n in a register first (`MOVZ/MOVK R, #n; SUBS T, SP, R`) when n does not fit
 *   12 bits.
 */
export type StackCheckPattern = "small" | "medium" | "large-preempt" | "large-underflow";

/** A function's stack check, found at its entry. */
export interface StackCheck {
  readonly pattern: StackCheckPattern;
  /**
   * The register amd64 code loaded g into from thread-local storage first (`MOV RCX, FS:[-8]`, or
   * through a TLS offset in PIE), named as Intel does ("RCX"): every function of Go 1.15, and
   * assembly (ABI0) functions of later releases, which do not get g in R14. The check only reads
   * it, so it still holds g at `bodyOffset`: a probe there can read the goroutine without TLS.
   * Undefined otherwise; arm64 keeps g in R28 in every release.
   */
  readonly tlsRegister: string | undefined;
  /** Bytes from the entry to the first instruction after the check: where an entry probe fires once per call. */
  readonly bodyOffset: number;
  /** Bytes from the entry to the block the check branches to, which calls runtime.morestack and jumps back to the entry. */
  readonly morestackOffset: number;
}

/** The longest stack check (large-preempt on arm64 with four-instruction constants) is 15 instructions. */
const MAX_PROLOGUE_INSTRUCTIONS = 16;
/** g.stackguard0: the second word of runtime.g, after stack.lo and stack.hi (runtime/runtime2.go). */
const STACKGUARD0_OFFSET = 16;

/**
 * The stack check at the function's entry, or undefined when there is none (a NOSPLIT function,
 * such as a small leaf, or code that does not start with one of the known patterns).
 * Never throws on bad code: undecodable bytes simply match no pattern.
 */
export async function findStackCheck(code: FunctionCode): Promise<StackCheck | undefined> {
  switch (code.arch) {
    case "amd64":
      return matchAmd64(await decodeAmd64Prologue(code));
    case "arm64":
      return matchArm64(decodeArm64Prologue(code));
    default: {
      const never: never = code.arch;
      throw new Error(`unhandled arch ${String(never)}`);
    }
  }
}

/** Checks that a branch goes forward to the morestack block, past the check and inside the function. */
function stackCheck(pattern: StackCheckPattern, tlsRegister: string | undefined, bodyOffset: number, morestackOffset: number, size: number): StackCheck | undefined {
  if (morestackOffset < bodyOffset || morestackOffset >= size) return undefined;
  return { pattern, tlsRegister, bodyOffset, morestackOffset };
}

// amd64 ----------------------------------------------------------------------------------------

/** The parts of one decoded x86 instruction the patterns look at (iced-x86 enum values). */
interface X86Insn {
  readonly offset: number;
  readonly next: number;
  readonly mnemonic: number;
  readonly op0: X86Operand;
  readonly op1: X86Operand;
  /** Near branch target as an offset from the entry; NaN for other instructions. */
  readonly targetOffset: number;
}

type X86Operand =
  | { readonly kind: "register"; readonly register: number }
  | { readonly kind: "memory"; readonly segment: number; readonly base: number; readonly index: number; readonly displacement: number }
  | { readonly kind: "immediate" }
  | { readonly kind: "other" };

interface Amd64Prologue {
  readonly insns: readonly X86Insn[];
  readonly size: number;
  readonly iced: Awaited<ReturnType<typeof loadIced>>;
}

async function decodeAmd64Prologue(code: FunctionCode): Promise<Amd64Prologue> {
  const iced = await loadIced();
  const insns: X86Insn[] = [];
  const decoder = new iced.Decoder(64, code.bytes, iced.DecoderOptions.None);
  const instruction = new iced.Instruction();
  try {
    decoder.ip = 0n;
    while (decoder.canDecode && insns.length < MAX_PROLOGUE_INSTRUCTIONS) {
      const offset = decoder.position;
      decoder.decodeOut(instruction);
      if (instruction.isInvalid) break;
      const isNearBranch = instruction.isJccShortOrNear || instruction.isJmpShortOrNear || instruction.isCallNear;
      insns.push({
        offset,
        next: offset + instruction.length,
        mnemonic: instruction.mnemonic,
        op0: x86Operand(iced, instruction, 0),
        op1: x86Operand(iced, instruction, 1),
        targetOffset: isNearBranch ? Number(BigInt.asIntN(64, instruction.nearBranchTarget)) : Number.NaN,
      });
    }
  } finally {
    instruction.free();
    decoder.free();
  }
  return { insns, size: code.bytes.byteLength, iced };
}

function x86Operand(iced: Amd64Prologue["iced"], instruction: Instruction, index: 0 | 1): X86Operand {
  if (index >= instruction.opCount) return { kind: "other" };
  const kind = instruction.opKind(index);
  const { OpKind } = iced;
  if (kind === OpKind.Register) return { kind: "register", register: instruction.opRegister(index) };
  if (kind === OpKind.Memory) {
    return {
      kind: "memory",
      segment: instruction.memorySegment,
      base: instruction.memoryBase,
      index: instruction.memoryIndex,
      displacement: Number(BigInt.asIntN(64, instruction.memoryDisplacementU64)),
    };
  }
  if (kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64) return { kind: "immediate" };
  return { kind: "other" };
}

function matchAmd64(prologue: Amd64Prologue): StackCheck | undefined {
  const { insns, size, iced } = prologue;
  const { Mnemonic: M, Register: R } = iced;
  const at = (i: number): X86Insn | undefined => insns[i];
  const register = (op: X86Operand): number | undefined => (op.kind === "register" ? op.register : undefined);
  const isMemory = (op: X86Operand, segment: number, base: number, displacement: number): boolean =>
    op.kind === "memory" && op.segment === segment && op.base === base && op.index === R.None && op.displacement === displacement;

  // g: in R14 under the register ABI (Go 1.17+ ABIInternal); otherwise loaded from TLS first.
  let g: number = R.R14;
  let i = 0;
  let hasTlsLoad = false;
  const tlsRegister = (): string | undefined => (hasTlsLoad ? R[g] : undefined);
  const first = at(0);
  const second = at(1);
  if (first !== undefined && first.mnemonic === M.Mov && isMemory(first.op1, R.FS, R.None, -8)) {
    // Static executables: MOV RCX, FS:[-8] (runtime.tlsg resolved to -8 by the linker).
    g = register(first.op0) ?? R.None;
    i = 1;
    hasTlsLoad = true;
  } else if (
    first !== undefined && second !== undefined &&
    first.mnemonic === M.Mov && second.mnemonic === M.Mov &&
    (first.op1.kind === "immediate" || (first.op1.kind === "memory" && first.op1.base === R.RIP)) &&
    register(first.op0) !== undefined && register(second.op0) === register(first.op0) &&
    isMemory(second.op1, R.FS, register(first.op0) ?? R.None, 0)
  ) {
    // PIE and external linking: MOV RCX, $tlsoffset (or [RIP+GOT]); MOV RCX, FS:[RCX].
    g = register(first.op0) ?? R.None;
    i = 2;
    hasTlsLoad = true;
  }
  const isGuard = (op: X86Operand): boolean => isMemory(op, R.DS, g, STACKGUARD0_OFFSET);
  const isJump = (insn: X86Insn | undefined, mnemonic: number): insn is X86Insn => insn !== undefined && insn.mnemonic === mnemonic;
  const a = at(i);
  const b = at(i + 1);
  const c = at(i + 2);
  if (a === undefined || g === R.None) return undefined;

  // small: CMP RSP, [g+16]; JBE morestack
  if (a.mnemonic === M.Cmp && register(a.op0) === R.RSP && isGuard(a.op1) && isJump(b, M.Jbe)) {
    return stackCheck("small", tlsRegister(), b.next, b.targetOffset, size);
  }
  // medium: LEA T, [RSP-n]; CMP T, [g+16]; JBE morestack
  const t = register(a.op0);
  if (
    a.mnemonic === M.Lea && a.op1.kind === "memory" && a.op1.base === R.RSP && a.op1.index === R.None &&
    b !== undefined && b.mnemonic === M.Cmp && t !== undefined && register(b.op0) === t && isGuard(b.op1) && isJump(c, M.Jbe)
  ) {
    return stackCheck("medium", tlsRegister(), c.next, c.targetOffset, size);
  }
  // large-underflow: MOV T, RSP; SUB T, imm; JB morestack; CMP T, [g+16]; JBE morestack
  const d = at(i + 3);
  const e = at(i + 4);
  if (
    a.mnemonic === M.Mov && t !== undefined && register(a.op1) === R.RSP &&
    b !== undefined && b.mnemonic === M.Sub && register(b.op0) === t && b.op1.kind === "immediate" &&
    isJump(c, M.Jb) && d !== undefined && d.mnemonic === M.Cmp && register(d.op0) === t && isGuard(d.op1) &&
    isJump(e, M.Jbe) && e.targetOffset === c.targetOffset
  ) {
    return stackCheck("large-underflow", tlsRegister(), e.next, e.targetOffset, size);
  }
  // large-preempt: MOV S, [g+16]; CMP S, $StackPreempt; JE morestack; LEA T, [RSP+n]; SUB T, S;
  // CMP T, imm; JBE morestack
  const f = at(i + 5);
  const h = at(i + 6);
  const s = t;
  const u = d === undefined ? undefined : register(d.op0);
  if (
    a.mnemonic === M.Mov && s !== undefined && isGuard(a.op1) &&
    b !== undefined && b.mnemonic === M.Cmp && register(b.op0) === s && b.op1.kind === "immediate" && isJump(c, M.Je) &&
    d !== undefined && d.mnemonic === M.Lea && u !== undefined && d.op1.kind === "memory" && d.op1.base === R.RSP &&
    e !== undefined && e.mnemonic === M.Sub && register(e.op0) === u && register(e.op1) === s &&
    f !== undefined && f.mnemonic === M.Cmp && register(f.op0) === u && f.op1.kind === "immediate" &&
    isJump(h, M.Jbe) && h.targetOffset === c.targetOffset
  ) {
    return stackCheck("large-preempt", tlsRegister(), h.next, h.targetOffset, size);
  }
  return undefined;
}

// arm64 ----------------------------------------------------------------------------------------

/** A64 register 31 reads as SP in some operand positions and as XZR in others; these keep them apart. */
const SP = 31;
const ZR = 32;
/** g lives in R28 on arm64 (cmd/internal/obj/arm64: REGG). */
const REG_G = 28;
/** B.cond condition codes (Arm ARM C1.2.4). */
const COND_EQ = 0b0000;
const COND_LO = 0b0011;
const COND_LS = 0b1001;

/** The parts of one A64 instruction the patterns look at. */
type A64Insn =
  | { readonly kind: "ldr"; readonly rt: number; readonly rn: number; readonly offset: number }
  | { readonly kind: "add-sub-imm"; readonly isSub: boolean; readonly setsFlags: boolean; readonly rd: number; readonly rn: number; readonly imm: number }
  | { readonly kind: "add-sub-reg"; readonly isSub: boolean; readonly setsFlags: boolean; readonly rd: number; readonly rn: number; readonly rm: number }
  | { readonly kind: "mov-imm"; readonly rd: number }
  | { readonly kind: "b-cond"; readonly cond: number; readonly targetOffset: number }
  | { readonly kind: "other" };

interface Arm64Prologue {
  readonly insns: readonly A64Insn[];
  readonly size: number;
}

function decodeArm64Prologue(code: FunctionCode): Arm64Prologue {
  const bytes = code.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const insns: A64Insn[] = [];
  for (let offset = 0; offset + 4 <= bytes.byteLength && insns.length < MAX_PROLOGUE_INSTRUCTIONS; offset += 4) {
    insns.push(decodeA64(view.getUint32(offset, true), offset));
  }
  return { insns, size: bytes.byteLength };
}

/** Decodes the data-processing, load and branch forms a stack check uses (Arm ARM C4.1 encoding tables). */
function decodeA64(word: number, offset: number): A64Insn {
  const rd = word & 0x1f;
  const rn = (word >>> 5) & 0x1f;
  const rm = (word >>> 16) & 0x1f;
  const isSub = ((word >>> 30) & 1) === 1;
  const setsFlags = ((word >>> 29) & 1) === 1;
  const is64 = (word >>> 31) === 1;
  // C6.2.132 LDR (immediate), unsigned offset, 64-bit: 11 111 0 01 01 imm12 Rn Rt; imm12 counts 8-byte units.
  if ((word & 0xffc00000) >>> 0 === 0xf9400000) {
    return { kind: "ldr", rt: rd === 31 ? ZR : rd, rn, offset: ((word >>> 10) & 0xfff) * 8 };
  }
  // C4.1.86.1 Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd. Rn is SP at 31; Rd is SP unless S.
  if (((word >>> 23) & 0x3f) === 0b100010 && is64) {
    const imm = ((word >>> 10) & 0xfff) * (((word >>> 22) & 1) === 1 ? 4096 : 1);
    return { kind: "add-sub-imm", isSub, setsFlags, rd: rd === 31 ? (setsFlags ? ZR : SP) : rd, rn, imm };
  }
  // C4.1.88.2 Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd; 31 is XZR. A plain
  // register only (imm6 = 0).
  if (((word >>> 24) & 0x1f) === 0b01011 && ((word >>> 21) & 1) === 0 && is64 && ((word >>> 10) & 0x3f) === 0) {
    return { kind: "add-sub-reg", isSub, setsFlags, rd: rd === 31 ? ZR : rd, rn: rn === 31 ? ZR : rn, rm: rm === 31 ? ZR : rm };
  }
  // C4.1.88.3 Add/subtract (extended register): sf op S 01011 00 1 Rm option imm3 Rn Rd; Rn is SP at
  // 31, Rd is SP unless S. Plain 64-bit only: option UXTX (011), imm3 = 0.
  if (((word >>> 21) & 0xff) === 0b01011001 && is64 && ((word >>> 10) & 0x3f) === 0b011000) {
    return { kind: "add-sub-reg", isSub, setsFlags, rd: rd === 31 ? (setsFlags ? ZR : SP) : rd, rn, rm: rm === 31 ? ZR : rm };
  }
  // C4.1.86.5 Move wide (immediate): sf opc 100101 hw imm16 Rd; opc 00 MOVN, 10 MOVZ, 11 MOVK.
  if (((word >>> 23) & 0x3f) === 0b100101 && is64 && ((word >>> 29) & 0b11) !== 0b01) {
    return { kind: "mov-imm", rd: rd === 31 ? ZR : rd };
  }
  // C4.1.86.4 Logical (immediate), ORR Xd, XZR, #bitmask: the assembler's MOV for some constants.
  if (((word >>> 23) & 0x3f) === 0b100100 && is64 && ((word >>> 29) & 0b11) === 0b01 && rn === 31) {
    return { kind: "mov-imm", rd: rd === 31 ? SP : rd };
  }
  // C4.1.65.2 Conditional branch (immediate): 0101010 0 imm19 0 cond; imm19 counts words.
  if ((word & 0xff000010) >>> 0 === 0x54000000) {
    return { kind: "b-cond", cond: word & 0xf, targetOffset: offset + (((word << 8) >> 13) * 4) };
  }
  return { kind: "other" };
}

function matchArm64(prologue: Arm64Prologue): StackCheck | undefined {
  const { insns, size } = prologue;
  const at = (i: number): A64Insn | undefined => insns[i];
  const load = at(0);
  // MOVD 16(g), S: S is R1 in Go 1.15, R16 (the linker-reserved IP0) from Go 1.17 on.
  if (load?.kind !== "ldr" || load.rn !== REG_G || load.offset !== STACKGUARD0_OFFSET || load.rt === ZR) return undefined;
  const s = load.rt;
  const isCompare = (insn: A64Insn | undefined, rn: number, rm: number): boolean =>
    insn?.kind === "add-sub-reg" && insn.isSub && insn.setsFlags && insn.rd === ZR && insn.rn === rn && insn.rm === rm;
  const branchAt = (i: number, cond: number): (A64Insn & { kind: "b-cond" }) | undefined => {
    const insn = at(i);
    return insn?.kind === "b-cond" && insn.cond === cond ? insn : undefined;
  };
  /** Index after a run of 1–4 MOVZ/MOVN/MOVK/ORR writing one register, and that register. */
  const constantAt = (i: number): { next: number; rd: number } | undefined => {
    const head = at(i);
    if (head?.kind !== "mov-imm") return undefined;
    let next = i + 1;
    for (let insn = at(next); next < i + 4 && insn?.kind === "mov-imm" && insn.rd === head.rd; insn = at(next)) next++;
    return { next, rd: head.rd };
  };
  const bodyAfter = (i: number): number => (i + 1) * 4;
  /** B.LO morestack; CMP T, S; B.LS morestack, from instruction i on. */
  const largeUnderflowAfter = (i: number, t: number): StackCheck | undefined => {
    const lo = branchAt(i, COND_LO);
    const ls = branchAt(i + 2, COND_LS);
    if (lo === undefined || ls === undefined || !isCompare(at(i + 1), t, s) || lo.targetOffset !== ls.targetOffset) return undefined;
    return stackCheck("large-underflow", undefined, bodyAfter(i + 2), ls.targetOffset, size);
  };

  const a = at(1);
  // small, Go 1.17+: CMP SP, S (SUBS XZR, SP, S); B.LS morestack
  if (isCompare(a, SP, s)) {
    const ls = branchAt(2, COND_LS);
    return ls === undefined ? undefined : stackCheck("small", undefined, bodyAfter(2), ls.targetOffset, size);
  }
  // small, Go 1.15: MOV T, SP; CMP T, S; B.LS — medium: SUB T, SP, #n; CMP T, S; B.LS
  if (a?.kind === "add-sub-imm" && !a.setsFlags && a.rn === SP && a.rd !== SP) {
    const ls = branchAt(3, COND_LS);
    const isMoveSp = !a.isSub && a.imm === 0;
    if ((!a.isSub && !isMoveSp) || !isCompare(at(2), a.rd, s) || ls === undefined) return undefined;
    return stackCheck(isMoveSp ? "small" : "medium", undefined, bodyAfter(3), ls.targetOffset, size);
  }
  // large-underflow, frame - StackSmall < 4096: SUBS $n, RSP, T; B.LO morestack; CMP T, S; B.LS morestack
  if (a?.kind === "add-sub-imm" && a.isSub && a.setsFlags && a.rn === SP && a.rd !== ZR) {
    return largeUnderflowAfter(2, a.rd);
  }
  const constant = constantAt(1);
  if (constant === undefined) return undefined;
  const j = constant.next;
  // large-underflow: MOVD $n, R; SUBS R, RSP, T; B.LO morestack; CMP T, S; B.LS morestack
  const subs = at(j);
  if (subs?.kind === "add-sub-reg" && subs.isSub && subs.setsFlags && subs.rn === SP && subs.rm === constant.rd && subs.rd !== ZR) {
    return largeUnderflowAfter(j + 1, subs.rd);
  }
  // large-preempt: MOVD $StackPreempt, R; CMP R, S; BEQ morestack; ADD $n, RSP, T; SUB S, T, T;
  // MOVD $m, U; CMP U, T; BLS morestack
  const eq = branchAt(j + 1, COND_EQ);
  const add = at(j + 2);
  const sub = at(j + 3);
  if (!isCompare(at(j), s, constant.rd) || eq === undefined) return undefined;
  if (add?.kind !== "add-sub-imm" || add.isSub || add.setsFlags || add.rn !== SP || add.rd === SP) return undefined;
  if (sub?.kind !== "add-sub-reg" || !sub.isSub || sub.setsFlags || sub.rd !== add.rd || sub.rn !== add.rd || sub.rm !== s) return undefined;
  const limit = constantAt(j + 4);
  if (limit === undefined) return undefined;
  const ls = branchAt(limit.next + 1, COND_LS);
  if (!isCompare(at(limit.next), add.rd, limit.rd) || ls === undefined || ls.targetOffset !== eq.targetOffset) return undefined;
  return stackCheck("large-preempt", undefined, bodyAfter(limit.next + 1), ls.targetOffset, size);
}

