// The bpftrace behaviour goxray's scripts depend on, re-observed with every available bpftrace
// (host 0.17; 0.23 and 0.27 from scripts/make-bpftrace-chroots.sh) against the calls sample
// built by Go 1.15 (stack ABI), 1.22 and 1.26 (register ABI), as root. The values bpftrace prints
// are compared with what the sample logs about its own calls; what changes by version is the
// table OBSERVED below, which docs/bpftrace-versions.md shows with the exact commands.

import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { requireBpftraces, runBpftrace, type BpftraceCommand, type BpftraceRun } from "./support/bpftrace.js";
import { buildSample, requireToolchains, type GoToolchain } from "./support/samples.js";

/** What one bpftrace version was seen to do; a newer version is held to the newest row. */
interface ObservedFacts {
  /** Bytes `str(p, n)` prints of a longer string: 0.23 counts the NUL in n (bpftrace PR #3849). */
  strPrints: "n" | "n-1";
  /** Most bytes str() and buf() print with the default string size (0.17: BPFTRACE_STRLEN 64). */
  strCap: number | undefined;
  bufCap: number | undefined;
  /** `uprobe:BIN:"F"+OFF` and `uprobe:BIN:0xADDR` inside F: 0.17 is built without BFD. */
  offsetProbes: "refused" | "accepted";
  /** sargN on a stack-ABI function: deprecated in 0.21, deleted in 0.25. */
  sarg: "silent" | "deprecated" | "error";
  /** exit() in a probe whose name holds `*` (a wildcard, attached through uprobe_multi) never returns. */
  exitFromWildcardHangs: boolean;
  /** The first line of `-f json`. */
  jsonAttached: string;
  /** Whether `-f json` prints empty lines (before the maps at exit), which are not JSON. */
  jsonEmptyLines: boolean;
  /** Lines of `--info` goxray's choices rest on. */
  info: readonly string[];
  /** The string size default as `--help` prints it; undefined when --help no longer lists it. */
  helpStrlen: RegExp | undefined;
}

const OBSERVED: Readonly<Record<string, ObservedFacts>> = {
  "0.17": {
    strPrints: "n",
    strCap: 63,
    bufCap: 64,
    offsetProbes: "refused",
    sarg: "silent",
    exitFromWildcardHangs: false,
    jsonAttached: '{"type": "attached_probes", "data": {"probes": 1}}',
    jsonEmptyLines: true,
    info: ["unsafe uprobe: no", "bfd: no", "libdw (DWARF support): yes"],
    helpStrlen: /BPFTRACE_STRLEN\s+\[default: 64\]/,
  },
  "0.23": {
    strPrints: "n-1",
    strCap: undefined,
    bufCap: undefined,
    offsetProbes: "accepted",
    sarg: "deprecated",
    exitFromWildcardHangs: true,
    jsonAttached: '{"type": "attached_probes", "data": {"probes": 1}}',
    jsonEmptyLines: true,
    info: ["bfd: yes", "liblldb (DWARF support): no"],
    helpStrlen: /BPFTRACE_MAX_STRLEN\s+\[default: 1024\]/,
  },
  "0.27": {
    strPrints: "n-1",
    strCap: undefined,
    bufCap: undefined,
    offsetProbes: "accepted",
    sarg: "error",
    exitFromWildcardHangs: false,
    jsonAttached: '{"type": "attached_probes", "count": 1, "data": {"probes": 1}}',
    jsonEmptyLines: false,
    info: ["bfd: yes", "libdw (DWARF support): yes"],
    helpStrlen: undefined,
  },
};

function observedFor(bpftrace: BpftraceCommand): ObservedFacts {
  const known = Object.keys(OBSERVED).sort((a, b) => minorOf(a) - minorOf(b));
  const row = known.filter((v) => minorOf(v) <= minorOf(bpftrace.minor)).pop() ?? known[0];
  const facts = row === undefined ? undefined : OBSERVED[row];
  if (facts === undefined) throw new Error("OBSERVED is empty");
  return facts;
}

const minorOf = (version: string): number => Number(version.split(".")[1]);

/** One call as the calls sample logs it (samples/README.md). */
interface LoggedCall {
  func: string;
  args: Record<string, unknown>;
  results: Record<string, unknown>;
}

function loggedCall(run: BpftraceRun, func: string): LoggedCall {
  for (const line of run.programStdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const call = JSON.parse(line) as LoggedCall;
    if (call.func === func) return call;
  }
  throw new Error(`the sample logged no call of ${func}`);
}

/** A logged integer (a number, or a decimal string beyond ±(2^53−1)) as bigint. */
function loggedInt(value: unknown): bigint {
  if (typeof value === "number" || typeof value === "string") return BigInt(value);
  throw new Error(`not a logged integer: ${JSON.stringify(value)}`);
}

function loggedString(value: unknown): string {
  if (typeof value === "string") return value;
  throw new Error(`not a logged string: ${JSON.stringify(value)}`);
}

/** How printf's %r shows bytes: printable ASCII as itself, every other byte as \xNN. */
function percentR(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The captures of the first stdout line that matches, or a failure naming what was printed. */
function printed(run: BpftraceRun, pattern: RegExp): string[] {
  const match = pattern.exec(run.stdout);
  if (match === null) {
    throw new Error(`no line matching ${String(pattern)}; bpftrace exit ${String(run.exitCode ?? run.signal)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return match.slice(1).map((m) => m ?? "");
}

const seenAll =
  (...tags: string[]) =>
  (stdout: string): boolean =>
    tags.every((tag) => new RegExp(`^${tag} .*\\n`, "m").test(stdout));

/** The sample's argv: a call of every function each 10 ms, for at most a minute on its own. */
const sampleArgv = (binary: string): string[] => [binary, "-n", "6000", "-interval", "10ms"];

/** `go tool nm`: the entry address of one text symbol. */
function symbolAddress(toolchain: GoToolchain, binary: string, symbol: string): number {
  const out = spawnSync(toolchain.goBin, ["tool", "nm", binary], { encoding: "utf8", maxBuffer: 64 << 20, env: goEnv() });
  for (const line of out.stdout.split("\n")) {
    const m = /^\s*([0-9a-f]+) T (.+)$/.exec(line);
    if (m !== null && m[2] === symbol) return Number.parseInt(m[1] ?? "", 16);
  }
  throw new Error(`go tool nm: no text symbol ${symbol} in ${binary}`);
}

/** `go tool objdump -s`: the instructions of one function, as (address, length, text). */
function disassemble(toolchain: GoToolchain, binary: string, symbol: string): { address: number; length: number; text: string }[] {
  const pattern = `^${symbol.replace(/[.*()[\]]/g, "\\$&")}$`;
  const out = spawnSync(toolchain.goBin, ["tool", "objdump", "-s", pattern, binary], { encoding: "utf8", env: goEnv() });
  const insns: { address: number; length: number; text: string }[] = [];
  for (const line of out.stdout.split("\n")) {
    const m = /^\s+\S*\t+0x([0-9a-f]+)\t+([0-9a-f]+)\t+(.*?)\s*$/.exec(line);
    if (m !== null) insns.push({ address: Number.parseInt(m[1] ?? "", 16), length: (m[2] ?? "").length / 2, text: m[3] ?? "" });
  }
  if (insns.length === 0) throw new Error(`go tool objdump printed no instructions of ${symbol}: ${out.stderr}`);
  return insns;
}

const goEnv = (): NodeJS.ProcessEnv => ({ PATH: "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/root", GOTOOLCHAIN: "local" });

const isRoot = process.getuid?.() === 0;
if (!isRoot && (process.env["CI"] ?? "") !== "") throw new Error("bpftrace facts need root, and CI must run them");

const bpftraces = isRoot ? requireBpftraces() : [];
const toolchains = requireToolchains();
const toolchain = (version: string): GoToolchain | undefined => toolchains.find((t) => t.version === version);
const REGISTER_ABI_GO = ["1.22", "1.26"];
const STACK_ABI_GO = "1.15";

describe.skipIf(!isRoot)("bpftrace facts goxray depends on (amd64, as root)", () => {
  for (const bpftrace of bpftraces) {
    const facts = observedFor(bpftrace);
    const label = `bpftrace ${bpftrace.version}`;

    describe(`${label}: build`, () => {
      it(`--info shows ${facts.info.join(", ")}`, () => {
        const [file, ...args] = bpftrace.command;
        const result = spawnSync(file ?? "", [...args, "--info"], { encoding: "utf8", timeout: 60_000 });
        const text = `${result.stdout}${result.stderr}`;
        for (const line of facts.info) expect(text).toContain(line);
      });

      it("--help names the default string size", () => {
        const [file, ...args] = bpftrace.command;
        const result = spawnSync(file ?? "", [...args, "--help"], { encoding: "utf8", timeout: 60_000 });
        const text = `${result.stdout}${result.stderr}`;
        if (facts.helpStrlen === undefined) expect(text).not.toMatch(/STRLEN/);
        else expect(text).toMatch(facts.helpStrlen);
      });
    });

    for (const goVersion of REGISTER_ABI_GO) {
      describe.skipIf(toolchain(goVersion) === undefined)(`${label}, Go ${goVersion} (register ABI)`, () => {
        let binary = "";
        let values: BpftraceRun;
        beforeAll(async () => {
          const go = toolchain(goVersion);
          if (go === undefined) return;
          binary = buildSample("calls", go, "amd64", "default");
          const script = [
            `uprobe:${binary}:main.SignedInts { printf("SignedInts a=%d b=%d c=%d d=%ld e=%ld d32=%d\\n", (int8)reg("ax"), (int16)reg("bx"), (int32)reg("cx"), reg("di"), reg("si"), reg("di")); }`,
            `uprobe:${binary}:main.Greet { printf("Greet len=%ld str=[%s] strplus1=[%s] buf=[%r]\\n", reg("bx"), str(reg("ax"), reg("bx")), str(reg("ax"), reg("bx") + 1), buf(reg("ax"), reg("bx"))); }`,
            `uprobe:${binary}:main.NulString { printf("NulString len=%ld str=[%s] buf=[%r]\\n", reg("bx"), str(reg("ax"), reg("bx") + 1), buf(reg("ax"), reg("bx"))); }`,
            `uprobe:${binary}:main.LongString { printf("LongString len=%ld str=[%s] buf=[%r]\\n", reg("bx"), str(reg("ax"), reg("bx")), buf(reg("ax"), reg("bx"))); }`,
          ].join("\n");
          values = await runBpftrace(bpftrace, ["-e", script], {
            program: sampleArgv(binary),
            stopWhen: seenAll("SignedInts", "Greet", "NulString", "LongString"),
          });
        });

        it("stopped by SIGINT, bpftrace exits 0 whatever its stderr says", () => {
          // Every version prints RLIMIT_MEMLOCK complaints here (0.17 as "ERROR:") and goes on.
          expect(values.stoppedByRunner && !values.timedOut).toBe(true);
          expect(values.exitCode).toBe(0);
        });

        it('reg("ax")…reg("si") hold main.SignedInts\' ints; casts narrow them', () => {
          const args = loggedCall(values, "main.SignedInts").args;
          const [a, b, c, d, e] = printed(values, /^SignedInts a=(-?\d+) b=(-?\d+) c=(-?\d+) d=(-?\d+) e=(-?\d+) d32=/m);
          expect([a, b, c, d, e].map((v) => BigInt(v ?? ""))).toEqual(["a", "b", "c", "d", "e"].map((k) => loggedInt(args[k])));
        });

        it("printf %d keeps the low 32 bits of a 64-bit value; %ld keeps all", () => {
          const d = loggedInt(loggedCall(values, "main.SignedInts").args["d"]);
          const [d32] = printed(values, /^SignedInts .* d32=(-?\d+)$/m);
          expect(BigInt(d32 ?? "")).toBe(BigInt.asIntN(32, d));
          expect(BigInt.asIntN(32, d)).not.toBe(d);
        });

        it(`str(p, n) prints ${facts.strPrints} bytes of an n-byte Go string; buf(p, n) + %r prints n`, () => {
          const name = loggedString(loggedCall(values, "main.Greet").args["name"]);
          const [len, str, strPlus1, buf] = printed(values, /^Greet len=(\d+) str=\[(.*)\] strplus1=\[([\s\S]*?)\] buf=\[(.*)\]$/m);
          expect(Number(len)).toBe(name.length);
          expect(buf).toBe(name);
          expect(str).toBe(facts.strPrints === "n" ? name : name.slice(0, -1));
          // 0.17 reads one byte past the string (whatever follows it in memory).
          if (facts.strPrints === "n-1") expect(strPlus1).toBe(name);
          else expect(strPlus1?.startsWith(name)).toBe(true);
        });

        it("str() stops at a NUL byte; buf(p, n) + %r prints all n bytes, the NUL as \\x00", () => {
          const s = loggedString(loggedCall(values, "main.NulString").args["s"]);
          const [len, str, buf] = printed(values, /^NulString len=(\d+) str=\[(.*)\] buf=\[(.*)\]$/m);
          expect(Number(len)).toBe(Buffer.byteLength(s));
          expect(str).toBe(s.slice(0, s.indexOf("\0")));
          expect(buf).toBe(percentR(s));
          expect(buf).toContain("\\x00");
        });

        it(`a long string: str() prints ${String(facts.strCap ?? "n-1")} bytes, buf() ${String(facts.bufCap ?? "n")}`, () => {
          const s = loggedString(loggedCall(values, "main.LongString").args["s"]);
          const [len, str, buf] = printed(values, /^LongString len=(\d+) str=\[(.*)\] buf=\[(.*)\]$/m);
          expect(Number(len)).toBe(s.length);
          expect(str).toBe(s.slice(0, facts.strCap ?? s.length - 1));
          expect(buf).toBe(s.slice(0, facts.bufCap ?? s.length));
        });

        it(`"main.Greet"+<first RET offset> is ${facts.offsetProbes}; there ax/bx hold the result`, async () => {
          const go = toolchain(goVersion);
          if (go === undefined) return;
          const insns = disassemble(go, binary, "main.Greet");
          const entry = insns[0]?.address ?? 0;
          const ret = insns.find((i) => /^RET\b/.test(i.text));
          if (ret === undefined) throw new Error("main.Greet has no RET");
          const run = await runBpftrace(bpftrace, ["-e", `uprobe:${binary}:"main.Greet"+${ret.address - entry} { printf("GreetRet [%r]\\n", buf(reg("ax"), reg("bx"))); }`], {
            program: sampleArgv(binary),
            stopWhen: seenAll("GreetRet"),
          });
          if (facts.offsetProbes === "refused") {
            expect(run.exitCode).not.toBe(0);
            expect(run.stderr).toContain("compiled without (k|u)probe offset support");
          } else {
            const [result] = printed(run, /^GreetRet \[(.*)\]$/m);
            expect(result).toBe(loggedString(loggedCall(run, "main.Greet").results["~r0"]));
          }
        });

        it("an offset inside an instruction is refused", async () => {
          const go = toolchain(goVersion);
          if (go === undefined) return;
          expect(disassemble(go, binary, "main.Greet")[0]?.length).toBeGreaterThan(1);
          const run = await runBpftrace(bpftrace, ["-e", `uprobe:${binary}:"main.Greet"+1 { printf("Mid\\n"); }`], {
            program: sampleArgv(binary),
            stopWhen: seenAll("Mid"),
          });
          expect(run.exitCode).not.toBe(0);
          expect(run.stdout).not.toMatch(/^Mid$/m);
          expect(run.stderr).toContain(facts.offsetProbes === "refused" ? "compiled without (k|u)probe offset support" : "middle of instruction");
        });

        it("uprobe:BIN:0xADDR attaches at a function's entry address", async () => {
          const go = toolchain(goVersion);
          if (go === undefined) return;
          const address = symbolAddress(go, binary, "main.Greet");
          const run = await runBpftrace(bpftrace, ["-e", `uprobe:${binary}:0x${address.toString(16)} { printf("GreetAddr [%r]\\n", buf(reg("ax"), reg("bx"))); }`], {
            program: sampleArgv(binary),
            stopWhen: seenAll("GreetAddr"),
          });
          const [name] = printed(run, /^GreetAddr \[(.*)\]$/m);
          expect(name).toBe(loggedString(loggedCall(run, "main.Greet").args["name"]));
        });

        it(`uprobe:BIN:0xADDR of a RET inside the function is ${facts.offsetProbes}`, async () => {
          const go = toolchain(goVersion);
          if (go === undefined) return;
          const ret = disassemble(go, binary, "main.Greet").find((i) => /^RET\b/.test(i.text));
          if (ret === undefined) throw new Error("main.Greet has no RET");
          const run = await runBpftrace(bpftrace, ["-e", `uprobe:${binary}:0x${ret.address.toString(16)} { printf("RetAddr [%r]\\n", buf(reg("ax"), reg("bx"))); }`], {
            program: sampleArgv(binary),
            stopWhen: seenAll("RetAddr"),
          });
          if (facts.offsetProbes === "refused") {
            expect(run.exitCode).not.toBe(0);
            expect(run.stderr).toContain("compiled without (k|u)probe offset support");
          } else {
            const [result] = printed(run, /^RetAddr \[(.*)\]$/m);
            expect(result).toBe(loggedString(loggedCall(run, "main.Greet").results["~r0"]));
          }
        });

        it('a quoted name with (*T) attaches: uprobe:BIN:"main.(*Cart).Add"', async () => {
          const script = `uprobe:${binary}:"main.(*Cart).Add" { printf("CartAdd owner=[%r] name=[%r] price=%d qty=%d\\n", buf(*(uint64*)reg("ax"), *(uint64*)(reg("ax") + 8)), buf(reg("bx"), reg("cx")), (int32)reg("di"), (uint8)reg("si")); }`;
          // Stopped by SIGINT, never exit(): see the wildcard case below.
          const run = await runBpftrace(bpftrace, ["-e", script], { program: sampleArgv(binary), stopWhen: seenAll("CartAdd") });
          const call = loggedCall(run, "main.(*Cart).Add");
          const cart = call.args["c"] as { Owner: string };
          const item = call.args["it"] as { Name: string; Price: number; Qty: number };
          const [owner, name, price, qty] = printed(run, /^CartAdd owner=\[(.*)\] name=\[(.*)\] price=(-?\d+) qty=(\d+)$/m);
          expect({ owner, name, price: Number(price), qty: Number(qty) }).toEqual({ owner: cart.Owner, name: item.Name, price: item.Price, qty: item.Qty });
        });

        it(`* inside quotes is still a wildcard; exit() from such a probe ${facts.exitFromWildcardHangs ? "hangs" : "returns"}`, async () => {
          const run = await runBpftrace(bpftrace, ["-e", `uprobe:${binary}:"main.Gree*" { printf("Wild %s\\n", func); exit(); }`], {
            program: sampleArgv(binary),
            timeoutMs: 8000,
          });
          expect(printed(run, /^Wild (\S+)$/m)).toEqual(["main.Greet"]);
          expect(run.timedOut).toBe(facts.exitFromWildcardHangs);
        });

        it("-f json: one JSON object per line", async () => {
          const run = await runBpftrace(bpftrace, ["-f", "json", "-e", `uprobe:${binary}:main.Greet { @calls = count(); printf("greet %r\\n", buf(reg("ax"), reg("bx"))); }`], {
            program: sampleArgv(binary),
            stopWhen: (stdout) => stdout.includes('"type": "printf"'),
          });
          const lines = run.stdout.split("\n");
          expect(lines[0]).toBe(facts.jsonAttached);
          expect(lines.slice(0, -1).some((l) => l === "")).toBe(facts.jsonEmptyLines);
          const objects = lines.filter((l) => l !== "").map((l) => JSON.parse(l) as { type: string; data: unknown });
          const name = loggedString(loggedCall(run, "main.Greet").args["name"]);
          expect(objects.find((o) => o.type === "printf")).toEqual({ type: "printf", data: `greet ${name}\n` });
          expect(objects.find((o) => o.type === "map")?.data).toHaveProperty("@calls");
        });
      });
    }

    describe.skipIf(toolchain(STACK_ABI_GO) === undefined)(`${label}, Go ${STACK_ABI_GO} (stack ABI)`, () => {
      let binary = "";
      beforeAll(() => {
        const go = toolchain(STACK_ABI_GO);
        if (go !== undefined) binary = buildSample("calls", go, "amd64", "default");
      });

      it('*(T*)(reg("sp")+off) reads stack arguments (int8 at +8 … int64 at +24, a string at +8/+16)', async () => {
        const sp = (type: string, off: number): string => `*(${type}*)(reg("sp") + ${off})`;
        const script = [
          `uprobe:${binary}:main.SignedInts { printf("SignedInts a=%d b=%d c=%d d=%ld e=%ld\\n", ${sp("int8", 8)}, ${sp("int16", 10)}, ${sp("int32", 12)}, ${sp("int64", 16)}, ${sp("int64", 24)}); }`,
          `uprobe:${binary}:main.Greet { printf("Greet len=%ld buf=[%r]\\n", ${sp("uint64", 16)}, buf(${sp("uint64", 8)}, ${sp("uint64", 16)})); }`,
        ].join("\n");
        const run = await runBpftrace(bpftrace, ["-e", script], { program: sampleArgv(binary), stopWhen: seenAll("SignedInts", "Greet") });
        const args = loggedCall(run, "main.SignedInts").args;
        const ints = printed(run, /^SignedInts a=(-?\d+) b=(-?\d+) c=(-?\d+) d=(-?\d+) e=(-?\d+)$/m);
        expect(ints.map((v) => BigInt(v))).toEqual(["a", "b", "c", "d", "e"].map((k) => loggedInt(args[k])));
        const name = loggedString(loggedCall(run, "main.Greet").args["name"]);
        expect(printed(run, /^Greet len=(\d+) buf=\[(.*)\]$/m)).toEqual([String(name.length), name]);
      });

      it(`sargN is ${facts.sarg}`, async () => {
        const run = await runBpftrace(bpftrace, ["-e", `uprobe:${binary}:main.SignedInts { printf("Sarg d=%ld e=%ld\\n", sarg1, sarg2); }`], {
          program: sampleArgv(binary),
          stopWhen: seenAll("Sarg"),
        });
        if (facts.sarg === "error") {
          expect(run.exitCode).not.toBe(0);
          expect(run.stderr).toMatch(/sarg/);
          return;
        }
        const args = loggedCall(run, "main.SignedInts").args;
        expect(printed(run, /^Sarg d=(-?\d+) e=(-?\d+)$/m).map((v) => BigInt(v))).toEqual([loggedInt(args["d"]), loggedInt(args["e"])]);
        if (facts.sarg === "deprecated") expect(run.stderr).toMatch(/sarg\* is deprecated/);
        else expect(run.stderr).not.toMatch(/sarg/);
      });
    });
  }
});
