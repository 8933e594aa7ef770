import { execFileSync } from "node:child_process";
import type { GoToolchain } from "./samples.js";

/** What `go version -m BIN` prints, parsed: the Go toolchain's own reading of the build info. */
export interface GoVersionM {
  goVersion: string;
  path: string | undefined;
  mod: { path: string; version: string } | undefined;
  deps: { path: string; version: string }[];
  /** `build` lines exactly as printed (values quoted by Go where needed). */
  buildLines: string[];
}

export function goVersionM(toolchain: GoToolchain, binary: string): GoVersionM {
  const text = execFileSync(toolchain.goBin, ["version", "-m", binary], { encoding: "utf8", env: { ...process.env, GOTOOLCHAIN: "local" } });
  const lines = text.split("\n");
  const first = lines[0] ?? "";
  const result: GoVersionM = { goVersion: first.slice(first.lastIndexOf(": ") + 2).trim(), path: undefined, mod: undefined, deps: [], buildLines: [] };
  for (const line of lines.slice(1)) {
    const fields = line.replace(/^\t/, "").split("\t");
    switch (fields[0]) {
      case "path":
        result.path = fields[1];
        break;
      case "mod":
        result.mod = { path: fields[1] ?? "", version: fields[2] ?? "" };
        break;
      case "dep":
        result.deps.push({ path: fields[1] ?? "", version: fields[2] ?? "" });
        break;
      case "build":
        result.buildLines.push(fields.slice(1).join("\t"));
        break;
      default:
        break;
    }
  }
  return result;
}

/** How `go version -m` prints one build setting (runtime/debug BuildInfo.String quoting rules). */
export function goPrintedSetting(key: string, value: string): string {
  const quote = (s: string, needs: RegExp): string => (needs.test(s) ? JSON.stringify(s) : s);
  return `${quote(key, /[= \t\r\n"`]/)}=${quote(value, /[ \t\r\n"`]/)}`;
}
