import { ByteCursor, decodeUtf8 } from "../bytes/cursor.js";

// ELF gABI, "Symbol Table".
export const STT_FUNC = 2;

/** One symbol table entry. */
export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** ELF st_info low nibble: STT_FUNC, STT_OBJECT, … */
  readonly type: number;
  readonly bind: number;
  readonly sectionIndex: number;
}

/** A .symtab or .dynsym, decoded one entry at a time; the name index is built on first lookup. */
export class SymbolTable {
  private readonly entries: ByteCursor;
  private readonly names: ByteCursor;
  private readonly wordSize: 4 | 8;
  private readonly entrySize: number;

  constructor(entries: ByteCursor, names: ByteCursor, wordSize: 4 | 8) {
    this.entries = entries;
    this.names = names;
    this.wordSize = wordSize;
    this.entrySize = wordSize === 8 ? 24 : 16;
    // A size that is not whole entries is corrupt: say so, rather than answer from part of it.
    const partial = entries.length % this.entrySize;
    if (partial !== 0) throw entries.error(`symbol table of 0x${entries.length.toString(16)} bytes ends with a partial ${partial}-byte entry (entries are ${this.entrySize} bytes)`, entries.length - partial);
  }

  /** Number of entries, the null symbol 0 included. */
  get count(): number {
    return this.entries.length / this.entrySize;
  }

  symbolAt(index: number): ElfSymbol {
    const c = this.entries;
    const at = index * this.entrySize;
    const nameOffset = c.u32At(at, "st_name");
    let value: number, size: number, info: number, sectionIndex: number;
    if (this.wordSize === 8) {
      info = c.u8At(at + 4, "st_info");
      sectionIndex = c.u16At(at + 6, "st_shndx");
      value = c.u64At(at + 8, "st_value");
      size = c.u64At(at + 16, "st_size");
    } else {
      value = c.u32At(at + 4, "st_value");
      size = c.u32At(at + 8, "st_size");
      info = c.u8At(at + 12, "st_info");
      sectionIndex = c.u16At(at + 14, "st_shndx");
    }
    return { name: this.nameAt(nameOffset), value, size, type: info & 0xf, bind: info >> 4, sectionIndex };
  }

  *[Symbol.iterator](): IterableIterator<ElfSymbol> {
    for (let i = 1; i < this.count; i++) yield this.symbolAt(i);
  }

  /**
   * The first symbol named `name`, or undefined. Names are compared as bytes in the string table,
   * so a lookup decodes no name (a Go binary's .symtab holds tens of thousands).
   */
  findByName(name: string): ElfSymbol | undefined {
    const want = new TextEncoder().encode(name);
    const names = this.names.bytes;
    const c = this.entries;
    const first = want[0];
    for (let i = 1; i < this.count; i++) {
      const at = c.u32At(i * this.entrySize, "st_name");
      if (at === 0 || names[at] !== first || names[at + want.length] !== 0 || at + want.length >= names.length) continue;
      let same = true;
      for (let k = 1; k < want.length; k++) {
        if (names[at + k] !== want[k]) {
          same = false;
          break;
        }
      }
      if (same) return this.symbolAt(i);
    }
    return undefined;
  }

  private nameAt(offset: number): string {
    return offset === 0 ? "" : decodeUtf8(this.names.cstringAt(offset, "symbol name"));
  }
}
