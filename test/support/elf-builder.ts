// A minimal ELF64 little-endian file holding the given sections (no segments), for tests of
// readers that take their input from sections: DWARF and the types built from it.
import { ByteBuilder } from "./byte-builder.js";

// ELF gABI values used here.
const ET_EXEC = 2;
const EM_X86_64 = 62;
const SHT_PROGBITS = 1;
const SHT_STRTAB = 3;

/** An ELF64 file whose section table holds a null section, `sections` in order, then .shstrtab. */
export function buildElf(sections: readonly { readonly name: string; readonly bytes: Uint8Array }[]): Uint8Array {
  const names = new ByteBuilder().u8(0);
  const nameOffsets: number[] = [];
  let nameAt = 1;
  for (const s of [...sections.map((x) => x.name), ".shstrtab"]) {
    nameOffsets.push(nameAt);
    names.cstring(s);
    nameAt += s.length + 1;
  }
  const shstrtab = names.build();
  const all = [...sections.map((s) => s.bytes), shstrtab];
  const b = new ByteBuilder();
  b.bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).zeros(8);
  b.u16(ET_EXEC).u16(EM_X86_64).u32(1).u64(0).u64(0).positionOf("shdrs", 8).u32(0);
  b.u16(64).u16(56).u16(0).u16(64).u16(all.length + 1).u16(all.length);
  const offsets: number[] = [];
  let at = 64;
  for (const bytes of all) {
    offsets.push(at);
    b.bytes(bytes);
    at += bytes.length;
  }
  while (at % 8 !== 0) {
    b.u8(0);
    at++;
  }
  b.label("shdrs").zeros(64);
  all.forEach((bytes, i) => {
    b.u32(nameOffsets[i] ?? 0).u32(i === all.length - 1 ? SHT_STRTAB : SHT_PROGBITS).u64(0).u64(0);
    b.u64(offsets[i] ?? 0).u64(bytes.length).u32(0).u32(0).u64(1).u64(0);
  });
  return b.build();
}
