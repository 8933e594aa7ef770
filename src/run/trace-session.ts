import type { BackendName, EventSink, RunningBackend } from "./backend.js";
import { EventQueue } from "./event-queue.js";
import type { TraceEvent } from "./events.js";
import { isAlive, type StartedCommand } from "./traced-process.js";

/** Why a live trace ended. */
export type TraceEnd =
  | { readonly reason: "stopped" | "duration" | "count" }
  /** The process named by -p exited. */
  | { readonly reason: "process-exited"; readonly pid: number }
  /** The command started by -c exited; `how` is "exit status 0", "signal SIGSEGV"… */
  | { readonly reason: "command-exited"; readonly pid: number; readonly how: string }
  /** The backend ended by itself (bpftrace failed); `detail` says how. */
  | { readonly reason: "backend-ended"; readonly detail: string };

/** A live trace: iterate it for events; it ends by itself or with stop(). */
export interface TraceSession extends AsyncIterable<TraceEvent> {
  readonly backend: BackendName;
  /** Why that backend was chosen, in one sentence. */
  readonly why: string;
  /** Resolves, once everything is detached and removed, with why the trace ended. */
  readonly end: Promise<TraceEnd>;
  /** Ends the trace (as Ctrl-C does): the probes are detached, the events already read still arrive. */
  stop(): void;
}

/** When a session ends by itself. */
export interface SessionLimits {
  /** The process traced (-p): the trace ends when it exits. */
  readonly pid: number | undefined;
  /** The command started for -c, held stopped until the probes are attached. */
  readonly command: StartedCommand | undefined;
  readonly durationMs: number | undefined;
  /** Stop after this many events (calls and returns). */
  readonly count: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** How often a traced process is looked for in /proc. */
const PROCESS_POLL_MS = 200;
/** Events still in the backend's buffers when the traced process exits get this long to arrive. */
const DRAIN_MS = 500;

/**
 * Starts a backend, waits until its probes are attached (then lets a -c command run) and turns
 * it into a session that ends on stop(), the abort signal, the duration, the count, the traced
 * process's exit or the backend's own end, detaching everything before `end` resolves.
 */
export async function runSession(backend: BackendName, why: string, start: (sink: EventSink) => RunningBackend, limits: SessionLimits): Promise<TraceSession> {
  const queue = new EventQueue<TraceEvent>();
  let delivered = 0;
  let finish: (end: TraceEnd) => void = () => undefined;
  // The trace covers the time from when every probe is attached (`ready`) to the end. bpftrace
  // attaches one probe after another, and those attached first fire before the others are (in a
  // process already running, -p): what they stamp before `ready` is dropped, so that every traced
  // function is seen over the same time. Detaching takes time too (seconds while another tracer
  // registers uprobes on the machine), and the probes keep firing until it is done: what they
  // stamp after the duration is dropped. Events carry CLOCK_MONOTONIC stamps, the clock
  // process.hrtime reads (wall-clock.ts).
  let startNs: bigint | undefined;
  let deadlineNs: bigint | undefined;
  const sink: EventSink = (event) => {
    if (limits.count !== undefined && delivered >= limits.count) return;
    if (startNs === undefined || event.ns < startNs) return;
    if (deadlineNs !== undefined && event.ns > deadlineNs) return;
    queue.push(event);
    delivered++;
    if (limits.count !== undefined && delivered >= limits.count) finish({ reason: "count" });
  };
  const running = start(sink);
  try {
    await running.ready;
  } catch (err) {
    await running.stop();
    limits.command?.child.kill("SIGKILL");
    throw err;
  }
  startNs = process.hrtime.bigint();
  limits.command?.resume();

  let resolveEnd: (end: TraceEnd) => void = () => undefined;
  const end = new Promise<TraceEnd>((resolve) => (resolveEnd = resolve));
  const timers: NodeJS.Timeout[] = [];
  let isFinishing = false;
  const onAbort = (): void => finish({ reason: "stopped" });
  finish = (why: TraceEnd): void => {
    if (isFinishing) return;
    isFinishing = true;
    for (const t of timers) clearInterval(t);
    limits.signal?.removeEventListener("abort", onAbort);
    const drain = why.reason === "process-exited" || why.reason === "command-exited" ? DRAIN_MS : 0;
    void new Promise((resolve) => setTimeout(resolve, drain))
      .then(() => running.stop())
      .then(() => {
        // A -c command is goxray's child: it does not outlive the trace.
        if (limits.command !== undefined && isAlive(limits.command.pid)) limits.command.child.kill("SIGTERM");
        queue.close();
        resolveEnd(why);
      });
  };
  if (limits.signal?.aborted === true) onAbort();
  limits.signal?.addEventListener("abort", onAbort);
  if (limits.durationMs !== undefined) {
    deadlineNs = startNs + BigInt(Math.round(limits.durationMs * 1e6));
    timers.push(setTimeout(() => finish({ reason: "duration" }), limits.durationMs));
  }
  const command = limits.command;
  if (command !== undefined) void command.exited.then((how) => finish({ reason: "command-exited", pid: command.pid, how }));
  else if (limits.pid !== undefined) {
    const pid = limits.pid;
    timers.push(setInterval(() => !isAlive(pid) && finish({ reason: "process-exited", pid }), PROCESS_POLL_MS));
  }
  void running.ended.then((detail) => detail !== undefined && finish({ reason: "backend-ended", detail }));
  return {
    backend,
    why,
    end,
    stop: () => finish({ reason: "stopped" }),
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
