import { spawnSync } from "node:child_process";
import { parseBpftraceVersion, type BpftraceVersion } from "../bpftrace/version.js";
import { GoxrayError } from "../errors.js";

/**
 * The version of the bpftrace at `command` (an executable or a wrapper, found on PATH when it has
 * no slash), from its `--version` output. A missing or failing bpftrace is an `unsupported` error
 * that says how to go on without one.
 */
export function detectBpftraceVersion(command: string): BpftraceVersion {
  const run = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 30_000 });
  const how = "give --bpftrace PATH, or --bpftrace-version X.Y to write a script for another machine";
  if (run.error !== undefined) {
    throw new GoxrayError("bpftrace", { file: command }, `cannot run bpftrace (${run.error.message}); ${how}`);
  }
  const version = run.status === 0 ? parseBpftraceVersion(run.stdout) : undefined;
  if (version === undefined) {
    const said = (run.stdout + run.stderr).trim().split("\n")[0] ?? "";
    throw new GoxrayError("bpftrace", { file: command }, `\`${command} --version\` did not name a version (exit ${String(run.status)}: ${JSON.stringify(said.slice(0, 120))}); ${how}`);
  }
  return version;
}
