/** An open call: when it began, and its goroutine where the entry probe could read it. */
interface OpenCall {
  readonly ns: bigint;
  readonly goid: number | undefined;
}

/**
 * Matches returns with calls for latency, per goroutine (or thread) and function: a stack of open
 * calls, so recursion nests. A return whose call was not seen (it began before the probes were
 * attached) has no latency.
 */
export class CallMatcher {
  private readonly open = new Map<string, OpenCall[]>();

  called(key: string, ns: bigint, goid: number | undefined): void {
    const stack = this.open.get(key);
    if (stack === undefined) this.open.set(key, [{ ns, goid }]);
    else stack.push({ ns, goid });
  }

  /** The latency in nanoseconds of the call this return ends, and that call's goroutine, or undefined when its call was not seen. */
  returned(key: string, ns: bigint): { latencyNs: number; goid: number | undefined } | undefined {
    const stack = this.open.get(key);
    const call = stack?.pop();
    if (stack !== undefined && stack.length === 0) this.open.delete(key);
    return call === undefined ? undefined : { latencyNs: Number(ns - call.ns), goid: call.goid };
  }
}
