import { execFileSync } from "node:child_process";

/**
 * GNU readelf's view of a binary, parsed from its -W text output: the independent reader the
 * ELF tests compare goxray with.
 */

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: number;
  offset: number;
  size: number;
  entsize: number;
  flags: string;
  link: number;
  info: number;
  align: number;
}

export interface ReadelfSegment {
  type: string;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: string;
  align: number;
}

export interface ReadelfSymbol {
  value: number;
  size: number;
  type: string;
  bind: string;
  ndx: string;
  name: string;
}

function readelf(args: string[], path: string): string {
  return execFileSync("readelf", ["-W", ...args, path], { encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, LC_ALL: "C" } });
}

const hex = (s: string): number => parseInt(s, 16);

export function readelfHeader(path: string): { type: string; machine: string; class: string; data: string; entry: number } {
  const text = readelf(["-h"], path);
  const field = (name: string): string => (new RegExp(`^\\s*${name}:\\s*(.*)$`, "m").exec(text)?.[1] ?? "").trim();
  return { type: field("Type"), machine: field("Machine"), class: field("Class"), data: field("Data"), entry: hex(field("Entry point address").replace(/^0x/, "")) };
}

export function readelfSections(path: string): ReadelfSection[] {
  const sections: ReadelfSection[] = [];
  for (const line of readelf(["-S"], path).split("\n")) {
    const m = /^\s*\[\s*(\d+)\]\s(.*)$/.exec(line);
    if (m === null) continue;
    const index = Number(m[1]);
    const rest = m[2] ?? "";
    // Columns after the name: Type Address Off Size ES Flg Lk Inf Al (Flg may be empty).
    const cols = /^\s*(\S*)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(rest);
    if (cols === null) {
      if (index === 0) continue;
      throw new Error(`unparsed readelf -S line: ${line}`);
    }
    sections.push({
      index,
      name: cols[1] ?? "",
      type: cols[2] ?? "",
      addr: hex(cols[3] ?? ""),
      offset: hex(cols[4] ?? ""),
      size: hex(cols[5] ?? ""),
      entsize: hex(cols[6] ?? ""),
      flags: cols[7] ?? "",
      link: Number(cols[8]),
      info: Number(cols[9]),
      align: Number(cols[10]),
    });
  }
  return sections;
}

export function readelfSegments(path: string): ReadelfSegment[] {
  const segments: ReadelfSegment[] = [];
  for (const line of readelf(["-l"], path).split("\n")) {
    const m = /^\s+([A-Z][A-Za-z_+0-9]*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+([RWE ]+?)\s+0x([0-9a-f]+)\s*$/.exec(line);
    if (m === null) continue;
    segments.push({ type: m[1] ?? "", offset: hex(m[2] ?? ""), vaddr: hex(m[3] ?? ""), filesz: hex(m[5] ?? ""), memsz: hex(m[6] ?? ""), flags: (m[7] ?? "").replaceAll(" ", ""), align: hex(m[8] ?? "") });
  }
  return segments;
}

/** Entries of one symbol table (".symtab" or ".dynsym"), in table order, null symbol excluded. */
export function readelfSymbols(path: string, table: ".symtab" | ".dynsym"): ReadelfSymbol[] {
  const symbols: ReadelfSymbol[] = [];
  let inTable = false;
  for (const line of readelf(["-s"], path).split("\n")) {
    const header = /^Symbol table '([^']+)'/.exec(line);
    if (header !== null) {
      inTable = header[1] === table;
      continue;
    }
    if (!inTable) continue;
    const m = /^\s*(\d+):\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
    if (m === null || m[1] === "0") continue;
    symbols.push({ value: hex(m[2] ?? ""), size: Number(m[3]), type: m[4] ?? "", bind: m[5] ?? "", ndx: m[7] ?? "", name: m[8] ?? "" });
  }
  return symbols;
}

/** The GNU build id readelf -n prints, if any. */
export function readelfGnuBuildId(path: string): string | undefined {
  return /Build ID: ([0-9a-f]+)/.exec(readelf(["-n"], path))?.[1];
}
