// gdb's reading of a Go function's arguments at a breakpoint: gdb reads the compiler's DWARF on
// its own, so what it prints is independent of goxray's placement. Shared by the script tests
// (trace-live.test.ts) and the --run tests (trace-run.test.ts).

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const hasGdb = spawnSync("gdb", ["--version"]).status === 0;

/** A value as gdb prints it in a frame line. */
export type GdbValue = { kind: "struct"; fields: Map<string, GdbValue> } | { kind: "list"; items: GdbValue[] } | { kind: "text"; text: string };

/** Parses gdb's `name=value, name=value` frame arguments (values: `{A = 1, B = {..}}`, `{1, 2}`, `0x4a "text"`, `-5 '\373'`). */
function parseGdbArgs(text: string): Map<string, GdbValue> {
  let at = 0;
  const skipSpaces = (): void => {
    while (text[at] === " ") at++;
  };
  const value = (): GdbValue => {
    skipSpaces();
    if (text[at] === "{") {
      at++;
      const fields = new Map<string, GdbValue>();
      const items: GdbValue[] = [];
      while (at < text.length && text[at] !== "}") {
        skipSpaces();
        const named = /^([A-Za-z_~.][\w~.]*) = /.exec(text.slice(at));
        if (named !== null) {
          at += named[0].length;
          fields.set(named[1] ?? "", value());
        } else items.push(value());
        skipSpaces();
        if (text[at] === ",") at++;
      }
      at++;
      return fields.size > 0 ? { kind: "struct", fields } : { kind: "list", items };
    }
    let out = "";
    let depth = 0;
    let quote: string | undefined;
    while (at < text.length) {
      const ch = text[at] ?? "";
      if (quote !== undefined) {
        out += ch;
        if (ch === "\\") out += text[++at] ?? "";
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
        out += ch;
      } else if (ch === "<") {
        depth++;
        out += ch;
      } else if (ch === ">") {
        depth--;
        out += ch;
      } else if (depth === 0 && (ch === "," || ch === "}")) break;
      else out += ch;
      at++;
    }
    return { kind: "text", text: out.trim() };
  };
  const args = new Map<string, GdbValue>();
  while (at < text.length) {
    skipSpaces();
    const named = /^([^=\s]+)=/.exec(text.slice(at));
    if (named === null) break;
    at += named[0].length;
    args.set(named[1] ?? "", value());
    skipSpaces();
    if (text[at] === ",") at++;
  }
  return args;
}

/** The bytes of a gdb string literal's body (C escapes: \ooo, \", \\, \n, …). */
export function gdbStringBytes(body: string): Buffer {
  const out: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '"': 34, "\\": 92, "'": 39 };
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "\\") {
      out.push(...Buffer.from(body[i] ?? "", "utf8"));
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1));
    if (oct !== null) {
      out.push(Number.parseInt(oct[0], 8));
      i += oct[0].length;
    } else {
      out.push(simple[body[i + 1] ?? ""] ?? 0);
      i++;
    }
  }
  return Buffer.from(out);
}

/** gdb's frame line at a breakpoint on each function, one run of the program (`-n 1`). */
export function gdbFrames(binary: string, functions: readonly string[]): Map<string, Map<string, GdbValue>> {
  const commands = ["set pagination off", "set print frame-arguments all", "set print entry-values no", "set print elements 1000", "set confirm off"];
  for (const f of functions) commands.push(`break ${f}`, "commands", "continue", "end");
  commands.push("run -n 1 > /dev/null");
  const file = join(mkdtempSync(join(tmpdir(), "goxray-gdb-")), "commands.gdb");
  writeFileSync(file, commands.join("\n") + "\n");
  const out = spawnSync("timeout", ["120", "gdb", "-nx", "-batch", "-x", file, binary], { encoding: "utf8", maxBuffer: 64 << 20 });
  const frames = new Map<string, Map<string, GdbValue>>();
  for (const line of out.stdout.split("\n")) {
    const m = /hit Breakpoint \d+, (?:0x[0-9a-f]+ in )?(\S+) \((.*)\) at \S+$/.exec(line);
    if (m !== null && !frames.has(m[1] ?? "")) frames.set(m[1] ?? "", parseGdbArgs(m[2] ?? ""));
  }
  return frames;
}
