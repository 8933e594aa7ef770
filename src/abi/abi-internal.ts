import { argRegister, type Arch } from "../model/arch.js";
import type { GoType } from "../model/go-type.js";
import {
  alignUp,
  baseValues,
  entrySpOffset,
  findUnplaceable,
  hasNonTrivialArray,
  signatureInputs,
  stackPieces,
  type EntrySpOffset,
  type PlacedPiece,
  type PlacedValue,
  type Placement,
  type Signature,
  type StackReason,
  type ValueHome,
  type ValueRole,
} from "./placement.js";

/**
 * Go's register-based ABIInternal, exactly as abi-internal.md "Function call argument and result
 * passing" writes it: the numbered steps below are that section's, in its three lists (the
 * algorithm, "Assigning a receiver, argument, or result", and "Register-assignment"). Used for Go
 * functions of binaries where go/features.ts abiInForce says "register".
 */

interface Draft {
  readonly name: string;
  readonly role: ValueRole;
  readonly type: GoType;
  home: ValueHome;
  readonly pieces: readonly PlacedPiece[];
}

type RegisterAttempt = { readonly pieces: PlacedPiece[]; readonly nextI: number; readonly nextFP: number } | { readonly failed: StackReason };

/** Places a signature by ABIInternal's register assignment on `arch` (amd64, arm64). */
export function placeRegisterAbi(arch: Arch, signature: Signature): Placement {
  // Algorithm step 1: NI and NFP are the lengths of the arch's sequences; I = FP = 0; S is empty.
  // `frame` is the size of S so far, counted from its first byte (the first stack argument).
  const ni = arch.integerArgs.length;
  const nfp = arch.floatArgs.length;
  let i = 0;
  let fp = 0;
  let frame = 0;
  // After a value goxray cannot place, later register numbers (until results restart them) and
  // every later stack offset depend on it: those values become unknown too.
  let unknownRegisters: string | undefined;
  let unknownStack: string | undefined;

  const addToStack = (type: GoType, name: string, reason: StackReason): { home: ValueHome; pieces: PlacedPiece[] } => {
    if (unknownStack !== undefined) return { home: { kind: "unknown", why: unknownStack }, pieces: [] };
    // abi-internal.md "Memory layout": each field of S at offset(S, i) = align(end of the previous, alignof(T)).
    frame = alignUp(frame, type.align);
    const offset = frame;
    frame += type.size;
    const pieces = stackPieces(type, name).map((b) => ({ path: b.path, offset: b.offset, size: b.size, encoding: b.encoding, kind: b.kind, location: { kind: "stack" as const, offset: entrySpOffset(arch, offset + b.offset) } }));
    return { home: { kind: "stack", offset: entrySpOffset(arch, offset), reason }, pieces };
  };

  // Register-assignment steps 1–12 for a value V of type T, starting at registers I and FP.
  const registerAssign = (type: GoType, name: string): RegisterAttempt => {
    // Step 10: an array of length > 1 fails wherever the recursion of steps 7 and 9 meets it, so
    // its presence alone decides (cmd/compile counts such arrays as 255 registers: types.CalcSize).
    if (hasNonTrivialArray(type)) return { failed: "array" };
    let nextI = i;
    let nextFP = fp;
    const pieces: PlacedPiece[] = [];
    // Steps 4, 6, 7, 9 recurse into complex halves, string/interface/slice words, struct fields and
    // a one-element array's element; step 8 makes an empty array contribute nothing. baseValues
    // walks the type in that same order and yields the base values the recursion ends at.
    for (const base of baseValues(type, name)) {
      // Steps 3 and 4: a float (or either half of a complex) takes register FP; FP++.
      // Steps 1 and 5 (and the words of step 6): a bool, integer or pointer-shaped word takes register I; I++.
      // Step 2 (an integer in two registers) exists only on 32-bit targets, which goxray does not place.
      const registerClass = base.isFloat ? "float" : "integer";
      const index = base.isFloat ? nextFP++ : nextI++;
      // Step 11: if I > NI or FP > NFP, fail; step 12 passes the failure up to V.
      if (nextI > ni || nextFP > nfp) return { failed: "out-of-registers" };
      const machine = argRegister(arch, registerClass, index);
      const register = { isFloat: base.isFloat, index: machine.index, name: machine.name, bpftraceName: machine.bpftraceName, dwarf: machine.dwarf };
      pieces.push({ path: base.path, offset: base.offset, size: base.size, encoding: base.encoding, kind: base.kind, location: { kind: "register", register } });
    }
    return { pieces, nextI, nextFP };
  };

  // "Assigning a receiver, argument, or result V of underlying type T".
  const assign = (name: string, role: ValueRole, type: GoType): Draft => {
    const why = findUnplaceable(type);
    if (why !== undefined) {
      const cause = `${name} (${why})`;
      unknownRegisters = `placed after ${cause}`;
      unknownStack = `placed after ${cause}`;
      return { name, role, type, home: { kind: "unknown", why }, pieces: [] };
    }
    // Step 1: remember I and FP (the attempt below works on copies and commits only on success).
    // Step 2: a zero-sized T goes to the stack sequence S.
    if (type.size === 0) return { name, role, type, ...addToStack(type, name, "zero-size") };
    if (unknownRegisters !== undefined) return { name, role, type, home: { kind: "unknown", why: unknownRegisters }, pieces: [] };
    // Step 3: try to register-assign V.
    const attempt = registerAssign(type, name);
    if ("failed" in attempt) {
      // Step 4: I and FP go back to the values of step 1 (registers tried are not used), and T
      // is added to S: the whole of V is on the stack, never split.
      return { name, role, type, ...addToStack(type, name, attempt.failed) };
    }
    i = attempt.nextI;
    fp = attempt.nextFP;
    return { name, role, type, home: { kind: "registers", spill: undefined }, pieces: attempt.pieces };
  };

  const inputs: Draft[] = [];
  // Steps 2 and 3: the receiver (declared first), then each argument; a shape body's hidden
  // dictionary is one of them, where the compiler's signature has it (Signature.dictionaryIndex).
  for (const v of signatureInputs(signature)) inputs.push(assign(v.name, v.role, v.type));
  // Step 4: a pointer-alignment field in S.
  frame = alignUp(frame, arch.pointerSize);
  const argumentsEnd = unknownStack === undefined ? frame : undefined;
  // Step 5: results restart at the first register of each sequence.
  i = 0;
  fp = 0;
  unknownRegisters = undefined;
  // Step 6: each result.
  const results: Draft[] = [];
  for (const v of signature.values) if (v.isResult) results.push(assign(v.name, "result", v.type));
  // Step 7: a pointer-alignment field in S.
  frame = alignUp(frame, arch.pointerSize);
  const resultsEnd = unknownStack === undefined ? frame : undefined;
  // Step 8: each register-assigned receiver and argument gets a field of its type in S, its spill slot.
  for (const input of inputs) {
    if (input.home.kind !== "registers") continue;
    if (unknownStack !== undefined) continue;
    frame = alignUp(frame, input.type.align);
    input.home = { kind: "registers", spill: entrySpOffset(arch, frame) };
    frame += input.type.size;
  }
  // Step 9: a pointer-alignment field in S.
  frame = alignUp(frame, arch.pointerSize);
  const spillEnd = unknownStack === undefined ? frame : undefined;

  const area = (start: number | undefined, end: number | undefined): { offset: EntrySpOffset; size: number } | undefined =>
    start === undefined || end === undefined ? undefined : { offset: entrySpOffset(arch, start), size: end - start };
  return {
    abi: "register",
    arch: arch.name,
    values: [...inputs, ...results].map((d): PlacedValue => ({ name: d.name, role: d.role, type: d.type, home: d.home, pieces: d.pieces })),
    stackArguments: area(0, argumentsEnd),
    stackResults: area(argumentsEnd, resultsEnd),
    spillArea: area(resultsEnd, spillEnd),
    argsSize: spillEnd,
  };
}
