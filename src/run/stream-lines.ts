import type { Readable } from "node:stream";

/**
 * Calls `visit` with each complete line a child's output stream writes (without its newline), as
 * the lines arrive; a last line without a newline is never passed. Both backends read a tracer's
 * output this way: bpftrace's stdout and stderr, and the tracefs instance's trace_pipe.
 */
export function onLines(stream: Readable, visit: (line: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) visit(line);
  });
}
