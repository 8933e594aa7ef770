import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuilder } from "../../test/support/byte-builder.js";
import { GoxrayError } from "../errors.js";
import { findRetSites, type CodeArch, type FunctionCode } from "./ret-sites.js";

// amd64 encodings (Intel SDM vol. 2), written by hand.
const NOP = [0x90];
const RET = [0xc3];
const RET_IMM16 = [0xc2, 0x08, 0x00];
const INT3 = [0xcc];
const UD2 = [0x0f, 0x0b];
const MOV_RAX_IMM64 = [0x48, 0xb8]; // + 8 bytes
const CALL_REL32 = [0xe8]; // + rel32
const JMP_REL32 = [0xe9]; // + rel32
const JMP_RAX = [0xff, 0xe0];
const CALL_RAX = [0xff, 0xd0];
const SYSCALL = [0x0f, 0x05];
/** ADD EAX, 0xc3c3c3c3: four RET bytes inside one instruction. */
const ADD_EAX_C3 = [0x05, 0xc3, 0xc3, 0xc3, 0xc3];
/** MOV RCX, [RSP+0xc3]: a RET byte as a displacement. */
const MOV_RCX_RSP_C3 = [0x48, 0x8b, 0x8c, 0x24, 0xc3, 0x00, 0x00, 0x00];
/** PUSH ES: no such instruction in 64-bit mode. */
const INVALID_IN_64_BIT = [0x06];

// A64 encodings (Arm ARM C6.2).
const A64_NOP = 0xd503201f;
const A64_RET = 0xd65f03c0; // RET (X30)
const A64_RET_X3 = 0xd65f0060;
const A64_RETAA = 0xd65f0bff;
const A64_BR_X16 = 0xd61f0200;
const A64_BLR_X1 = 0xd63f0020;
const A64_B = 0x14000000; // | imm26
const A64_BL = 0x94000000; // | imm26
const A64_B_EQ = 0x54000000; // | imm19 << 5 | cond
const A64_MOVZ_X0_C3 = 0xd2801860; // MOVZ X0, #0xc3
const A64_UDF = 0x00000000; // Go's padding

const ENTRY = 0x401000;

function amd64(bytes: Uint8Array): FunctionCode {
  return { file: "bin", entry: ENTRY, bytes, arch: "amd64" };
}

function arm64(words: readonly number[]): FunctionCode {
  const builder = new ByteBuilder(true);
  for (const w of words) builder.u32(w >>> 0);
  return { file: "bin", entry: ENTRY, bytes: builder.build(), arch: "arm64" };
}

const imm26 = (words: number): number => (words & 0x03ffffff) >>> 0;

describe("findRetSites on amd64", () => {
  it("finds the RET of main.Square as Go 1.22 compiled it (IMULQ AX, AX; RET)", async () => {
    const sites = await findRetSites(amd64(new Uint8Array([0x48, 0x0f, 0xaf, 0xc0, ...RET])));
    expect(sites.rets).toEqual([4]);
    expect(sites.isNoReturn).toBe(false);
  });

  it("does not take 0xC3 inside other instructions for a RET", async () => {
    const bytes = new ByteBuilder()
      .bytes(MOV_RAX_IMM64).bytes([0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3])
      .bytes(ADD_EAX_C3).bytes(MOV_RCX_RSP_C3).bytes(RET).bytes(INT3).bytes(INT3)
      .build();
    const sites = await findRetSites(amd64(bytes));
    expect(sites.rets).toEqual([10 + 5 + 8]);
  });

  it("counts RET imm16 as a return", async () => {
    expect((await findRetSites(amd64(new Uint8Array([...NOP, ...RET_IMM16])))).rets).toEqual([1]);
  });

  it("reports calls with their return offsets and targets, and direct jumps out as tail calls", async () => {
    const bytes = new ByteBuilder()
      .label("entry")
      .bytes(CALL_REL32).positionOf("entry", 4, -0x1000 - 5).label("after-call") // CALL entry-0x1000
      .bytes(CALL_RAX).label("after-call-rax")
      .bytes(RET)
      .label("morestack")
      .bytes(JMP_REL32).distance("after-jmp-back", "entry", 4).label("after-jmp-back") // JMP entry
      .bytes(JMP_REL32).u32(0x100).label("after-tail") // JMP past the end
      .bytes(INT3).bytes(INT3)
      .build();
    const sites = await findRetSites(amd64(bytes));
    expect(sites.calls).toEqual([
      { offset: 0, returnOffset: 5, target: ENTRY - 0x1000 },
      { offset: 5, returnOffset: 7, target: undefined },
    ]);
    expect(sites.rets).toEqual([7]);
    expect(sites.tailCalls).toEqual([{ offset: 13, target: ENTRY + 18 + 0x100 }]);
    expect(sites.hasTailCallAtEnd).toBe(true);
    expect(sites.isNoReturn).toBe(false);
  });

  it("does not call the morestack loop's jump back to the entry a tail call", async () => {
    const bytes = new ByteBuilder()
      .label("entry").bytes(RET)
      .bytes(CALL_REL32).u32(0x2000).bytes(JMP_REL32).distance("end", "entry", 4).label("end")
      .build();
    const sites = await findRetSites(amd64(bytes));
    expect(sites.tailCalls).toEqual([]);
    expect(sites.hasTailCallAtEnd).toBe(false);
  });

  it("tells a function that never returns: CALL runtime.gopanic; UD2; INT3 padding", async () => {
    const bytes = new ByteBuilder().bytes(CALL_REL32).u32(0x1234).bytes(UD2).bytes(INT3).bytes(INT3).build();
    const sites = await findRetSites(amd64(bytes));
    expect(sites).toMatchObject({ rets: [], tailCalls: [], indirectJumps: [], isNoReturn: true, hasTailCallAtEnd: false });
  });

  it("does not take SYSCALL for a call (iced-x86 puts it in the same flow class)", async () => {
    const sites = await findRetSites(amd64(new Uint8Array([...SYSCALL, ...CALL_RAX, ...RET])));
    expect(sites.calls).toEqual([{ offset: 2, returnOffset: 4, target: undefined }]);
  });

  it("lists jumps through a register apart from tail calls", async () => {
    const sites = await findRetSites(amd64(new Uint8Array([...NOP, ...JMP_RAX])));
    expect(sites).toMatchObject({ indirectJumps: [1], tailCalls: [], isNoReturn: false, hasTailCallAtEnd: false });
  });

  it("throws a malformed error naming the function for a truncated instruction", async () => {
    const code = amd64(new Uint8Array([...NOP, ...MOV_RAX_IMM64, 0x01, 0x02]));
    await expect(findRetSites(code)).rejects.toThrow(GoxrayError);
    await expect(findRetSites(code)).rejects.toThrow(
      "bin: function at 0x401000: amd64 instruction at +0x1 (0x401001) runs past the function's end (0x5 bytes)",
    );
  });

  it("throws a malformed error for an opcode that does not exist in 64-bit mode", async () => {
    await expect(findRetSites(amd64(new Uint8Array([...NOP, ...INVALID_IN_64_BIT, ...RET])))).rejects.toMatchObject({
      kind: "malformed",
      message: expect.stringContaining("amd64 instruction at +0x1 (0x401001) is not a valid instruction") as unknown,
    });
  });

  it("throws for a function with no bytes", async () => {
    await expect(findRetSites(amd64(new Uint8Array(0)))).rejects.toThrow("bin: function at 0x401000: no code (0 bytes)");
  });
});

describe("findRetSites on arm64", () => {
  it("finds RET, RET Xn and RETAA, and skips the zero words Go pads with", async () => {
    const sites = await findRetSites(arm64([A64_MOVZ_X0_C3, A64_RET, A64_NOP, A64_RET_X3, A64_RETAA, A64_UDF, A64_UDF]));
    expect(sites.rets).toEqual([4, 12, 16]);
    expect(sites.hasTailCallAtEnd).toBe(false);
  });

  it("reads B out of the function as a tail call, BL as a call, BR as an indirect jump", async () => {
    const sites = await findRetSites(
      arm64([A64_BL | imm26(-0x100), A64_BLR_X1, A64_B_EQ | (0x7ffff << 5), A64_BR_X16, A64_B | imm26(-4), A64_B | imm26(0x40), A64_UDF]),
    );
    expect(sites.calls).toEqual([
      { offset: 0, returnOffset: 4, target: ENTRY - 0x400 },
      { offset: 4, returnOffset: 8, target: undefined },
    ]);
    expect(sites.indirectJumps).toEqual([12]);
    // B -4 words from offset 16 is offset 0: inside. B +0x40 words from offset 20 is outside.
    expect(sites.tailCalls).toEqual([{ offset: 20, target: ENTRY + 20 + 0x100 }]);
    expect(sites.hasTailCallAtEnd).toBe(true);
    expect(sites.rets).toEqual([]);
  });

  it("tells a function that never returns (BL runtime.throw; UDF padding)", async () => {
    const sites = await findRetSites(arm64([A64_BL | imm26(0x1000), A64_UDF, A64_UDF, A64_UDF]));
    expect(sites.isNoReturn).toBe(true);
  });

  it("throws a malformed error when the size is not whole words", async () => {
    const code = { ...arm64([A64_NOP, A64_RET]), bytes: new Uint8Array(10) };
    await expect(findRetSites(code)).rejects.toThrow("bin: function at 0x401000: size 0xa is not a whole number of 4-byte arm64 instructions");
  });
});

/** One instruction of a generated function, with what a correct decoder must report for it. */
interface Piece {
  readonly bytes: readonly number[];
  readonly isRet: boolean;
}

/** Bytes that are often 0xC3, so that a byte scan would find RETs inside operands. */
const operandByte = fc.oneof(fc.constant(0xc3), fc.integer({ min: 0, max: 255 }));

const amd64Piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.constant({ bytes: NOP, isRet: false }),
  fc.constant({ bytes: RET, isRet: true }),
  fc.constant({ bytes: INT3, isRet: false }),
  fc.constant({ bytes: ADD_EAX_C3, isRet: false }),
  fc.constant({ bytes: MOV_RCX_RSP_C3, isRet: false }),
  fc.array(operandByte, { minLength: 8, maxLength: 8 }).map((imm) => ({ bytes: [...MOV_RAX_IMM64, ...imm], isRet: false })),
  fc.array(operandByte, { minLength: 4, maxLength: 4 }).map((rel) => ({ bytes: [...CALL_REL32, ...rel], isRet: false })),
  fc.array(operandByte, { minLength: 4, maxLength: 4 }).map((rel) => ({ bytes: [...JMP_REL32, ...rel], isRet: false })),
);

/** A64 RET forms per the Arm ARM (C6.2.254 RET, C6.2.255 RETAA/RETAB), to keep random words apart from them. */
const isA64Ret = (w: number): boolean => (w & 0xfffffc1f) >>> 0 === 0xd65f0000 || w === 0xd65f0bff || w === 0xd65f0fff;

const arm64Piece: fc.Arbitrary<{ word: number; isRet: boolean }> = fc.oneof(
  fc.constant({ word: A64_RET, isRet: true }),
  fc.integer({ min: 0, max: 30 }).map((n) => ({ word: (0xd65f0000 | (n << 5)) >>> 0, isRet: true })),
  fc.constant({ word: A64_NOP, isRet: false }),
  fc.integer({ min: 0, max: 0x03ffffff }).map((imm) => ({ word: (A64_B | imm) >>> 0, isRet: false })),
  fc.integer({ min: 0, max: 0x03ffffff }).map((imm) => ({ word: (A64_BL | imm) >>> 0, isRet: false })),
  fc.integer({ min: 0, max: 0xffffffff }).filter((w) => !isA64Ret(w)).map((word) => ({ word, isRet: false })),
);

describe("findRetSites properties", () => {
  it("finds exactly the RETs placed in a concatenation of amd64 instructions, and the calls and jumps", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(amd64Piece, { minLength: 1, maxLength: 40 }), async (pieces) => {
        const builder = new ByteBuilder();
        const rets: number[] = [];
        const calls: { offset: number; returnOffset: number; target: number }[] = [];
        const tailCalls: { offset: number; target: number }[] = [];
        const size = pieces.reduce((n, p) => n + p.bytes.length, 0);
        for (const piece of pieces) {
          const offset = builder.length;
          if (piece.isRet) rets.push(offset);
          const end = offset + piece.bytes.length;
          if (piece.bytes.length === 5 && (piece.bytes[0] === CALL_REL32[0] || piece.bytes[0] === JMP_REL32[0])) {
            const rel = new DataView(new Uint8Array(piece.bytes).buffer).getInt32(1, true);
            if (piece.bytes[0] === CALL_REL32[0]) calls.push({ offset, returnOffset: end, target: ENTRY + end + rel });
            else if (end + rel < 0 || end + rel >= size) tailCalls.push({ offset, target: ENTRY + end + rel });
          }
          builder.bytes(piece.bytes);
        }
        const sites = await findRetSites(amd64(builder.build()));
        expect(sites.rets).toEqual(rets);
        expect(sites.calls).toEqual(calls);
        expect(sites.tailCalls).toEqual(tailCalls);
      }),
    );
  });

  it("finds exactly the RETs placed among arm64 words", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arm64Piece, { minLength: 1, maxLength: 64 }), async (pieces) => {
        const sites = await findRetSites(arm64(pieces.map((p) => p.word)));
        expect(sites.rets).toEqual(pieces.flatMap((p, i) => (p.isRet ? [i * 4] : [])));
      }),
    );
  });

  it("gives a result or a malformed GoxrayError for any bytes", async () => {
    const arch = fc.constantFrom<CodeArch>("amd64", "arm64");
    await fc.assert(
      fc.asyncProperty(arch, fc.uint8Array({ maxLength: 96 }), fc.nat({ max: 8 }), async (a, bytes, skew) => {
        // A view that does not start at its buffer's offset 0, as Node Buffers often do.
        const backing = new Uint8Array(bytes.length + skew);
        backing.set(bytes, skew);
        const code: FunctionCode = { file: "bin", entry: ENTRY, bytes: backing.subarray(skew), arch: a };
        try {
          const sites = await findRetSites(code);
          for (const offset of sites.rets) expect(offset).toBeLessThan(bytes.length);
        } catch (err) {
          expect(err).toBeInstanceOf(GoxrayError);
          expect((err as GoxrayError).kind).toBe("malformed");
          expect((err as GoxrayError).message).toContain("function at 0x401000");
        }
      }),
      { numRuns: 500 },
    );
  });
});
