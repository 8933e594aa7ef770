import type { Hazard, HazardInput } from "./hazard.js";

/**
 * The compiler's own size of the argument frame (pclntab `args`) against the one the DWARF
 * parameters give: a difference means DWARF left a parameter out (Go 1.15 and 1.19 omit blank
 * and unnamed ones) or describes something else (range-over-func bodies, closures in shape
 * bodies), so every place after it may be wrong. test/abi-compiler.test.ts measures these cases.
 */
export function checkArgsSize(input: HazardInput): Hazard[] {
  const placed = input.placement?.argsSize;
  const recorded = input.fn.argsSize;
  if (placed === undefined || recorded === undefined || !input.fn.hasKnownResults || placed === recorded) return [];
  return [
    {
      code: "args-size-mismatch",
      severity: "error",
      message: `the compiler's argument frame is ${recorded} bytes but the DWARF parameters fill ${placed}: DWARF omits or misdescribes a parameter (Go 1.15/1.19 leave out blank and unnamed ones), so goxray does not trust this placement`,
    },
  ];
}
