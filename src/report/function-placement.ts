import { choosePlacer, placeFunction } from "../abi/place.js";
import type { Placement } from "../abi/placement.js";
import { findSetting } from "../go/buildinfo.js";
import { dictionaryPosition } from "../go/features.js";
import type { GoBinary } from "../model/go-binary.js";
import type { GoFunction } from "../model/go-function.js";
import type { GoType } from "../model/go-type.js";

const UNTYPED: GoType = { kind: "unknown", name: "?", size: 0, align: 1, why: "parameter without a type" };

/**
 * Places functions of one binary: its ABI and GOARCH, where shape bodies take their dictionary,
 * and parameter types from its DWARF, chosen once. Undefined for a function with no body (its
 * inlined copies keep values wherever the caller had them) or no DWARF; throws `unsupported` for
 * an architecture goxray does not place.
 */
export function functionPlacer(binary: GoBinary): (fn: GoFunction) => Placement | undefined {
  const abi = binary.abi();
  const place = choosePlacer(abi.abi, binary.elf.goArch ?? "unknown", binary.name);
  const context = { place, dictionaryPosition: dictionaryPosition(binary.goVersion(), findSetting(binary.buildInfo(), "GOEXPERIMENT")) };
  const types = binary.types();
  return (fn) => (fn.entry === undefined ? undefined : placeFunction(fn, (p) => (p.typeOffset === undefined ? UNTYPED : types.typeAt(p.typeOffset)), context));
}
