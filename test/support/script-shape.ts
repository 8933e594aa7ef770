// What a bpftrace script from goxray trace may hold, read from its text alone: top-level lines are
// the shebang, comments, BEGIN/END, `uprobe:PATH:0xADDR` attach points and braces; everything
// else is indented inside a probe. A name from the binary that broke out of a comment or a string
// would show up here as a top-level line of another shape, an extra probe, or a forbidden word.

/** The attach points of a script and every way it departs from the shape goxray writes. */
export interface ScriptShape {
  /** Each attach point as written: `uprobe:/path:0x491246`. */
  readonly probes: readonly string[];
  /** Lines that are not what goxray writes, or that use something a trace must not. */
  readonly problems: readonly string[];
}

// Things a tracing script never needs: a probe kind that crashes Go programs, and the builtins
// that run commands or read files (bpftrace allows system() only with --unsafe).
const FORBIDDEN_IN_CODE = [/uretprobe/, /\bsystem\s*\(/, /\bcat\s*\(/, /unsafe/, /\bsignal\s*\(/, /\boverride\s*\(/];

/** Reads the shape of `script`, whose probes must all attach to `attachPath`. */
export function readScriptShape(script: string, attachPath: string): ScriptShape {
  const probes: string[] = [];
  const problems: string[] = [];
  const probeLine = new RegExp(`^uprobe:${attachPath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:0x[0-9a-f]+$`);
  let depth = 0;
  script.split("\n").forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line.slice(0, 160))}`;
    if (/^\s*\/\//.test(line)) return;
    // Text inside string literals is data (a type may be called unsafe.Pointer); the rest is code.
    const code = line.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const forbidden of FORBIDDEN_IN_CODE) if (forbidden.test(code)) problems.push(`${where}: uses ${forbidden.source}`);
    if (line === "{") depth++;
    else if (line === "}") depth--;
    else if (depth === 0) {
      if (probeLine.test(line)) probes.push(line);
      else if (!(line === "" || line === "BEGIN" || line === "END" || (index === 0 && line === "#!/usr/bin/env bpftrace"))) problems.push(`${where}: not a probe, BEGIN, END or comment at top level`);
    } else if (line !== "" && !line.startsWith("  ")) {
      problems.push(`${where}: not indented inside a probe`);
    }
    if (depth < 0 || depth > 1) problems.push(`${where}: braces nest ${depth} deep at top level`);
  });
  if (depth !== 0) problems.push(`braces do not balance (${depth} open at the end)`);
  return { probes, problems };
}
