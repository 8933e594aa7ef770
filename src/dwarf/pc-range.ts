/** A half-open PC range [low, high) of the running program's addresses. */
export interface PcRange {
  readonly low: number;
  readonly high: number;
}
