import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { READY_MARKER } from "../bpftrace/script.js";
import { GoxrayError } from "../errors.js";
import type { EventSink, RunningBackend } from "./backend.js";
import { signalGroup, waitForClose } from "./process-group.js";
import { decodeScriptLine, type ScriptDecoding } from "./script-events.js";
import { onLines } from "./stream-lines.js";

/** What the bpftrace backend runs. */
interface BpftraceRun {
  /** The bpftrace executable or wrapper (found on PATH when it has no slash). */
  readonly command: string;
  /** A goxray trace --json script written with the ready marker. */
  readonly script: string;
  readonly decoding: ScriptDecoding;
}

/** How long bpftrace may take to attach: loading 128 type names took 0.23 about 1.2 s, a loaded machine more. */
const ATTACH_TIMEOUT_MS = 120_000;
/** After SIGINT, bpftrace detaches and prints its maps; it is killed if it takes longer. */
const STOP_GRACE_MS = 5_000;

// 0.17 prints this when it cannot raise RLIMIT_MEMLOCK, which recent kernels no longer need.
const HARMLESS_STDERR = /RLIMIT_MEMLOCK|^\s*$/;

/**
 * Runs the script with bpftrace in its own process group and decodes its JSON lines into events.
 * stop() sends SIGINT to the group (bpftrace detaches its probes), then SIGKILL if it lingers;
 * the script's temporary file is removed either way.
 */
export function startBpftrace(run: BpftraceRun, sink: EventSink): RunningBackend {
  const dir = mkdtempSync(join(tmpdir(), "goxray-run-"));
  const scriptPath = join(dir, "trace.bt");
  writeFileSync(scriptPath, run.script);
  const child = spawn(run.command, [scriptPath], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let isStopping = false;
  let isReady = false;
  const stderrLines: string[] = [];
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let markReady: () => void = () => undefined;
  let failReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const failure = (what: string): GoxrayError => {
    const said = stderrLines.filter((l) => !HARMLESS_STDERR.test(l));
    return new GoxrayError("bpftrace", { file: run.command }, `${what}${said.length > 0 ? `: ${said.slice(0, 3).join(" / ").slice(0, 400)}` : ""}`);
  };
  const attachTimer = setTimeout(() => failReady(failure(`bpftrace did not attach its probes within ${ATTACH_TIMEOUT_MS / 1000} s`)), ATTACH_TIMEOUT_MS);
  void ready.then(
    () => clearTimeout(attachTimer),
    () => clearTimeout(attachTimer),
  );

  onLines(child.stdout, (line) => {
    if (line === READY_MARKER) {
      isReady = true;
      markReady();
      return;
    }
    const event = decodeScriptLine(line, run.decoding);
    if (event !== undefined) sink(event);
  });
  onLines(child.stderr, (line) => {
    if (stderrLines.length < 50) stderrLines.push(line);
  });
  child.once("error", (err) => failReady(new GoxrayError("bpftrace", { file: run.command }, `cannot run bpftrace: ${err.message}`)));

  const ended = closed.then((): string | undefined => {
    const status = child.exitCode === null ? `signal ${String(child.signalCode)}` : `status ${child.exitCode}`;
    if (!isReady) failReady(failure(`bpftrace exited (${status}) before attaching its probes`));
    return isStopping ? undefined : failure(`bpftrace exited by itself (${status})`).message;
  });
  void ended.finally(() => rmSync(dir, { recursive: true, force: true }));

  return {
    ready,
    ended,
    stop: async () => {
      if (!isStopping) {
        isStopping = true;
        signalGroup(child, "SIGINT");
        if (!(await waitForClose(child, closed, STOP_GRACE_MS))) {
          signalGroup(child, "SIGKILL");
          await closed;
        }
        // A wrapper (chroot, sudo) may leave children in the group.
        signalGroup(child, "SIGKILL");
      }
      await ended;
    },
  };
}
