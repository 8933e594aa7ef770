import { checkArgsSize } from "./args-size.js";
import { checkCgo } from "./cgo.js";
import { checkDwarfDisagrees } from "./dwarf-disagrees.js";
import { checkFloatRegisters } from "./float-registers.js";
import { checkGenericShape } from "./generic-shape.js";
import type { Hazard, HazardInput, HazardRule } from "./hazard.js";
import { checkInlined } from "./inlined.js";
import { checkNoDwarf } from "./no-dwarf.js";
import { checkNoRet } from "./no-ret.js";
import { checkResultsAtReturn } from "./results-at-return.js";
import { checkStackAbi } from "./stack-abi.js";
import { checkUnknownPlacement } from "./unknown-placement.js";
import { checkUretprobe } from "./uretprobe.js";
import { checkWrapper } from "./wrapper.js";

// Most severe first, so that the first line of a report is the one that matters most.
const RULES: readonly HazardRule[] = [
  checkInlined,
  checkNoDwarf,
  checkUnknownPlacement,
  checkArgsSize,
  checkFloatRegisters,
  checkDwarfDisagrees,
  checkNoRet,
  checkGenericShape,
  checkWrapper,
  checkStackAbi,
  checkCgo,
  checkResultsAtReturn,
  checkUretprobe,
];

/** Every hazard of one function, from every rule, in a fixed order. */
export function checkHazards(input: HazardInput): Hazard[] {
  return RULES.flatMap((rule) => rule(input));
}
