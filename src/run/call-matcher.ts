/**
 * Matches returns with calls for latency, per goroutine (or thread) and function: a stack of call
 * times, so recursion nests. A return whose call was not seen (it began before the probes were
 * attached) has no latency.
 */
export class CallMatcher {
  private readonly open = new Map<string, bigint[]>();

  called(key: string, ns: bigint): void {
    const stack = this.open.get(key);
    if (stack === undefined) this.open.set(key, [ns]);
    else stack.push(ns);
  }

  /** The latency in nanoseconds of the call this return ends, or undefined. */
  returned(key: string, ns: bigint): number | undefined {
    const stack = this.open.get(key);
    const start = stack?.pop();
    if (stack !== undefined && stack.length === 0) this.open.delete(key);
    return start === undefined ? undefined : Number(ns - start);
  }
}
