import type { Arch } from "../model/arch.js";
import type { GoType } from "../model/go-type.js";
import { alignUp, entrySpOffset, findUnplaceable, signatureInputs, stackPieces, type PlacedValue, type Placement, type Signature, type ValueRole } from "./placement.js";

/**
 * Go's stack-based ABI0: every receiver, argument and result in the argument frame, in declaration
 * order, each at its type's natural alignment; results start at a pointer-aligned offset, and the
 * frame ends pointer-aligned. Go functions use it before the register ABI (amd64 before 1.17,
 * arm64 before 1.18: go/features.ts), as do 32-bit targets, which goxray does not place.
 * abi-internal.md's Rationale notes that its register algorithm with zero registers gives the same
 * layout (placement.test.ts checks). Source: cmd/compile/internal/gc/align.go of Go 1.15
 * (widstruct over receiver, params, results).
 */

/** Places a signature by ABI0 on `arch`: no registers, no spill area. */
export function placeStackAbi(arch: Arch, signature: Signature): Placement {
  let frame = 0;
  // Every offset after a value goxray cannot place depends on that value's size.
  let unknown: string | undefined;
  const place = (name: string, role: ValueRole, type: GoType): PlacedValue => {
    if (unknown !== undefined) return { name, role, type, home: { kind: "unknown", why: unknown }, pieces: [] };
    const why = findUnplaceable(type);
    if (why !== undefined) {
      unknown = `placed after ${name} (${why})`;
      return { name, role, type, home: { kind: "unknown", why }, pieces: [] };
    }
    frame = alignUp(frame, type.align);
    const offset = frame;
    frame += type.size;
    const pieces = stackPieces(type, name).map((b) => ({ path: b.path, offset: b.offset, size: b.size, encoding: b.encoding, kind: b.kind, location: { kind: "stack" as const, offset: entrySpOffset(arch, offset + b.offset) } }));
    return { name, role, type, home: { kind: "stack", offset: entrySpOffset(arch, offset), reason: "stack-abi" }, pieces };
  };

  const values: PlacedValue[] = [];
  for (const v of signatureInputs(signature)) values.push(place(v.name, v.role, v.type));
  frame = alignUp(frame, arch.pointerSize);
  const argumentsEnd = unknown === undefined ? frame : undefined;
  for (const v of signature.values) if (v.isResult) values.push(place(v.name, "result", v.type));
  frame = alignUp(frame, arch.pointerSize);
  const resultsEnd = unknown === undefined ? frame : undefined;
  return {
    abi: "stack",
    arch: arch.name,
    values,
    stackArguments: argumentsEnd === undefined ? undefined : { offset: entrySpOffset(arch, 0), size: argumentsEnd },
    stackResults: argumentsEnd === undefined || resultsEnd === undefined ? undefined : { offset: entrySpOffset(arch, argumentsEnd), size: resultsEnd - argumentsEnd },
    spillArea: resultsEnd === undefined ? undefined : { offset: entrySpOffset(arch, resultsEnd), size: 0 },
    argsSize: resultsEnd,
  };
}
