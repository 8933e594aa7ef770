import { findArch } from "../model/arch.js";
import { isMethodName, type GoFunction, type GoParam } from "../model/go-function.js";
import type { GoType } from "../model/go-type.js";
import { GoxrayError } from "../errors.js";
import { placeStackAbi } from "./abi0.js";
import { placeRegisterAbi } from "./abi-internal.js";
import type { Placement, Signature } from "./placement.js";

/** Places one signature; made once per binary by choosePlacer. */
export type Placer = (signature: Signature) => Placement;

/**
 * The placement function for a binary's Go functions: the register ABI or ABI0 (two functions,
 * chosen here once, as delve's funcCallArgRegABI/funcCallArgOldABI), on the binary's GOARCH.
 * `abi` is go/features.ts abiInForce's answer for the binary's Go version, GOARCH and GOEXPERIMENT.
 * Throws `unsupported` for an architecture other than amd64 and arm64.
 */
export function choosePlacer(abi: "register" | "stack", goArch: string, file: string): Placer {
  const arch = findArch(goArch);
  if (arch === undefined) throw new GoxrayError("unsupported", { file }, `goxray places arguments on amd64 and arm64, not ${goArch}`);
  switch (abi) {
    case "register":
      return (signature) => placeRegisterAbi(arch, signature);
    case "stack":
      return (signature) => placeStackAbi(arch, signature);
    default:
      return unreachable(abi);
  }
}

function unreachable(x: never): never {
  throw new RangeError(`unexpected ABI ${String(x)}`);
}

/** How a binary's functions are placed: its ABI, GOARCH and where shape bodies take their dictionary. */
export interface PlacementContext {
  readonly place: Placer;
  readonly dictionaryPosition: "first" | "after-receiver";
}

/**
 * Places a function from its DWARF signature (receiver, parameters, results; `typeOf` resolves
 * each type), with the hidden dictionary of a shape body where the Go version puts it. Undefined
 * when the binary has no DWARF for the function.
 */
export function placeFunction(fn: GoFunction, typeOf: (param: GoParam) => GoType, context: PlacementContext): Placement | undefined {
  if (!fn.hasDwarf) return undefined;
  const values = [...fn.params, ...fn.results].map((p) => ({ name: p.name, type: typeOf(p), isResult: p.isResult }));
  const dictionaryIndex = !fn.hasDictionaryArg ? undefined : context.dictionaryPosition === "first" || !isMethodName(fn.name) ? 0 : 1;
  return context.place({ values, dictionaryIndex });
}
