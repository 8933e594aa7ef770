#!/usr/bin/env node
// The `goxray` command: runs the CLI on the process's arguments and streams.
import { runCli } from "./main.js";

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
});
// Set, never process.exit(): exiting at once can cut piped stdout short.
process.exitCode = code;
