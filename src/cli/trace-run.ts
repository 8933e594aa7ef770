import { GoxrayError } from "../errors.js";
import { renderEventJson } from "../report/event-json.js";
import { EventTextRenderer } from "../report/event-text.js";
import { trace } from "../report/trace-run.js";
import { TraceSummary } from "../report/trace-summary.js";
import type { BackendName } from "../run/backend.js";
import type { CliOutput } from "./output.js";

/** Exit code when the process named by -p exits before the trace is stopped (README "Exit codes"). */
const EXIT_TRACED_PROCESS_EXITED = 10;
/** Exit code when the backend ends by itself (the same as bpftrace failing to run). */
const EXIT_BACKEND_ENDED = 8;

/** What `goxray trace --run` was given. */
interface LiveTraceRequest {
  readonly binary: string;
  readonly functions: readonly string[];
  readonly pid: number | undefined;
  readonly command: string | undefined;
  readonly backend: BackendName | undefined;
  readonly bpftrace: string;
  readonly durationMs: number | undefined;
  readonly count: number | undefined;
  readonly isJson: boolean;
  readonly hasSummary: boolean;
  readonly stringBytes: number;
  readonly deref: number;
  /** --inlined: also probe each inlined copy. */
  readonly isInlined: boolean;
}

/** "10s", "500ms", "2m", "1h", or a number of seconds, in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const ms = m === null ? NaN : Number(m[1]) * (units[m[2] ?? "s"] ?? 1000);
  if (!Number.isFinite(ms) || ms <= 0) throw new GoxrayError("usage", { file: "" }, `--duration takes a time such as 10s, 500ms or 2m, not ${JSON.stringify(text)}`);
  return ms;
}

/**
 * Runs the trace and prints each event as it comes (Go syntax, or JSON lines with --json), then
 * the summary; says on stderr which backend runs and why, and how the trace ended. Ctrl-C and
 * SIGTERM end it cleanly. Returns the exit code.
 */
export async function runLiveTrace(request: LiveTraceRequest, out: CliOutput, isTty: boolean): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const session = await trace(
      { binary: request.binary, functions: request.functions, ...(request.pid === undefined ? {} : { pid: request.pid }), ...(request.command === undefined ? {} : { command: request.command }) },
      {
        ...(request.backend === undefined ? {} : { backend: request.backend }),
        bpftrace: request.bpftrace,
        ...(request.durationMs === undefined ? {} : { durationMs: request.durationMs }),
        ...(request.count === undefined ? {} : { count: request.count }),
        signal: controller.signal,
        stringBytes: request.stringBytes,
        deref: request.deref,
        inlined: request.isInlined,
        // The command's own output goes to stderr, so that stdout holds only events.
        commandStdout: 2,
      },
    );
    out.stderr(`goxray: tracing with ${session.backend}: ${session.why}\n`);
    const renderer = new EventTextRenderer(isTty && (process.env["NO_COLOR"] ?? "") === "");
    const summary = request.hasSummary ? new TraceSummary() : undefined;
    for await (const event of session) {
      out.stdout((request.isJson ? renderEventJson(event) : renderer.render(event)) + "\n");
      summary?.add(event);
    }
    const end = await session.end;
    if (summary !== undefined) out.stderr(summary.render());
    switch (end.reason) {
      case "stopped":
      case "duration":
      case "count":
        return 0;
      case "command-exited":
        out.stderr(`goxray: the command (pid ${end.pid}) ended (${end.how}); trace stopped\n`);
        return 0;
      case "process-exited":
        out.stderr(`goxray: process ${end.pid} exited; trace stopped\n`);
        return EXIT_TRACED_PROCESS_EXITED;
      case "backend-ended":
        out.stderr(`goxray: ${end.detail}\n`);
        return EXIT_BACKEND_ENDED;
      default: {
        const never: never = end;
        throw new RangeError(`unexpected end ${JSON.stringify(never)}`);
      }
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
