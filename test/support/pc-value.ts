import { ByteBuilder } from "./byte-builder.js";

const zigzag = (d: number): number => (d >= 0 ? 2 * d : -2 * d - 1);

/**
 * A pc-value table from runs of (value, length in bytes), encoded as Go's linker does
 * (cmd/internal/obj pcln.go): zig-zag value deltas from −1, uvarint pc deltas in quanta, a 0 end.
 */
export function encodePcValue(runs: readonly (readonly [value: number, length: number])[], quantum: number): Uint8Array {
  const b = new ByteBuilder();
  let value = -1;
  for (const [v, length] of runs) {
    b.uleb(zigzag(v - value)).uleb(length / quantum);
    value = v;
  }
  return b.u8(0).build();
}
