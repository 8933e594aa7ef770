import type { DwarfComparison } from "../abi/compare-dwarf.js";
import type { Placement } from "../abi/placement.js";
import type { GoFunction } from "../model/go-function.js";

/** How bad a hazard is: `error` means goxray cannot show what was asked; `warning` that part is missing or risky. */
export type Severity = "info" | "warning" | "error";

/** One thing that could go wrong when tracing a function, with the sentence that says what to do. */
export interface Hazard {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
}

/** What the code of a function's body shows (code/ret-sites.ts), in model terms. */
export interface BodyFacts {
  readonly retOffsets: readonly number[];
  readonly tailCallOffsets: readonly number[];
  readonly isNoReturn: boolean;
  /** Offsets just after calls to runtime.deferreturn: where deferred calls have run. */
  readonly deferReturnOffsets: readonly number[];
}

/** Everything a hazard rule may look at for one function. */
export interface HazardInput {
  readonly fn: GoFunction;
  readonly placement: Placement | undefined;
  readonly abi: "register" | "stack";
  readonly abiReason: string;
  readonly body: BodyFacts | undefined;
  readonly isCgo: boolean;
  readonly dwarfComparisons: readonly { readonly name: string; readonly comparison: DwarfComparison }[];
}

/** A hazard rule: the hazards it finds for one function (none when it does not apply). */
export type HazardRule = (input: HazardInput) => Hazard[];
