import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { findStackCheck } from "./prologue.js";
import type { CodeArch, FunctionCode } from "./ret-sites.js";

// amd64 instructions of real stack checks, as `go tool objdump` lists them (Intel operand order here).
const MOV_RCX_FS_G = [0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff, 0xff]; // Go 1.15: MOVQ FS:-8, CX
const MOV_RCX_TLS_OFFSET = [0x48, 0xc7, 0xc1, 0xf8, 0xff, 0xff, 0xff]; // Go 1.15 PIE: MOVQ $-8, CX
const MOV_RCX_FS_RCX = [0x64, 0x48, 0x8b, 0x09]; // Go 1.15 PIE: MOVQ FS:0(CX), CX
const MOV_R14_FS_G = [0x64, 0x4c, 0x8b, 0x34, 0x25, 0xf8, 0xff, 0xff, 0xff]; // Go 1.22 runtime.call16.abi0
const CMP_RSP_RCX_GUARD = [0x48, 0x3b, 0x61, 0x10]; // CMP RSP, [RCX+0x10]
const CMP_RSP_R14_GUARD = [0x49, 0x3b, 0x66, 0x10]; // CMP RSP, [R14+0x10]
const CMP_RSP_R13_GUARD = [0x49, 0x3b, 0x65, 0x10]; // CMP RSP, [R13+0x10]: not g
const CMP_RSP_R14_0x18 = [0x49, 0x3b, 0x66, 0x18]; // CMP RSP, [R14+0x18]: not stackguard0
const LEA_RAX_RSP_MINUS_A0 = [0x48, 0x8d, 0x84, 0x24, 0x60, 0xff, 0xff, 0xff];
const CMP_RAX_RCX_GUARD = [0x48, 0x3b, 0x41, 0x10];
const LEA_R12_RSP_MINUS_98 = [0x4c, 0x8d, 0xa4, 0x24, 0x68, 0xff, 0xff, 0xff];
const CMP_R12_R14_GUARD = [0x4d, 0x3b, 0x66, 0x10];
const MOV_R12_RSP = [0x49, 0x89, 0xe4];
const SUB_R12_1FA8 = [0x49, 0x81, 0xec, 0xa8, 0x1f, 0x00, 0x00];
const MOV_RSI_RCX_GUARD = [0x48, 0x8b, 0x71, 0x10];
const CMP_RSI_STACKPREEMPT = [0x48, 0x81, 0xfe, 0xde, 0xfa, 0xff, 0xff];
const LEA_RAX_RSP_PLUS_3A0 = [0x48, 0x8d, 0x84, 0x24, 0xa0, 0x03, 0x00, 0x00];
const SUB_RAX_RSI = [0x48, 0x29, 0xf0];
const CMP_RAX_2348 = [0x48, 0x3d, 0x48, 0x23, 0x00, 0x00];
const JBE_REL32 = [0x0f, 0x86];
const JB_REL32 = [0x0f, 0x82];
const JE_REL32 = [0x0f, 0x84];
const JBE_REL8 = 0x76;
const SUB_RSP_18 = [0x48, 0x83, 0xec, 0x18];
const IMUL_RAX_RAX = [0x48, 0x0f, 0xaf, 0xc0];
const NOP = 0x90;
const RET = 0xc3;
const CALL_REL32 = 0xe8;
const JMP_REL32 = 0xe9;

const ENTRY = 0x401000;

type X86Step = readonly number[] | "jbe" | "jbe8" | "jb" | "je";

/** A function: `prologue`, a body, then the morestack block (CALL runtime.morestack; JMP entry) that the branches go to. */
function amd64Function(prologue: readonly X86Step[]): { code: FunctionCode; morestack: number; afterPrologue: number } {
  const b = new ByteBuilder().label("entry");
  prologue.forEach((step, i) => {
    if (typeof step !== "string") b.bytes(step);
    else if (step === "jbe8") b.u8(JBE_REL8).distance(`after${i}`, "morestack", 1).label(`after${i}`);
    else b.bytes({ jbe: JBE_REL32, jb: JB_REL32, je: JE_REL32 }[step]).distance(`after${i}`, "morestack", 4).label(`after${i}`);
  });
  const afterPrologue = b.length;
  b.bytes(SUB_RSP_18).u8(NOP).u8(NOP).u8(RET);
  const morestack = b.length;
  b.label("morestack").u8(CALL_REL32).u32(0x10000).u8(JMP_REL32).distance("end", "entry", 4).label("end");
  return { code: { file: "bin", entry: ENTRY, bytes: b.build(), arch: "amd64" }, morestack, afterPrologue };
}

// A64 instructions of real stack checks (Go 1.15 uses R1-R3 and R27, Go 1.19+ R16 and R17).
const LDR_X1_G = 0xf9400b81; // MOVD 16(R28), R1
const LDR_X16_G = 0xf9400b90; // MOVD 16(R28), R16
const LDR_X16_X27 = 0xf9400b70; // MOVD 16(R27), R16: not g
const MOV_X2_SP = 0x910003e2;
const CMP_X2_X1 = 0xeb01005f;
const CMP_SP_X16 = 0xeb3063ff;
const SUB_X2_SP_176 = 0xd102c3e2;
const SUB_X17_SP_160 = 0xd10283f1;
const CMP_X17_X16 = 0xeb10023f;
const MOVZ_X27_8112 = 0xd283f61b;
const SUBS_X17_SP_X27 = 0xeb3b63f1;
const SUBS_X17_SP_3984 = 0xf13e43f1;
const MOVN_X27_STACKPREEMPT = 0x9280a43b;
const CMP_X1_X27 = 0xeb1b003f;
const ADD_X2_SP_928 = 0x910e83e2;
const SUB_X2_X2_X1 = 0xcb010042;
const MOVZ_X3_9040 = 0xd2846a03;
const CMP_X2_X3 = 0xeb03005f;
const A64_NOP = 0xd503201f;
const A64_RET = 0xd65f03c0;
const A64_MUL_X0 = 0x9b007c00;
const COND_EQ = 0b0000;
const COND_LO = 0b0011;
const COND_HI = 0b1000;
const COND_LS = 0b1001;

type A64Step = number | { readonly cond: number; readonly toEntry?: boolean };

function arm64Function(prologue: readonly A64Step[]): { code: FunctionCode; morestack: number; afterPrologue: number } {
  const body = [A64_NOP, A64_NOP, A64_RET];
  const morestackIndex = prologue.length + body.length;
  const words = prologue.map((step, i) => {
    if (typeof step === "number") return step;
    const imm19 = ((step.toEntry === true ? 0 : morestackIndex) - i) & 0x7ffff;
    return (0x54000000 | (imm19 << 5) | step.cond) >>> 0;
  });
  const bl = (0x94000000 | 0x10000) >>> 0;
  const bBack = (0x14000000 | (-(morestackIndex + 1) & 0x03ffffff)) >>> 0;
  const b = new ByteBuilder(true);
  for (const w of [...words, ...body, bl, bBack]) b.u32(w);
  return { code: { file: "bin", entry: ENTRY, bytes: b.build(), arch: "arm64" }, morestack: morestackIndex * 4, afterPrologue: prologue.length * 4 };
}

describe("findStackCheck on amd64", () => {
  it.each([
    ["small, g in R14 (Go 1.17+)", [CMP_RSP_R14_GUARD, "jbe8"], "small", undefined],
    ["small, g from TLS (Go 1.15)", [MOV_RCX_FS_G, CMP_RSP_RCX_GUARD, "jbe"], "small", "RCX"],
    ["small, assembly function of Go 1.22 (g from TLS into R14)", [MOV_R14_FS_G, CMP_RSP_R14_GUARD, "jbe8"], "small", "R14"],
    ["medium, g in R14 (Go 1.17+)", [LEA_R12_RSP_MINUS_98, CMP_R12_R14_GUARD, "jbe"], "medium", undefined],
    ["medium, g from TLS (Go 1.15)", [MOV_RCX_FS_G, LEA_RAX_RSP_MINUS_A0, CMP_RAX_RCX_GUARD, "jbe"], "medium", "RCX"],
    ["medium, g from TLS in a PIE (Go 1.15)", [MOV_RCX_TLS_OFFSET, MOV_RCX_FS_RCX, LEA_RAX_RSP_MINUS_A0, CMP_RAX_RCX_GUARD, "jbe"], "medium", "RCX"],
    ["large-underflow (Go 1.17+)", [MOV_R12_RSP, SUB_R12_1FA8, "jb", CMP_R12_R14_GUARD, "jbe"], "large-underflow", undefined],
    [
      "large-preempt (Go 1.15)",
      [MOV_RCX_FS_G, MOV_RSI_RCX_GUARD, CMP_RSI_STACKPREEMPT, "je", LEA_RAX_RSP_PLUS_3A0, SUB_RAX_RSI, CMP_RAX_2348, "jbe"],
      "large-preempt",
      "RCX",
    ],
  ] as const)("%s", async (_name, prologue, pattern, tlsRegister) => {
    const { code, morestack, afterPrologue } = amd64Function(prologue);
    expect(await findStackCheck(code)).toEqual({ pattern, tlsRegister, bodyOffset: afterPrologue, morestackOffset: morestack });
  });

  it.each([
    ["a leaf without a check (IMULQ AX, AX; RET)", [IMUL_RAX_RAX]],
    ["g loaded from TLS but no check", [MOV_RCX_FS_G, SUB_RSP_18]],
    ["a compare with another register than g", [CMP_RSP_R13_GUARD, "jbe"]],
    ["a compare with another field than stackguard0", [CMP_RSP_R14_0x18, "jbe"]],
    ["large-underflow with its two branches going to different places", [MOV_R12_RSP, SUB_R12_1FA8, JB_REL32, [0, 0, 0, 0], CMP_R12_R14_GUARD, "jbe"]],
  ] as const)("finds no check in %s", async (_name, prologue) => {
    expect(await findStackCheck(amd64Function(prologue).code)).toBeUndefined();
  });

  it("finds no check when the branch goes back instead of to a morestack block", async () => {
    const bytes = new ByteBuilder().label("entry").bytes(CMP_RSP_R14_GUARD).u8(JBE_REL8).distance("after", "entry", 1).label("after").u8(RET).build();
    expect(await findStackCheck({ file: "bin", entry: ENTRY, bytes, arch: "amd64" })).toBeUndefined();
  });

  it("finds no check in code cut short inside it", async () => {
    const { code } = amd64Function([LEA_R12_RSP_MINUS_98, CMP_R12_R14_GUARD, "jbe"]);
    expect(await findStackCheck({ ...code, bytes: code.bytes.subarray(0, 14) })).toBeUndefined();
    expect(await findStackCheck({ ...code, bytes: new Uint8Array(0) })).toBeUndefined();
  });
});

describe("findStackCheck on arm64", () => {
  it.each([
    ["small (Go 1.15)", [LDR_X1_G, MOV_X2_SP, CMP_X2_X1, { cond: COND_LS }], "small"],
    ["small (Go 1.19+)", [LDR_X16_G, CMP_SP_X16, { cond: COND_LS }], "small"],
    ["medium (Go 1.15)", [LDR_X1_G, SUB_X2_SP_176, CMP_X2_X1, { cond: COND_LS }], "medium"],
    ["medium (Go 1.19+)", [LDR_X16_G, SUB_X17_SP_160, CMP_X17_X16, { cond: COND_LS }], "medium"],
    ["large-underflow, constant in a register (Go 1.19+)", [LDR_X16_G, MOVZ_X27_8112, SUBS_X17_SP_X27, { cond: COND_LO }, CMP_X17_X16, { cond: COND_LS }], "large-underflow"],
    ["large-underflow, constant in SUBS (Go 1.19+)", [LDR_X16_G, SUBS_X17_SP_3984, { cond: COND_LO }, CMP_X17_X16, { cond: COND_LS }], "large-underflow"],
    [
      "large-preempt (Go 1.15)",
      [LDR_X1_G, MOVN_X27_STACKPREEMPT, CMP_X1_X27, { cond: COND_EQ }, ADD_X2_SP_928, SUB_X2_X2_X1, MOVZ_X3_9040, CMP_X2_X3, { cond: COND_LS }],
      "large-preempt",
    ],
  ] as const)("%s", async (_name, prologue, pattern) => {
    const { code, morestack, afterPrologue } = arm64Function(prologue);
    expect(await findStackCheck(code)).toEqual({ pattern, tlsRegister: undefined, bodyOffset: afterPrologue, morestackOffset: morestack });
  });

  it.each([
    ["a leaf without a check (MUL; RET)", [A64_MUL_X0]],
    ["a load from another register than g (R28)", [LDR_X16_X27, CMP_SP_X16, { cond: COND_LS }]],
    ["a branch on another condition than LS", [LDR_X16_G, CMP_SP_X16, { cond: COND_HI }]],
    ["a branch back to the entry", [LDR_X16_G, CMP_SP_X16, { cond: COND_LS, toEntry: true }]],
    ["MOV T, SP replaced by an ADD of a non-zero amount", [LDR_X1_G, ADD_X2_SP_928, CMP_X2_X1, { cond: COND_LS }]],
  ] as const)("finds no check in %s", async (_name, prologue) => {
    expect(await findStackCheck(arm64Function(prologue).code)).toBeUndefined();
  });
});

describe("findStackCheck properties", () => {
  it("never throws, and any check it finds lies inside the function", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<CodeArch>("amd64", "arm64"), fc.uint8Array({ maxLength: 80 }), async (arch, bytes) => {
        const check = await findStackCheck({ file: "bin", entry: ENTRY, bytes, arch });
        if (check !== undefined) {
          expect(check.bodyOffset).toBeLessThanOrEqual(check.morestackOffset);
          expect(check.morestackOffset).toBeLessThan(bytes.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds the check whatever the body and constants, with g in R14 or from TLS", async () => {
    const x86Body = fc.array(fc.constantFrom([NOP], SUB_RSP_18, IMUL_RAX_RAX, [RET]), { maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.integer({ min: -0x1000, max: -1 }), x86Body, async (isTls, frame, body) => {
        const lea = new ByteBuilder().bytes([0x4c, 0x8d, 0xa4, 0x24]).u32(frame >>> 0).build();
        const prologue: X86Step[] = isTls
          ? [MOV_R14_FS_G, [...lea], CMP_R12_R14_GUARD, "jbe", ...body.map((b) => b as readonly number[])]
          : [[...lea], CMP_R12_R14_GUARD, "jbe", ...body.map((b) => b as readonly number[])];
        const { code } = amd64Function(prologue);
        const check = await findStackCheck(code);
        expect(check?.pattern).toBe("medium");
        expect(check?.bodyOffset).toBe((isTls ? MOV_R14_FS_G.length : 0) + 8 + 4 + 6);
      }),
      { numRuns: 100 },
    );
  });
});
