import type { Hazard, HazardInput } from "./hazard.js";

/** A shape body serves every type argument of one GC shape, and takes a hidden dictionary. */
export function checkGenericShape(input: HazardInput): Hazard[] {
  if (!input.fn.hasDictionaryArg) return [];
  const dict = input.placement?.values.find((v) => v.role === "dictionary");
  const place = dict?.pieces[0]?.location;
  const where = place === undefined ? "" : ` (the dictionary is in ${place.kind === "register" ? place.register.name : `SP+${place.offset}`})`;
  return [{ code: "generic-shape", severity: "warning", message: `one body serves every instantiation with this GC shape: calls with all those type arguments are traced together${where}` }];
}
