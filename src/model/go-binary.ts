import { openFileSource, type ByteSource } from "../bytes/byte-source.js";
import { ElfFile } from "../elf/elf-file.js";
import { abiInForce, type AbiInForce } from "../go/features.js";
import { findSetting, readBuildInfo, type BuildInfo } from "../go/buildinfo.js";
import { parseGoVersion, type GoVersion } from "../go/go-version.js";
import { readPclntab, type Pclntab } from "../go/pclntab.js";
import { DwarfData } from "../dwarf/dwarf-data.js";
import { GoxrayError } from "../errors.js";
import { FileNames } from "./dwarf-functions.js";
import { FunctionIndex } from "./function-index.js";
import { lookupFunction } from "./function-lookup.js";
import type { GoFunction } from "./go-function.js";
import { TypeBuilder } from "./type-builder.js";

/**
 * A Go binary opened for reading: the ELF headers are read at open, everything else (build info,
 * pclntab, DWARF) on first use, once. Every command and the library API start here.
 */
export class GoBinary {
  readonly elf: ElfFile;
  private buildInfoRead = false;
  private buildInfoCache: BuildInfo | undefined;
  private pclntabCache: Pclntab | null | undefined;
  private dwarfCache: DwarfData | undefined;
  private typeCache: TypeBuilder | undefined;
  private functionCache: FunctionIndex | undefined;
  private readonly lookups = new Map<string, GoFunction | null>();
  private lookupFiles: FileNames | undefined;

  private constructor(elf: ElfFile) {
    this.elf = elf;
  }

  /** Opens the ELF file at `path` (or in-memory bytes); throws `io`, `not-elf` or `malformed`. */
  static open(source: string | ByteSource): GoBinary {
    const bytes = typeof source === "string" ? openFileSource(source) : source;
    try {
      return new GoBinary(ElfFile.open(bytes));
    } catch (err) {
      bytes.close();
      throw err;
    }
  }

  get name(): string {
    return this.elf.name;
  }

  /** The build info blob, or undefined when the binary has none (not Go, or Go < 1.13). */
  buildInfo(): BuildInfo | undefined {
    if (!this.buildInfoRead) {
      this.buildInfoCache = readBuildInfo(this.elf);
      this.buildInfoRead = true;
    }
    return this.buildInfoCache;
  }

  /** The function table, or undefined when the binary has no pclntab (not Go). */
  pclntab(): Pclntab | undefined {
    if (this.pclntabCache === undefined) this.pclntabCache = readPclntab(this.elf) ?? null;
    return this.pclntabCache ?? undefined;
  }

  /** The binary's DWARF, read lazily (sections are inflated when first needed). */
  dwarf(): DwarfData {
    this.dwarfCache ??= new DwarfData(this.elf);
    return this.dwarfCache;
  }

  /** Go types built from DWARF on demand. */
  types(): TypeBuilder {
    this.typeCache ??= new TypeBuilder(this.dwarf(), this.elf.header.wordSize);
    return this.typeCache;
  }

  /** Every function, from pclntab joined with DWARF; built once, on first use. */
  functions(): FunctionIndex {
    if (this.functionCache === undefined) {
      const dwarf = this.dwarf();
      this.functionCache = FunctionIndex.build(this.pclntab(), dwarf.isPresent ? dwarf : undefined, dwarf.isPresent ? this.types() : undefined);
    }
    return this.functionCache;
  }

  /**
   * The function named exactly `name`, or undefined. Before anything has needed the whole index,
   * this reads only what that one function needs (see lookupFunction); the answer equals the
   * index's except that inlined copies come from pclntab, without DWARF entries.
   */
  findFunction(name: string): GoFunction | undefined {
    if (this.functionCache !== undefined) return this.functionCache.find(name);
    let found = this.lookups.get(name);
    if (found === undefined) {
      const pclntab = this.pclntab();
      const dwarf = this.dwarf();
      if (dwarf.isPresent) this.lookupFiles ??= new FileNames(dwarf);
      found = (pclntab === undefined ? undefined : lookupFunction(pclntab, dwarf.isPresent ? dwarf : undefined, dwarf.isPresent ? this.types() : undefined, this.lookupFiles, name)) ?? this.functions().find(name) ?? null;
      this.lookups.set(name, found);
    }
    return found ?? undefined;
  }

  /** True when the binary carries Go build info or a pclntab. */
  isGo(): boolean {
    return this.buildInfo() !== undefined || this.pclntab() !== undefined;
  }

  /** Throws `not-go` unless the binary carries Go build info or a pclntab. */
  requireGo(): void {
    if (!this.isGo()) throw new GoxrayError("not-go", { file: this.name }, "not a Go binary: no Go build info (.go.buildinfo) and no pclntab");
  }

  /** The Go release that built the binary; throws `not-go` when it has no build info. */
  goVersion(): GoVersion {
    const info = this.buildInfo();
    if (info === undefined) throw new GoxrayError("not-go", { file: this.name }, "no Go build info (.go.buildinfo): not a Go binary, or built by Go older than 1.13");
    const version = parseGoVersion(info.goVersion);
    if (version === undefined) throw new GoxrayError("unsupported", { file: this.name, section: info.foundIn }, `Go version "${info.goVersion}" is not a Go 1.x release`);
    return version;
  }

  /**
   * Whether the binary uses cgo, and how that is known: the CGO_ENABLED build setting (Go 1.18+),
   * else runtime/cgo's crosscall2 in pclntab (assembly, so present without DWARF or .symtab).
   * Every binary has runtime's own _cgo_init variable, and a PIE has PT_INTERP without cgo
   * (Go 1.15 -buildmode=pie), so neither proves anything.
   */
  cgo(): { readonly isUsed: boolean; readonly source: "build setting" | "runtime/cgo in pclntab" } | undefined {
    const setting = findSetting(this.buildInfo(), "CGO_ENABLED");
    if (setting !== undefined) return { isUsed: setting === "1", source: "build setting" };
    const pclntab = this.pclntab();
    return pclntab === undefined ? undefined : { isUsed: pclntab.findByName("crosscall2") !== undefined, source: "runtime/cgo in pclntab" };
  }

  /** Register or stack ABI for this binary's Go functions, and why. */
  abi(): AbiInForce {
    const arch = this.elf.goArch;
    if (arch === undefined) throw new GoxrayError("unsupported", { file: this.name }, `ELF machine ${this.elf.header.machine} is not an architecture Go supports`);
    return abiInForce(this.goVersion(), arch, findSetting(this.buildInfo(), "GOEXPERIMENT"));
  }

  close(): void {
    this.elf.close();
  }
}

/** Opens a Go binary: the library's entry point (`openBinary("./server")`). */
export function openBinary(path: string): GoBinary {
  return GoBinary.open(path);
}
