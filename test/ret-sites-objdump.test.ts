// RET sites and stack checks of every function of real Go binaries, checked against disassemblers
// that share no code with ours: `go tool objdump` of the toolchain that built the binary, GNU
// objdump for amd64 and llvm-objdump for arm64 (binutils for aarch64 is not installed here; either
// one is skipped with its reason when missing). Functions are the .symtab STT_FUNC symbols inside
// .text, with their sizes.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { openFileSource } from "../src/bytes/byte-source.js";
import { findStackCheck, type StackCheckPattern } from "../src/code/prologue.js";
import { findRetSites, type CodeArch } from "../src/code/ret-sites.js";
import { ElfFile } from "../src/elf/elf-file.js";
import { STT_FUNC } from "../src/elf/symbols.js";
import { buildSample, requireToolchains, type FlagSet, type GoToolchain } from "./support/samples.js";

/** One instruction as a disassembler printed it. */
interface Listed {
  readonly text: string;
}

/** Every instruction a disassembler listed, by virtual address. */
type Listing = Map<number, Listed>;

const MAX_OUTPUT = 512 * 1024 * 1024;

function run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: MAX_OUTPUT, ...(env === undefined ? {} : { env }) });
  if (result.error !== undefined) return undefined;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** `go tool objdump BIN`: "  main.go:240\t0x490904\t\tc3\t\t\tRET\t\t\t". */
function goObjdump(toolchain: GoToolchain, binary: string): Listing {
  const text = run(toolchain.goBin, ["tool", "objdump", binary], { PATH: "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/root", GOTOOLCHAIN: "local" });
  if (text === undefined) throw new Error(`${toolchain.goBin} did not run`);
  const listing: Listing = new Map();
  for (const line of text.split("\n")) {
    const m = /^\s+\S*\t+0x([0-9a-f]+)\t+[0-9a-f]+\t+(.*?)\s*$/.exec(line);
    if (m !== null) listing.set(Number.parseInt(m[1] ?? "", 16), { text: m[2] ?? "" });
  }
  return listing;
}

/** GNU `objdump -d` (amd64) or `llvm-objdump -d` (arm64): "  4ab7c0:\tmovzx ...". */
function externalObjdump(arch: CodeArch, binary: string): { tool: string; listing: Listing } | { tool: string; missing: string } {
  const tool = arch === "amd64" ? "objdump" : "llvm-objdump";
  const text = run(tool, ["-d", "--no-show-raw-insn", binary]);
  if (text === undefined) return { tool, missing: `${tool} is not installed` };
  const listing: Listing = new Map();
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-f]+):\s+(\S.*?)\s*$/.exec(line);
    if (m !== null) listing.set(Number.parseInt(m[1] ?? "", 16), { text: m[2] ?? "" });
  }
  return { tool, listing };
}

const isGoRet = (text: string): boolean => /^RET\b/.test(text);
// GNU: "ret", "retq", "bnd ret", "repz ret"; LLVM arm64: "ret", "ret x3", "retaa".
const isExternalRet = (text: string): boolean => /^(?:(?:bnd|rep[a-z]*)\s+)?ret(?:q|aa|ab)?\b/.test(text);

/** Addresses in [start, end) that the listing shows as instructions of which `pick` holds. */
function addressesIn(listing: Listing, start: number, end: number, pick: (text: string) => boolean): number[] {
  const found: number[] = [];
  for (let address = start; address < end; address++) {
    const insn = listing.get(address);
    if (insn !== undefined && pick(insn.text)) found.push(address);
  }
  return found;
}

interface Figures {
  functions: number;
  goRets: number;
  externalRets: number;
  externalTool: string;
  calls: number;
  tailCalls: number;
  tailCallAtEnd: number;
  noReturn: number;
  deferreturns: number;
  /** Functions where go tool objdump and the external disassembler list different RETs. */
  disputed: string[];
  stackChecks: Record<StackCheckPattern | "tls" | "none", number>;
}

async function compareBinary(toolchain: GoToolchain, arch: CodeArch, binary: string): Promise<Figures> {
  const goListing = goObjdump(toolchain, binary);
  const external = externalObjdump(arch, binary);
  const elf = ElfFile.open(openFileSource(binary));
  const figures: Figures = {
    functions: 0,
    goRets: 0,
    externalRets: 0,
    disputed: [],
    calls: 0,
    tailCalls: 0,
    tailCallAtEnd: 0,
    noReturn: 0,
    deferreturns: 0,
    externalTool: "listing" in external ? external.tool : `${external.tool} skipped: ${external.missing}`,
    stackChecks: { small: 0, medium: 0, "large-preempt": 0, "large-underflow": 0, tls: 0, none: 0 },
  };
  const problems: string[] = [];
  try {
    const text = elf.findSection(".text");
    const symbols = elf.symbols();
    if (text === undefined || symbols === undefined) throw new Error(`${binary}: no .text or .symtab`);
    const textBytes = elf.sectionCursor(text).bytes;
    const deferreturn = symbols.findByName("runtime.deferreturn")?.value;
    for (const symbol of symbols) {
      // go:textfipsstart and go:textfipsend (Go 1.24+) are 1-byte markers, not functions.
      if (symbol.type !== STT_FUNC || symbol.size === 0 || symbol.name.startsWith("go:") || symbol.value < text.addr || symbol.value + symbol.size > text.addr + text.size) continue;
      const start = symbol.value;
      const end = start + symbol.size;
      const code = { file: binary, entry: start, bytes: textBytes.subarray(start - text.addr, end - text.addr), arch };
      const sites = await findRetSites(code);
      const ours = sites.rets.map((offset) => start + offset);
      figures.functions++;

      // Where go tool objdump and the external disassembler disagree, go tool objdump has mis-decoded
      // something (Go 1.26+'s reads VZEROUPPER and AVX-512 code as other bytes): the external one
      // is the truth there, and the function is counted as disputed.
      const goRets = addressesIn(goListing, start, end, isGoRet);
      const externalRets = "listing" in external ? addressesIn(external.listing, start, end, isExternalRet) : undefined;
      const isDisputed = externalRets !== undefined && goRets.join() !== externalRets.join();
      if (isDisputed) {
        figures.disputed.push(symbol.name);
      } else {
        figures.goRets += goRets.length;
        if (ours.join() !== goRets.join()) problems.push(`${symbol.name}: RETs ${hex(ours)}, go tool objdump ${hex(goRets)}`);
        for (const address of ours) {
          if (!goListing.has(address)) problems.push(`${symbol.name}: RET at ${hex([address])} is no instruction boundary for go tool objdump`);
        }
        // Calls, tail calls and indirect jumps, with the targets go tool objdump names.
        const flow = goControlFlow(goListing, start, end, arch, (name) => symbols.findByName(name)?.value);
        const ourCalls = sites.calls.map((c) => `${hex([start + c.offset])}->${c.target === undefined ? "indirect" : hex([c.target])}`);
        const ourTails = sites.tailCalls.map((t) => `${hex([start + t.offset])}->${hex([t.target])}`);
        const ourIndirect = sites.indirectJumps.map((o) => hex([start + o]));
        if (ourCalls.join() !== flow.calls.join()) problems.push(`${symbol.name}: calls ${ourCalls.join(" ")}, go tool objdump ${flow.calls.join(" ")}`);
        if (ourTails.join() !== flow.tailCalls.join()) problems.push(`${symbol.name}: tail calls ${ourTails.join(" ")}, go tool objdump ${flow.tailCalls.join(" ")}`);
        if (ourIndirect.join() !== flow.indirectJumps.join()) problems.push(`${symbol.name}: indirect jumps ${ourIndirect.join(" ")}, go tool objdump ${flow.indirectJumps.join(" ")}`);
        figures.calls += sites.calls.length;
        figures.tailCalls += sites.tailCalls.length;
        if (sites.hasTailCallAtEnd) figures.tailCallAtEnd++;
        if (sites.isNoReturn) figures.noReturn++;
        figures.deferreturns += sites.calls.filter((c) => c.target !== undefined && c.target === deferreturn).length;
      }
      if (externalRets !== undefined && "listing" in external) {
        figures.externalRets += externalRets.length;
        if (ours.join() !== externalRets.join()) problems.push(`${symbol.name}: RETs ${hex(ours)}, ${external.tool} ${hex(externalRets)}`);
        for (const address of ours) {
          if (!external.listing.has(address)) problems.push(`${symbol.name}: RET at ${hex([address])} is no instruction boundary for ${external.tool}`);
        }
      }

      // The stack check: present exactly when go tool objdump shows a call of runtime.morestack*,
      // its branch is the instruction before bodyOffset, and the first call at or after
      // morestackOffset is that call.
      const check = await findStackCheck(code);
      const calls = addressesIn(goListing, start, end, (t) => /^CALL\b/.test(t));
      const callsMorestack = calls.some((a) => isMorestackCall(goListing, a));
      if (check === undefined) {
        figures.stackChecks.none++;
        if (callsMorestack) problems.push(`${symbol.name}: calls runtime.morestack, but no stack check found`);
        continue;
      }
      figures.stackChecks[check.pattern]++;
      if (check.tlsRegister !== undefined) figures.stackChecks.tls++;
      const body = start + check.bodyOffset;
      const branch = previousInstruction(goListing, start, body);
      const firstCall = calls.find((a) => a >= start + check.morestackOffset);
      if (!goListing.has(body)) problems.push(`${symbol.name}: body offset +0x${check.bodyOffset.toString(16)} is no instruction boundary`);
      if (branch === undefined || !/^(JBE|BLS)\b/.test(goListing.get(branch)?.text ?? "")) {
        problems.push(`${symbol.name}: the instruction before the body (+0x${check.bodyOffset.toString(16)}) is not JBE/BLS`);
      }
      if (firstCall === undefined || !isMorestackCall(goListing, firstCall)) {
        problems.push(`${symbol.name}: no runtime.morestack call at or after +0x${check.morestackOffset.toString(16)}`);
      }
    }
  } finally {
    elf.close();
  }
  expect(problems.slice(0, 30)).toEqual([]);
  return figures;
}

/** CALL and JMP instructions in [start, end) as go tool objdump prints them, with resolved targets. */
function goControlFlow(
  listing: Listing,
  start: number,
  end: number,
  arch: CodeArch,
  symbolAddress: (name: string) => number | undefined,
): { calls: string[]; tailCalls: string[]; indirectJumps: string[] } {
  const calls: string[] = [];
  const tailCalls: string[] = [];
  const indirectJumps: string[] = [];
  for (let address = start; address < end; address++) {
    const m = /^(CALL|JMP) (.+)$/.exec(listing.get(address)?.text ?? "");
    if (m === null) continue;
    const operand = m[2] ?? "";
    let target: number | undefined;
    const symbol = /^(.*?)(?:\+(0x[0-9a-f]+|\d+))?\(SB\)$/.exec(operand);
    const pcRelative = /^(-?\d+)\(PC\)$/.exec(operand);
    if (symbol !== null) {
      const base = symbolAddress(symbol[1] ?? "");
      if (base === undefined) throw new Error(`go tool objdump names ${operand}, which .symtab does not have`);
      target = base + Number(symbol[2] ?? 0);
    } else if (/^0x[0-9a-f]+$/.test(operand)) {
      target = Number.parseInt(operand, 16);
    } else if (pcRelative !== null && arch === "arm64") {
      target = address + Number(pcRelative[1]) * 4;
    }
    if (m[1] === "CALL") calls.push(`${hex([address])}->${target === undefined ? "indirect" : hex([target])}`);
    else if (target === undefined) indirectJumps.push(hex([address]));
    else if (target < start || target >= end) tailCalls.push(`${hex([address])}->${hex([target])}`);
  }
  return { calls, tailCalls, indirectJumps };
}

function isMorestackCall(listing: Listing, address: number): boolean {
  return /^CALL runtime\.morestack(?:_noctxt)?(?:\.abi0)?\(SB\)/.test(listing.get(address)?.text ?? "");
}

/** The last listed instruction that starts in [start, before). */
function previousInstruction(listing: Listing, start: number, before: number): number | undefined {
  for (let address = before - 1; address >= start && address > before - 16; address--) {
    if (listing.has(address)) return address;
  }
  return undefined;
}

function hex(addresses: readonly number[]): string {
  return `[${addresses.map((a) => `0x${a.toString(16)}`).join(" ")}]`;
}

describe("RET sites and stack checks agree with objdump", () => {
  const toolchains = requireToolchains();
  const newest = toolchains[toolchains.length - 1];
  // Every toolchain and arch with default flags; PIE on amd64, where g's TLS load takes two
  // instructions in Go 1.15; -N -l on the newest toolchain, whose unoptimised frames are larger.
  const cases: (readonly [string, CodeArch, FlagSet, GoToolchain])[] = [
    ...toolchains.flatMap((t) => [[t.version, "amd64", "default", t] as const, [t.version, "arm64", "default", t] as const, [t.version, "amd64", "pie", t] as const]),
    ...(newest === undefined ? [] : (["amd64", "arm64"] as const).map((arch) => [newest.version, arch, "noopt", newest] as const)),
  ];

  it.each(cases)("Go %s %s %s: every function of the calls sample", async (_version, arch, flags, toolchain) => {
    const figures = await compareBinary(toolchain, arch, buildSample("calls", toolchain, arch, flags));
    const checks = Object.entries(figures.stackChecks).map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(
      `ret-sites ${toolchain.fullVersion} ${arch} ${flags}: ${figures.functions} functions, ${figures.goRets} RETs = go tool objdump, ` +
        `${figures.externalRets} RETs = ${figures.externalTool}; ${figures.calls} calls (${figures.deferreturns} of runtime.deferreturn), ` +
        `${figures.tailCalls} tail calls (${figures.tailCallAtEnd} functions end in one), ${figures.noReturn} never return; stack checks: ${checks}` +
        (figures.disputed.length === 0 ? "" : `; go tool objdump mis-decodes ${figures.disputed.length}: ${figures.disputed.slice(0, 8).join(", ")}`),
    );
    expect(figures.functions).toBeGreaterThan(1000);
    expect(figures.goRets).toBeGreaterThan(1000);
  });
});
