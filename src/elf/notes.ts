import type { ByteCursor } from "../bytes/cursor.js";
import { decodeUtf8 } from "../bytes/cursor.js";

// Note types by owner: GNU's build id (readelf -n "NT_GNU_BUILD_ID"), and Go's linker note
// (cmd/link/internal/ld/elf.go: ELF_NOTE_GOBUILDID_TAG = 4, owner "Go").
export const NT_GNU_BUILD_ID = 3;
export const NT_GO_BUILDID = 4;

/** One ELF note: owner name, type and descriptor bytes. */
export interface ElfNote {
  readonly owner: string;
  readonly type: number;
  readonly desc: Uint8Array;
}

/** Decodes the notes of one SHT_NOTE section or PT_NOTE segment (gABI "Note Section"). */
export function readNotes(c: ByteCursor): ElfNote[] {
  const notes: ElfNote[] = [];
  c.seek(0);
  while (c.remaining >= 12) {
    const nameSize = c.u32("n_namesz");
    const descSize = c.u32("n_descsz");
    const type = c.u32("n_type");
    const name = c.take(nameSize, "note name");
    c.skip(padTo4(nameSize) - nameSize);
    const desc = c.take(descSize, "note descriptor");
    if (c.remaining > 0) c.skip(Math.min(c.remaining, padTo4(descSize) - descSize));
    const nul = name.indexOf(0);
    notes.push({ owner: decodeUtf8(nul < 0 ? name : name.subarray(0, nul)), type, desc });
  }
  return notes;
}

function padTo4(n: number): number {
  return (n + 3) & ~3;
}
