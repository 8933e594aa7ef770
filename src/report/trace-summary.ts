import type { TraceEvent } from "../run/events.js";
import { formatLatency, renderValueText } from "./event-text.js";

/** What one function did during a trace. */
interface FunctionSummary {
  calls: number;
  returns: number;
  latencies: number[];
  /** Non-nil `error` results by their text (or dynamic type when the text is not known). */
  errors: Map<string, number>;
}

/** Counts calls, latencies and error results per function as events go by, for --summary. */
export class TraceSummary {
  private readonly functions = new Map<string, FunctionSummary>();

  add(event: TraceEvent): void {
    let summary = this.functions.get(event.func);
    if (summary === undefined) {
      summary = { calls: 0, returns: 0, latencies: [], errors: new Map() };
      this.functions.set(event.func, summary);
    }
    if (event.kind === "call") {
      summary.calls++;
      return;
    }
    summary.returns++;
    if (event.latencyNs !== undefined) summary.latencies.push(event.latencyNs);
    for (const r of event.results) {
      if (r.value.kind !== "interface" || r.value.type !== "error" || r.value.dynamicType === "nil") continue;
      const text = r.value.message === undefined ? (r.value.dynamicType ?? "an error of unknown type") : renderValueText(r.value.message);
      summary.errors.set(text, (summary.errors.get(text) ?? 0) + 1);
    }
  }

  /** The summary as text: per function, calls and returns, latency min/p50/p99/max, a log₂ histogram, errors by message. */
  render(): string {
    const lines: string[] = [];
    for (const [name, s] of [...this.functions].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`${name}: ${s.calls} call${s.calls === 1 ? "" : "s"}, ${s.returns} return${s.returns === 1 ? "" : "s"}`);
      const sorted = [...s.latencies].sort((a, b) => a - b);
      if (sorted.length > 0) {
        const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
        lines.push(`  latency  min ${formatLatency(sorted[0] ?? 0)}  p50 ${formatLatency(at(0.5))}  p99 ${formatLatency(at(0.99))}  max ${formatLatency(sorted[sorted.length - 1] ?? 0)}`);
        lines.push(...histogram(sorted).map((l) => `  ${l}`));
      }
      for (const [message, count] of [...s.errors].sort((a, b) => b[1] - a[1])) lines.push(`  error ${count}× ${message}`);
    }
    return lines.length === 0 ? "no calls seen\n" : lines.join("\n") + "\n";
  }
}

const BAR_WIDTH = 30;

/** Latencies in power-of-two buckets, one line each from the lowest to the highest used: `[1µs, 2µs)  12 ████`. */
function histogram(sorted: readonly number[]): string[] {
  const buckets = new Map<number, number>();
  for (const ns of sorted) {
    const bucket = ns <= 0 ? 0 : Math.floor(Math.log2(ns));
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  const keys = [...buckets.keys()];
  const low = Math.min(...keys);
  const high = Math.max(...keys);
  const most = Math.max(...buckets.values());
  const rows: string[] = [];
  for (let b = low; b <= high; b++) {
    const count = buckets.get(b) ?? 0;
    const range = `[${formatLatency(2 ** b)}, ${formatLatency(2 ** (b + 1))})`;
    rows.push(`${range.padEnd(20)} ${String(count).padStart(6)} ${"█".repeat(Math.round((count / most) * BAR_WIDTH))}`);
  }
  return rows;
}
