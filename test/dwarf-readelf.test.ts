import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as C from "../src/dwarf/constants.js";
import { decodeLocation, type LocationPiece } from "../src/dwarf/location-expr.js";
import { GoBinary } from "../src/model/go-binary.js";
import { buildSample, requireToolchains } from "./support/samples.js";

// readelf (GNU binutils) is the independent DWARF reader here: it decodes every entry and
// location list of the same binaries, and goxray must agree with it entry by entry.

const TAG_NAMES = new Map<number, string>(Object.entries(C).filter(([k]) => k.startsWith("DW_TAG_")).map(([k, v]) => [v as number, k]));

interface ReadelfEntry {
  offset: number;
  depth: number;
  tag: string;
  name: string | undefined;
}

function readelf(args: string[], path: string): string {
  return execFileSync("readelf", ["-W", ...args, path], { encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: "C" } });
}

/** Every non-null entry readelf prints, by unit offset. */
function readelfEntries(path: string): Map<number, ReadelfEntry[]> {
  const units = new Map<number, ReadelfEntry[]>();
  let current: ReadelfEntry[] = [];
  let last: ReadelfEntry | undefined;
  for (const line of readelf(["--debug-dump=info"], path).split("\n")) {
    const unit = /^\s+Compilation Unit @ offset (0x[0-9a-f]+|0):/.exec(line);
    if (unit !== null) {
      current = [];
      units.set(parseInt(unit[1] ?? "0", 16), current);
      continue;
    }
    const entry = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\S+)\))?/.exec(line);
    if (entry !== null) {
      if (entry[3] === "0") {
        last = undefined;
        continue;
      }
      last = { offset: parseInt(entry[2] ?? "0", 16), depth: Number(entry[1]), tag: entry[4] ?? "?", name: undefined };
      current.push(last);
      continue;
    }
    const name = /^\s*<[0-9a-f]+>\s+DW_AT_name\s*:\s(?:\(string\) |\(indirect (?:line )?string, offset: 0x[0-9a-f]+\): )?(.*)$/.exec(line);
    if (name !== null && last !== undefined) last.name = name[1];
  }
  return units;
}

/** readelf's location list entries: list offset → [(begin, end, expression text)]. */
function readelfLocations(path: string): Map<number, { begin: number; end: number; expr: string }[]> {
  const lists = new Map<number, { begin: number; end: number; expr: string }[]>();
  let current: { begin: number; end: number; expr: string }[] | undefined;
  for (const line of readelf(["--debug-dump=loc"], path).split("\n")) {
    const m = /^\s+([0-9a-f]{8}) (?:v[0-9a-f]+ v[0-9a-f]+ views at [0-9a-f]+ for:\s+)?([0-9a-f]+) ([0-9a-f]+) \((.*?)\)(?: \(start == end\))?$/.exec(line);
    if (/<End of list>/.test(line)) {
      current = undefined;
      continue;
    }
    if (m === null || /\(base address\)|index into/.test(line)) {
      if (/\(base address\)/.test(line) && current === undefined) {
        current = [];
        lists.set(parseInt(/^\s+([0-9a-f]{8})/.exec(line)?.[1] ?? "0", 16), current);
      }
      continue;
    }
    if (current === undefined) {
      current = [];
      lists.set(parseInt(m[1] ?? "0", 16), current);
    }
    current.push({ begin: parseInt(m[2] ?? "0", 16), end: parseInt(m[3] ?? "0", 16), expr: (m[4] ?? "").replace(/ \([a-z0-9]+\)/g, "") });
  }
  return lists;
}

/** Our decoded pieces in readelf's spelling ("DW_OP_reg0; DW_OP_piece: 8"). */
function renderPieces(pieces: readonly LocationPiece[]): string {
  const parts: string[] = [];
  for (const p of pieces) {
    const l = p.location;
    switch (l.kind) {
      case "register":
        parts.push(l.regnum < 32 ? `DW_OP_reg${l.regnum}` : `DW_OP_regx: ${l.regnum}`);
        break;
      case "frameBaseOffset":
        parts.push(`DW_OP_fbreg: ${l.offset}`);
        break;
      case "cfaOffset":
        parts.push(l.offset === 0 ? "DW_OP_call_frame_cfa" : `DW_OP_call_frame_cfa; DW_OP_consts: ${l.offset}; DW_OP_plus`);
        break;
      case "empty":
        break;
      default:
        parts.push(`(${l.kind})`);
    }
    if (p.size !== undefined) parts.push(`DW_OP_piece: ${p.size}`);
  }
  return parts.join("; ");
}

describe("DWARF reader agrees with readelf", () => {
  const toolchains = requireToolchains();

  it.each(toolchains.map((t) => [t.fullVersion, t] as const))("%s: every entry of every unit, and main's location lists", (_v, toolchain) => {
    const counts = { units: 0, entries: 0, lists: 0, listEntries: 0 };
    for (const arch of ["amd64", "arm64"] as const) {
      const path = buildSample("calls", toolchain, arch, "nocompress");
      const binary = GoBinary.open(path);
      try {
        const dwarf = binary.dwarf();
        const want = readelfEntries(path);
        expect(dwarf.headers().length).toBe(want.size);
        for (const header of dwarf.headers()) {
          const unit = dwarf.unit(header);
          const cursor = dwarf.entries(unit);
          const got: ReadelfEntry[] = [];
          while (cursor.next()) got.push({ offset: cursor.offset, depth: cursor.depth, tag: TAG_NAMES.get(cursor.tag) ?? "?", name: dwarf.string(cursor.attr(C.DW_AT_name), unit) });
          expect(got, `unit at 0x${header.offset.toString(16)}`).toEqual(want.get(header.offset));
          counts.units++;
          counts.entries += got.length;
        }

        const lists = readelfLocations(path);
        for (const f of binary.functions().functions) {
          if (!f.name.startsWith("main.") || f.entry === undefined || f.dwarfOffset === undefined) continue;
          const unit = dwarf.unitContaining(f.dwarfOffset);
          if (unit === undefined) continue;
          for (const p of [...f.params, ...f.results]) {
            if (p.location === undefined) continue;
            const list = dwarf.locationList(unit, p.location);
            if (list === undefined) continue;
            const offset = p.location.kind === "sectionOffset" ? p.location.value : -1;
            const expected = lists.get(offset);
            expect(expected, `${f.name} ${p.name} list at 0x${offset.toString(16)}`).toBeDefined();
            const isV5 = unit.header.version >= 5;
            const got = list.map((e) => ({
              // readelf shows DWARF 5 offset pairs as stored: relative to the base address (Go: the function's entry).
              begin: isV5 ? e.low - f.entry! : e.low,
              end: isV5 ? e.high - f.entry! : e.high,
              expr: renderPieces(decodeLocation(e.expr, unit.header.addressSize, unit.header.offsetSize, true, { file: path, section: ".debug_loc", base: 0 })),
            }));
            expect(got, `${f.name} ${p.name}`).toEqual(expected);
            counts.lists++;
            counts.listEntries += got.length;
          }
        }
      } finally {
        binary.close();
      }
    }
    console.log(`${toolchain.fullVersion}: ${counts.units} units, ${counts.entries} entries, ${counts.lists} location lists (${counts.listEntries} entries) agree with readelf`);
    expect(counts.entries).toBeGreaterThan(10_000);
    expect(counts.lists).toBeGreaterThan(0);
  });
});
