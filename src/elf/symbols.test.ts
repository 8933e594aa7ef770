import { describe, expect, it } from "vitest";
import { ByteCursor } from "../bytes/cursor.js";
import { GoxrayError } from "../errors.js";
import { SymbolTable } from "./symbols.js";

describe("SymbolTable", () => {
  const names = new ByteCursor(new Uint8Array([0, 0x66, 0]), true, { file: "t", section: ".strtab", base: 0 });

  it("counts whole 24-byte (ELF64) and 16-byte (ELF32) entries", () => {
    expect(new SymbolTable(new ByteCursor(new Uint8Array(48), true, { file: "t", section: ".symtab", base: 0 }), names, 8).count).toBe(2);
    expect(new SymbolTable(new ByteCursor(new Uint8Array(48), true, { file: "t", section: ".symtab", base: 0 }), names, 4).count).toBe(3);
  });

  it("refuses a table that ends in a partial entry, at that entry's offset", () => {
    const entries = new ByteCursor(new Uint8Array(24 + 5), true, { file: "t", section: ".symtab", base: 0 });
    let thrown: unknown;
    try {
      new SymbolTable(entries, names, 8);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(GoxrayError);
    expect((thrown as GoxrayError).kind).toBe("malformed");
    expect((thrown as GoxrayError).message).toContain(".symtab");
    expect((thrown as GoxrayError).message).toContain("0x18");
  });
});
