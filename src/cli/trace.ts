import type { Command } from "commander";
import { GoxrayError } from "../errors.js";
import type { CliOutput } from "./output.js";

/** Deeper than this, every pointer level multiplies what one probe reads. */
const MAX_DEREF = 4;

interface TraceOptions {
  pid?: string;
  bpftrace: string;
  bpftraceVersion?: string;
  attachPath?: string;
  json?: boolean;
  stringBytes: string;
  deref: string;
  explain?: boolean;
  inlined?: boolean;
  run?: boolean;
  command?: string;
  duration?: string;
  count?: string;
  backend?: string;
  summary?: boolean;
}

/** `goxray trace BIN FUNC|REGEX...`: a bpftrace script that prints each call's arguments and each return's results. */
export function registerTrace(program: Command, out: CliOutput, setExitCode: (code: number) => void): void {
  program
    .command("trace")
    .description("write a bpftrace script that prints every call's arguments and every return's results, decoded as Go values")
    .argument("<binary>", "path to a Go ELF binary (with -p, the process's /proc/PID/exe is analysed instead)")
    .argument("<function...>", "full Go names as goxray funcs prints them, or regular expressions over them")
    .option("-p, --pid <pid>", "trace only this process, through /proc/PID/exe (a process in a container too)")
    .option("--bpftrace <path>", "the bpftrace whose version the script is written for", "bpftrace")
    .option("--bpftrace-version <x.y>", "write for this bpftrace version instead of running one")
    .option("--attach-path <path>", "write this path into the probes instead of the binary's")
    .option("--json", "make the script print one JSON object per call and per return")
    .option("--string-bytes <n>", "print at most this many bytes of each string", "64")
    .option("--inlined", "also probe each inlined copy at its first instruction (arguments from the copy's DWARF; no return)")
    .option("--explain", "say what each probe reads and why, instead of printing the script")
    .option("--deref <n>", "follow pointers this many levels deep and print what they point at", "0")
    .option("--run", "run the trace and print each call and return as it happens (needs root)")
    .option("-c, --command <command>", "with --run: start this command (it must run BIN), trace it, stop when it exits")
    .option("--duration <time>", "with --run: stop after this long (10s, 500ms, 2m)")
    .option("--count <n>", "with --run: stop after this many events")
    .option("--backend <name>", "with --run: bpftrace or tracefs (default: bpftrace when it can attach inside functions, else tracefs)")
    .option("--summary", "with --run: print calls, latencies and errors per function at the end (stderr)")
    .action(async (path: string, functions: string[], options: TraceOptions) => {
      const pid = options.pid === undefined ? undefined : positiveInteger(options.pid, "--pid");
      const stringBytes = positiveInteger(options.stringBytes, "--string-bytes");
      const deref = options.deref === "0" ? 0 : Math.min(positiveInteger(options.deref, "--deref"), MAX_DEREF);
      const runOnly = [options.command === undefined ? undefined : "-c", options.duration === undefined ? undefined : "--duration", options.count === undefined ? undefined : "--count", options.backend === undefined ? undefined : "--backend", options.summary === true ? "--summary" : undefined].filter((o) => o !== undefined);
      if (options.run !== true && runOnly.length > 0) throw new GoxrayError("usage", { file: "" }, `${runOnly.join(", ")} ${runOnly.length === 1 ? "goes" : "go"} only with --run`);
      if (options.run === true) {
        if (options.explain === true || options.bpftraceVersion !== undefined || options.attachPath !== undefined) {
          throw new GoxrayError("usage", { file: "" }, "--explain, --bpftrace-version and --attach-path write scripts; they do not go with --run");
        }
        if (pid !== undefined && options.command !== undefined) throw new GoxrayError("usage", { file: "" }, "give -p PID or -c COMMAND, not both");
        const backend = options.backend;
        if (backend !== undefined && backend !== "bpftrace" && backend !== "tracefs") throw new GoxrayError("usage", { file: "" }, `--backend is bpftrace or tracefs, not ${JSON.stringify(backend)}`);
        // Loaded when the command runs (see main.ts).
        const { parseDuration, runLiveTrace } = await import("./trace-run.js");
        const code = await runLiveTrace(
          {
            binary: path,
            functions,
            pid,
            command: options.command,
            backend,
            bpftrace: options.bpftrace,
            durationMs: options.duration === undefined ? undefined : parseDuration(options.duration),
            count: options.count === undefined ? undefined : positiveInteger(options.count, "--count"),
            isJson: options.json === true,
            hasSummary: options.summary === true,
            stringBytes,
            deref,
            isInlined: options.inlined === true,
          },
          out,
          process.stdout.isTTY === true,
        );
        setExitCode(code);
        return;
      }
      const [{ GoBinary }, { renderTraceExplain }, { buildTraceScript }] = await Promise.all([
        import("../model/go-binary.js"),
        import("../report/trace-explain.js"),
        import("../report/trace-script.js"),
      ]);
      const file = pid === undefined ? path : `/proc/${pid}/exe`;
      const binary = GoBinary.open(file);
      try {
        const trace = await buildTraceScript(binary, {
          patterns: functions,
          bpftrace: options.bpftrace,
          bpftraceVersion: options.bpftraceVersion,
          pid,
          attachPath: options.attachPath,
          mode: options.json === true ? "json" : "text",
          stringBytes,
          deref,
          inlined: options.inlined === true,
        });
        out.stdout(options.explain === true ? renderTraceExplain(trace) : trace.script);
      } finally {
        binary.close();
      }
    });
}

function positiveInteger(text: string, option: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new GoxrayError("usage", { file: "" }, `${option} takes a positive integer, not ${JSON.stringify(text)}`);
  return Number(text);
}
