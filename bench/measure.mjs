// One whole-process run: wall time and peak resident set size of a command.
//
// Peak RSS comes from GNU time's "Maximum resident set size" (the kernel's
// ru_maxrss for the waited-for child); without /usr/bin/time, /proc/<pid>/status
// VmHWM is sampled while the process runs, which can miss a short last peak.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const gnuTime = "/usr/bin/time";
const timeoutMs = 180_000;

/** How peak RSS is measured on this machine, for the report header. */
export const rssSource = existsSync(gnuTime)
  ? `${gnuTime} -v "Maximum resident set size"`
  : "/proc/<pid>/status VmHWM sampled every 5 ms (no /usr/bin/time)";

/**
 * Runs argv once with stdout written to stdoutPath; resolves to
 * { ms, rssKiB, status, signal, stderr }.
 */
export async function measureOnce(argv, { env, stdoutPath, scratchDir }) {
  const out = openSync(stdoutPath, "w");
  try {
    return existsSync(gnuTime) ? measureWithTime(argv, env, out, scratchDir) : await measureWithProc(argv, env, out);
  } finally {
    closeSync(out);
  }
}

function measureWithTime(argv, env, out, scratchDir) {
  const report = join(scratchDir, `time-${process.pid}.txt`);
  const start = process.hrtime.bigint();
  const result = spawnSync(gnuTime, ["-v", "-o", report, ...argv], {
    env,
    stdio: ["ignore", out, "pipe"],
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let text = "";
  try {
    text = readFileSync(report, "utf8");
    rmSync(report);
  } catch {
    // GNU time writes no report when it cannot start; the spawn error says why.
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const exit = /Exit status: (\d+)/.exec(text);
  const signal = /Command terminated by signal (\d+)/.exec(text);
  const stderr = result.error !== undefined ? String(result.error) : result.stderr.toString("utf8");
  return {
    ms,
    rssKiB: rss === null ? undefined : Number(rss[1]),
    status: exit === null ? (result.status ?? -1) : Number(exit[1]),
    signal: signal === null ? (result.signal ?? undefined) : `signal ${signal[1]}`,
    stderr,
  };
}

function measureWithProc(argv, env, out) {
  return new Promise((resolve) => {
    const [command, ...args] = argv;
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ["ignore", out, "pipe"], timeout: timeoutMs });
    let stderr = "";
    let peakKiB;
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (hwm !== null) peakKiB = Math.max(peakKiB ?? 0, Number(hwm[1]));
      } catch {
        // The process has exited between samples.
      }
    };
    const timer = setInterval(sample, 5);
    child.on("error", (err) => (stderr += String(err)));
    child.on("close", (status, signal) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, rssKiB: peakKiB, status: status ?? -1, signal: signal ?? undefined, stderr });
    });
  });
}

/** The middle value of a non-empty list of numbers (mean of the two middle ones when even). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
