// goxray's library API. The CLI is built on exactly these calls.
export { GoxrayError, type ErrorKind, type ErrorPlace } from "./errors.js";
export { openFileSource, memorySource, type ByteSource } from "./bytes/byte-source.js";
export { ElfFile } from "./elf/elf-file.js";
export type { ElfSection } from "./elf/section-headers.js";
export type { ElfSegment } from "./elf/program-headers.js";
export type { ElfSymbol, SymbolTable } from "./elf/symbols.js";
export type { BuildInfo, BuildSetting, GoModule } from "./go/buildinfo.js";
export { parseGoVersion, type GoVersion } from "./go/go-version.js";
export type { AbiInForce } from "./go/features.js";
export type { Pclntab } from "./go/pclntab.js";
export type { DwarfSummary } from "./dwarf/summary.js";
export { GoBinary, openBinary } from "./model/go-binary.js";
export { analyzeBinary, type BinaryAnalysis, type BinaryNote } from "./report/analysis.js";
export { renderAnalysisText } from "./report/text.js";
export { renderAnalysisJson } from "./report/json.js";
export { runCli } from "./cli/main.js";
