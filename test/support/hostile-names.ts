// Rewrites names inside a Go binary with uncompressed DWARF to hostile bytes of the same length,
// so that every offset and size stays valid and only the text changes: a function's name wherever
// it is stored (.gopclntab's funcnametab, .strtab, .debug_info), a type's name (.debug_info), a
// parameter's name (the first DW_AT_name of that spelling after its function's entry) and a
// source file's name (.gopclntab's file table, .debug_line, .debug_line_str, .debug_str). Names
// are NUL-terminated in every one of these tables, so NUL is the one byte they cannot hold.

/** A section of the binary: where its bytes are. */
export interface NamedSection {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** One rename: every `from` + NUL in `sections` becomes `to` + NUL; `after`, when set, limits it to the first one after that text. */
export interface Rename {
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly sections: readonly string[];
  /** Only the first occurrence after the first occurrence of this (NUL-terminated) text in the same section. */
  readonly after?: Uint8Array;
}

/** The rewritten bytes and how many copies of each rename were changed, per section. */
export interface RenameResult {
  readonly bytes: Uint8Array;
  readonly counts: readonly Readonly<Record<string, number>>[];
}

function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  outer: for (let i = from; i + needle.length <= end; i++) {
    for (let k = 0; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

function withNul(text: Uint8Array): Uint8Array {
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  return out;
}

/** Applies `renames` in order to a copy of `bytes`; each `to` must be as long as its `from` and hold no NUL. */
export function renameInBinary(bytes: Uint8Array, sections: readonly NamedSection[], renames: readonly Rename[]): RenameResult {
  const out = new Uint8Array(bytes);
  const counts = renames.map((rename) => {
    if (rename.to.length !== rename.from.length || rename.to.includes(0)) throw new Error("a rename keeps the length and holds no NUL");
    const needle = withNul(rename.from);
    const perSection: Record<string, number> = {};
    for (const name of rename.sections) {
      const section = sections.find((s) => s.name === name);
      if (section === undefined) continue;
      const end = section.offset + section.size;
      let at = section.offset;
      if (rename.after !== undefined) {
        const anchor = indexOf(out, withNul(rename.after), section.offset, end);
        if (anchor < 0) continue;
        at = anchor;
      }
      let n = 0;
      for (let i = indexOf(out, needle, at, end); i >= 0; i = indexOf(out, needle, i + needle.length, end)) {
        // A longer name ending in the same text (*main.Point for main.Point) changes with it.
        out.set(rename.to, i);
        n++;
        if (rename.after !== undefined) break;
      }
      perSection[name] = n;
    }
    return perSection;
  });
  return { bytes: out, counts };
}
