import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findArch } from "../src/model/arch.js";
import { readEntryLocation } from "../src/model/entry-locations.js";
import { GoBinary } from "../src/model/go-binary.js";
import { buildSample, requireToolchains } from "./support/samples.js";

// gdb is a second, independent reader of the compiler's DWARF: `info scope F` prints each
// parameter's location per PC range. At the entry PC goxray's reading must say the same.

/** gdb's description of each parameter over the range that starts at the entry PC. */
function gdbEntryLocations(gdb: string, path: string, fn: string, entry: number): Map<string, string[]> {
  const text = execFileSync(gdb, ["-batch", "-nx", "-ex", `info scope ${fn}`, path], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60_000 });
  const out = new Map<string, string[]>();
  const entryHex = `0x${entry.toString(16)}`;
  const symbols = text.split(/\nSymbol /).slice(1);
  for (const block of symbols) {
    const name = /^(\S+) is/.exec(block)?.[1];
    if (name === undefined) continue;
    const range = new RegExp(`Range ${entryHex}-0x[0-9a-f]+: (.*?)(?:\\n  (?:Base address|Range)|\\n, length|$)`, "s").exec(block);
    if (range === null) continue;
    const described = range[1] ?? "";
    const pieces: string[] = [];
    for (const part of described.split(/, and |, /)) {
      const reg = /a variable in \$(\w+)/.exec(part);
      const empty = /an empty (\d+)-byte piece/.exec(part);
      const fbreg = /DW_OP_fbreg (-?\d+)/.exec(part);
      if (reg !== null) pieces.push(`$${reg[1]}`);
      else if (empty !== null) pieces.push("empty");
      else if (fbreg !== null) pieces.push(`fbreg ${fbreg[1]}`);
      else if (part.trim() !== "") pieces.push(`? ${part.trim()}`);
    }
    out.set(name, pieces);
  }
  return out;
}

// amd64 binaries are read by the host's gdb, arm64 ones by gdb-multiarch (both Debian's).
const GDB_FOR = { amd64: "gdb", arm64: "gdb-multiarch" } as const;

/** A register as gdb names it: the psABI names on amd64 ($rax, $xmm0), x/v on arm64 ($x0, $v0). */
function gdbRegisterName(arch: "amd64" | "arm64", name: string): string {
  if (arch === "amd64") return name.startsWith("X") ? `$xmm${name.slice(1)}` : `$${name.toLowerCase()}`;
  return name.startsWith("F") ? `$v${name.slice(1)}` : `$x${name.slice(1)}`;
}

describe("goxray reads the compiler's entry locations as gdb does (register ABI)", () => {
  const toolchains = requireToolchains().filter((t) => Number(t.version.split(".")[1]) >= 19);
  const traced = (JSON.parse(readFileSync("samples/calls/signatures.json", "utf8")) as { functions: { name: string; inlining: string }[] }).functions.filter((f) => f.inlining !== "inlined");

  it.each(toolchains.flatMap((t) => (["amd64", "arm64"] as const).map((goarch) => [t.fullVersion, goarch, t] as const)))("%s %s", (_v, goarch, toolchain) => {
    const path = buildSample("calls", toolchain, goarch, "default");
    const binary = GoBinary.open(path);
    const arch = findArch(goarch);
    let compared = 0;
    try {
      for (const { name } of traced) {
        const fn = binary.functions().find(name);
        if (fn?.entry === undefined || arch === undefined) continue;
        const gdb = gdbEntryLocations(GDB_FOR[goarch], path, name, fn.entry);
        for (const p of fn.params) {
          const want = gdb.get(p.name);
          if (want === undefined) continue;
          const size = p.typeOffset === undefined ? 0 : binary.types().typeAt(p.typeOffset).size;
          const ours = readEntryLocation(binary, fn, p, size, arch);
          const got =
            ours.kind === "none"
              ? []
              : ours.pieces.map((piece) => {
                  if (piece.place.kind === "register") {
                    const reg = [...arch.integerArgs, ...arch.floatArgs, arch.closureContext, arch.goroutine].find((r) => r.dwarf === (piece.place as { dwarf: number }).dwarf);
                    return reg === undefined ? "?" : gdbRegisterName(goarch, reg.name);
                  }
                  if (piece.place.kind === "stack") return `fbreg ${piece.place.offset - arch.entryCfaOffset}`;
                  return piece.place.kind === "empty" ? "empty" : "?";
                });
          expect(got, `${name} ${p.name}`).toEqual(want);
          compared++;
        }
      }
    } finally {
      binary.close();
    }
    console.log(`${toolchain.fullVersion} ${goarch}: ${compared} parameter locations at entry equal gdb's info scope`);
    expect(compared).toBeGreaterThan(40);
  });
});
