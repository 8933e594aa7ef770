import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { GoxrayError } from "../errors.js";

/** A process's state letter from /proc/PID/stat ("R", "S", "T", "Z"…), or undefined when it is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself hold ") ": the state follows the last one.
    return /\) (\S)/.exec(stat.slice(stat.lastIndexOf(")")))?.[1];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live process (a zombie has exited: it only waits to be reaped). */
export function isAlive(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== "Z" && state !== "X";
}

/** A command goxray started for -c, stopped before its first instruction until `resume`. */
export interface StartedCommand {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with how it ended ("exit status 0", "signal SIGTERM"). */
  readonly exited: Promise<string>;
  /** Lets it run (SIGCONT). */
  resume(): void;
}

/** How long a started command may take to stop itself before it runs. */
const STOP_WAIT_MS = 10_000;

/**
 * Starts `command` (a shell command line) through /bin/sh, which stops itself with SIGSTOP and then
 * execs the command in the same process: the pid is known, and nothing of the command runs before
 * the probes are attached and `resume` is called. Its stdout goes to `stdoutFd` (goxray's stderr,
 * so that goxray's stdout holds only events).
 */
export async function startStoppedCommand(command: string, stdoutFd: number | "inherit" | "pipe"): Promise<StartedCommand> {
  const child = spawn("/bin/sh", ["-c", `kill -STOP $$ && exec ${command}`], { stdio: ["inherit", stdoutFd, "inherit"] });
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once("error", resolve));
    throw new GoxrayError("usage", { file: "" }, `cannot start ${JSON.stringify(command)}: ${error.message}`);
  }
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(code === null ? `signal ${String(signal)}` : `exit status ${code}`)));
  const deadline = Date.now() + STOP_WAIT_MS;
  while (processState(pid) !== "T") {
    if (!isAlive(pid) || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new GoxrayError("usage", { file: "" }, `cannot start ${JSON.stringify(command)}: /bin/sh ended before running it`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { pid, child, exited, resume: () => void child.kill("SIGCONT") };
}

