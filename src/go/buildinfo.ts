import { ByteCursor, decodeUtf8 } from "../bytes/cursor.js";
import type { ElfFile } from "../elf/elf-file.js";
import { PF_W, PT_LOAD } from "../elf/program-headers.js";

/** A module line of the build info: the main module, a dependency, or a replacement. */
export interface GoModule {
  readonly path: string;
  readonly version: string;
  readonly sum: string | undefined;
  readonly replace: GoModule | undefined;
}

/** One `build` line: a flag or environment setting the binary was built with. */
export interface BuildSetting {
  readonly key: string;
  readonly value: string;
}

/** What `go version -m` prints: Go version, main package path, modules and build settings. */
export interface BuildInfo {
  /** Exactly as `go version BIN` prints it, e.g. "go1.22.12". */
  readonly goVersion: string;
  /** "pre-1.18 pointers" or "inline strings (1.18+)": which layout the blob used. */
  readonly layout: "pointers" | "inline";
  readonly path: string | undefined;
  readonly main: GoModule | undefined;
  readonly deps: readonly GoModule[];
  readonly settings: readonly BuildSetting[];
  /** Where the blob was found: its section, or the file offset when found by scanning a segment. */
  readonly foundIn: string;
}

// debug/buildinfo: the blob starts with this magic, 16-byte aligned, followed by ptrSize and flags.
const MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]; // "\xff Go buildinf:"
const HEADER_SIZE = 32;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_VERSION_INLINE = 0x2; // set by Go 1.18 and later
// A Go version or modinfo string longer than this is corruption, not data.
const MAX_STRING = 1 << 20;
const SCAN_CHUNK = 1 << 20;

/**
 * Reads the Go build info blob (section `.go.buildinfo`, or found by its magic in the first
 * writable segment when section headers are gone). Returns undefined when there is none: the
 * binary is not Go, or older than Go 1.13.
 */
export function readBuildInfo(elf: ElfFile): BuildInfo | undefined {
  const located = locateBlob(elf);
  if (located === undefined) return undefined;
  const { cursor, foundIn } = located;
  const ptrSize = cursor.u8At(14, "build info pointer size");
  const flags = cursor.u8At(15, "build info flags");
  let version: string;
  let modinfo: string;
  let layout: BuildInfo["layout"];
  if ((flags & FLAG_VERSION_INLINE) !== 0) {
    layout = "inline";
    cursor.seek(HEADER_SIZE);
    version = readVarintString(cursor, "Go version");
    modinfo = readVarintString(cursor, "module info");
  } else {
    layout = "pointers";
    if (ptrSize !== 4 && ptrSize !== 8) throw cursor.error(`build info: pointer size ${ptrSize}, expected 4 or 8`, 14);
    const order = new ByteCursor(cursor.bytes, (flags & FLAG_BIG_ENDIAN) === 0, cursor.place);
    version = readPointedString(elf, order, order.wordAt(16, ptrSize, "version string address"), ptrSize, "Go version");
    modinfo = readPointedString(elf, order, order.wordAt(16 + ptrSize, ptrSize, "module info string address"), ptrSize, "module info");
  }
  if (version === "") throw cursor.error("build info: empty Go version", HEADER_SIZE);
  return { goVersion: version, layout, foundIn, ...parseModinfo(stripFraming(modinfo)) };
}

function locateBlob(elf: ElfFile): { cursor: ByteCursor; foundIn: string } | undefined {
  const section = elf.findSection(".go.buildinfo");
  if (section !== undefined) {
    const cursor = elf.sectionCursor(section);
    if (!hasMagicAt(cursor.bytes, 0)) throw cursor.error("build info: no \"\\xff Go buildinf:\" magic at the start of the section", 0);
    cursor.need(0, HEADER_SIZE, "build info header");
    return { cursor, foundIn: section.name };
  }
  // Without section headers the linker still puts the blob near the start of the data segment.
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || (seg.flags & PF_W) === 0 || seg.filesz === 0) continue;
    for (let start = 0; start < seg.filesz; start += SCAN_CHUNK) {
      const length = Math.min(SCAN_CHUNK + HEADER_SIZE, seg.filesz - start);
      const chunk = elf.source.read(seg.offset + start, length, "data segment");
      for (let at = 0; at + HEADER_SIZE <= chunk.byteLength && at < SCAN_CHUNK; at += 16) {
        if (!hasMagicAt(chunk, at)) continue;
        // The inline form's strings follow the header; read up to the end of the segment.
        const blobAt = seg.offset + start + at;
        const blob = elf.source.read(blobAt, Math.min(seg.filesz - start - at, 2 * MAX_STRING), "build info");
        return { cursor: new ByteCursor(blob, elf.header.isLittleEndian, { file: elf.name, base: blobAt }), foundIn: `offset 0x${blobAt.toString(16)}` };
      }
    }
    break; // Go's reader looks only in the first writable segment; so do we.
  }
  return undefined;
}

function hasMagicAt(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < MAGIC.length; i++) if (bytes[at + i] !== MAGIC[i]) return false;
  return true;
}

function readVarintString(c: ByteCursor, what: string): string {
  const at = c.pos;
  const length = c.uleb(`${what} length`);
  if (length > MAX_STRING) throw c.error(`build info: ${what} length ${length} is implausible`, at);
  return decodeUtf8(c.take(length, what));
}

/** Pre-1.18: the header holds the address of a Go string header {data, len} in the data segment. */
function readPointedString(elf: ElfFile, order: ByteCursor, address: number, ptrSize: 4 | 8, what: string): string {
  // Go 1.15 built outside a module points its module info into .bss: zeros at run time, an empty string.
  if (elf.fileOffsetOf(address) === undefined && elf.segments.some((s) => s.type === PT_LOAD && address >= s.vaddr && address - s.vaddr < s.memsz)) return "";
  const header = new ByteCursor(elf.readAtAddress(address, 2 * ptrSize, `${what} string header`), order.isLittleEndian, { file: elf.name, base: elf.fileOffsetOf(address) ?? 0 });
  const data = header.wordAt(0, ptrSize, `${what} data address`);
  const length = header.wordAt(ptrSize, ptrSize, `${what} length`);
  if (length > MAX_STRING) throw header.error(`build info: ${what} length ${length} is implausible`, ptrSize);
  return length === 0 ? "" : decodeUtf8(elf.readAtAddress(data, length, what));
}

/** cmd/go brackets the module info with 16-byte sentinels (modload infoStart/infoEnd). */
function stripFraming(modinfo: string): string {
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === "\n") return modinfo.slice(16, -16);
  return "";
}

/** Parses the module info text (runtime/debug.ParseBuildInfo's format) leniently: unknown lines are skipped. */
function parseModinfo(text: string): Pick<BuildInfo, "path" | "main" | "deps" | "settings"> {
  let path: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings: BuildSetting[] = [];
  let last: "main" | "dep" | undefined;
  for (const line of text.split("\n")) {
    const fields = line.split("\t");
    switch (fields[0]) {
      case "path":
        path = fields[1];
        break;
      case "mod":
        main = moduleOf(fields);
        last = "main";
        break;
      case "dep":
        deps.push(moduleOf(fields));
        last = "dep";
        break;
      case "=>": {
        const replace = { path: fields[1] ?? "", version: fields[2] ?? "", sum: fields[3], replace: undefined };
        if (last === "main" && main !== undefined) main = { ...main, replace };
        else if (last === "dep" && deps.length > 0) deps[deps.length - 1] = { ...(deps[deps.length - 1] as GoModule), replace };
        break;
      }
      case "build": {
        const setting = parseBuildSetting(line.slice("build\t".length));
        if (setting !== undefined) settings.push(setting);
        break;
      }
      default:
        break;
    }
  }
  return { path, main, deps, settings };
}

function moduleOf(fields: readonly string[]): GoModule {
  return { path: fields[1] ?? "", version: fields[2] ?? "", sum: fields[3], replace: undefined };
}

/** `key=value`, where key and value are Go-quoted when they hold spaces, quotes or '='. */
function parseBuildSetting(text: string): BuildSetting | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith('"') || text.startsWith("`")) {
    const quoted = unquoteGoPrefix(text);
    if (quoted === undefined || text[quoted.length] !== "=") return undefined;
    key = quoted.value;
    rest = text.slice(quoted.length + 1);
  } else {
    const eq = text.indexOf("=");
    if (eq <= 0) return undefined;
    key = text.slice(0, eq);
    rest = text.slice(eq + 1);
  }
  if (rest.startsWith('"') || rest.startsWith("`")) {
    const quoted = unquoteGoPrefix(rest);
    if (quoted === undefined) return undefined;
    return { key, value: quoted.value };
  }
  return { key, value: rest };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };

/** A Go string literal at the start of `text` (strconv.QuotedPrefix + Unquote): its value and source length. */
export function unquoteGoPrefix(text: string): { value: string; length: number } | undefined {
  if (text.startsWith("`")) {
    const end = text.indexOf("`", 1);
    return end < 0 ? undefined : { value: text.slice(1, end).replaceAll("\r", ""), length: end + 1 };
  }
  if (!text.startsWith('"')) return undefined;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 1;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), length: i + 1 };
    if (ch === "\n") return undefined;
    if (ch !== "\\") {
      const cp = text.codePointAt(i) as number;
      const s = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(s));
      i += s.length;
      continue;
    }
    const esc = text[i + 1];
    if (esc === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      bytes.push(simple.charCodeAt(0));
      i += 2;
    } else if (esc === "x" || esc === "u" || esc === "U") {
      const digits = esc === "x" ? 2 : esc === "u" ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return undefined;
      const n = parseInt(hex, 16);
      if (esc === "x") bytes.push(n);
      else if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) return undefined;
      else bytes.push(...encoder.encode(String.fromCodePoint(n)));
      i += 2 + digits;
    } else if (esc >= "0" && esc <= "7") {
      const oct = text.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      const n = parseInt(oct, 8);
      if (n > 255) return undefined;
      bytes.push(n);
      i += 4;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The value of a build setting, e.g. "CGO_ENABLED", or undefined when the binary did not record it. */
export function findSetting(info: BuildInfo | undefined, key: string): string | undefined {
  return info?.settings.find((s) => s.key === key)?.value;
}

