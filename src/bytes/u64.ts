/**
 * 64-bit fields read as two 32-bit halves. Offsets, sizes and addresses become `number`
 * (exact up to 2^53−1); anything larger is reported rather than rounded.
 */

/** The value of (hi·2^32 + lo) when it is at most 2^53−1, otherwise undefined. */
export function u64ToSafeNumber(lo: number, hi: number): number | undefined {
  // 2^53 − 1 has 21 bits in the high word.
  if (hi > 0x1f_ffff) return undefined;
  return hi * 0x1_0000_0000 + lo;
}

