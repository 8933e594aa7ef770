#!/usr/bin/env node
// The `goxray` command: runs the CLI on the process's arguments and streams.
import { runCli } from "./main.js";

// A reader that stops early (`goxray funcs BIN | head`) closes the pipe: that ends the output,
// quietly, as it does for any Unix tool; any other write failure is one line and exit 1.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") process.stderr.write(`goxray: cannot write output: ${err.code ?? err.message}\n`);
    process.exit(err.code === "EPIPE" ? 0 : 1);
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
});
// Set, never process.exit(): exiting at once can cut piped stdout short.
process.exitCode = code;
