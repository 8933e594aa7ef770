// npm run bench: goxray against peers that do the same work, on the same files.
//
// Every number is a whole process (start-up included): the median wall time of
// BENCH_RUNS (default 5) runs after one warm-up, and the largest peak RSS of
// those runs. goxray and its peers take turns, so drift on a shared machine
// falls on both. The table goes to stdout and to <cache>/bench/latest.md;
// progress and build logs go to stderr.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusSpecs, ensureCorpusFile, ensurePeer, goCommand, goVersion, peerGo } from "./corpus.mjs";
import { measureOnce, median, rssSource } from "./measure.mjs";

const benchRoot = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchRoot);
const cacheRoot = process.env.GOXRAY_CACHE ?? join(repoRoot, ".cache");
const benchDir = join(cacheRoot, "bench");
const outDir = join(benchDir, "out");
const runs = Math.max(5, Number.parseInt(process.env.BENCH_RUNS ?? "5", 10) || 5);
const goxrayBin = join(repoRoot, "dist", "cli", "bin.js");
const bpftrace = ["/usr/bin/bpftrace", "/usr/local/bin/bpftrace", "/usr/sbin/bpftrace"].find((p) => existsSync(p));
const mib = 1024 * 1024;

// One function in every cmd/compile since Go 1.15, with a body (so goxray
// check has a probe site) and five register arguments under the register ABI.
const checkCandidates = ["cmd/compile/internal/ssa.(*Func).newValue", "cmd/compile/internal/ssa.(*Block).NewValue0", "runtime.mallocgc"];

const log = (line) => process.stderr.write(`bench: ${line}\n`);

function ensureGoxrayBuilt() {
  const newestSource = newestMtime(join(repoRoot, "src"));
  if (existsSync(goxrayBin) && statSync(goxrayBin).mtimeMs >= newestSource) return;
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) throw new Error("dist/ is missing or older than src/, and typescript is not installed: run npm install");
  log("dist/ is older than src/: compiling with tsc -p tsconfig.build.json");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
  // tsc still writes dist/ when it reports type errors; only a missing CLI stops the bench.
  if (result.status !== 0 && !existsSync(goxrayBin)) throw new Error("tsc failed and dist/cli/bin.js does not exist");
  if (result.status !== 0) log("tsc reported errors (above); benchmarking the dist/ it wrote");
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function machine() {
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout?.trim() || String(cpus().length);
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // Not Linux: os.cpus() has the model.
  }
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).stdout?.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "src"], { cwd: repoRoot, encoding: "utf8" }).stdout?.trim();
  return { nproc, cpu, git: git ? `${git}${dirty ? " + uncommitted changes in src/" : ""}` : "unknown" };
}

/** Picks the first candidate that pclntab lists, using the peer's gosym mode (fast); undefined when none. */
function pickCheckFunction(peer, path) {
  if (peer === undefined) return checkCandidates[0];
  const result = spawnSync(peer, ["gosym", path], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (result.status !== 0) return checkCandidates[0];
  const names = new Set(result.stdout.split("\n").map((line) => line.slice(0, line.indexOf(" "))));
  return checkCandidates.find((name) => names.has(name));
}

/**
 * The cases: one goxray command on one file, and the peers that do the same
 * work. A tool is { name, argv, okStatus } or { name, skipped }.
 */
function planCases(files, peer) {
  const goxray = (...args) => ({ name: "goxray", argv: [process.execPath, goxrayBin, ...args], okStatus: [0] });
  const dwarfwalk = (...args) => (peer.path === undefined ? { name: "dwarfwalk", skipped: peer.skipped } : { name: `dwarfwalk ${args[0]}`, argv: [peer.path, ...args], okStatus: [0] });
  const goVersionM = (path) =>
    goVersion(peerGo) === undefined ? { name: "go version -m", skipped: `Go ${peerGo} not installed` } : { name: "go version -m", argv: [goCommand(peerGo), "version", "-m", path], okStatus: [0] };
  const cases = [];
  const withDwarf = files.filter((f) => f.spec.ldflags === undefined);
  const stripped = files.filter((f) => f.spec.ldflags !== undefined);
  for (const f of withDwarf) cases.push({ command: "funcs --json", file: f, goxray: goxray("funcs", "--json", f.path), peers: [dwarfwalk("funcs", f.path)] });
  for (const f of stripped) cases.push({ command: "funcs", file: f, goxray: goxray("funcs", f.path), peers: [dwarfwalk("gosym", f.path)] });
  for (const f of withDwarf) {
    const func = pickCheckFunction(peer.path, f.path);
    if (func === undefined) {
      cases.push({ command: "check", file: f, skippedReason: `none of ${checkCandidates.join(", ")} is in pclntab` });
      continue;
    }
    const trace = bpftrace === undefined
      ? { name: "bpftrace -lv", skipped: "bpftrace not installed (apt-get install bpftrace)" }
      : { name: "bpftrace -lv", argv: [bpftrace, "-lv", `uprobe:${f.path}:"${func}"`], okStatus: [0] };
    // goxray check exits 1 when it reports an error-severity hazard: still a full run.
    const check = { ...goxray("check", f.path, func), okStatus: [0, 1] };
    cases.push({ command: `check ${func.slice(func.lastIndexOf("/") + 1)}`, func, file: f, goxray: check, peers: [dwarfwalk("check", f.path, func), trace] });
  }
  for (const f of files) cases.push({ command: "analyze", file: f, goxray: goxray("analyze", f.path), peers: [goVersionM(f.path)] });
  return cases;
}

function slug(text) {
  return text.replace(/[^A-Za-z0-9.]+/g, "-").replace(/^-|-$/g, "");
}

function failure(result) {
  const why = result.signal !== undefined ? `killed by ${result.signal}` : `exit ${result.status}`;
  const first = result.stderr.trim().split("\n").find((line) => line.trim() !== "") ?? "";
  return `${why}${first === "" ? "" : `: ${first.slice(0, 200)}`}`;
}

async function runCase(c) {
  const tools = [c.goxray, ...c.peers].filter((t) => t.skipped === undefined);
  const stats = new Map(tools.map((t) => [t, { ms: [], rssKiB: [], error: undefined, warmup: undefined }]));
  const env = { ...process.env, GOTOOLCHAIN: "local" };
  const caseSlug = slug(`${c.command}-${c.file.spec.name}`);
  for (const t of tools) {
    const stdoutPath = join(outDir, `${caseSlug}.${slug(t.name)}.out`);
    const result = await measureOnce(t.argv, { env, stdoutPath, scratchDir: benchDir });
    const s = stats.get(t);
    s.warmup = { ...result, stdoutPath };
    if (!t.okStatus.includes(result.status) || result.signal !== undefined) s.error = failure(result);
  }
  for (let i = 0; i < runs; i++) {
    for (const t of tools) {
      const s = stats.get(t);
      if (s.error !== undefined) continue;
      const result = await measureOnce(t.argv, { env, stdoutPath: "/dev/null", scratchDir: benchDir });
      if (!t.okStatus.includes(result.status) || result.signal !== undefined) {
        s.error = `run ${i + 1}: ${failure(result)}`;
        continue;
      }
      s.ms.push(result.ms);
      if (result.rssKiB !== undefined) s.rssKiB.push(result.rssKiB);
    }
  }
  const summary = (t) => {
    if (t.skipped !== undefined) return { skipped: t.skipped };
    const s = stats.get(t);
    if (s.error !== undefined) return { error: s.error, warmup: s.warmup };
    return { ms: median(s.ms), rssMiB: s.rssKiB.length === 0 ? undefined : Math.max(...s.rssKiB) / 1024, warmup: s.warmup };
  };
  return { goxray: summary(c.goxray), peers: c.peers.map((p) => ({ name: p.name, ...summary(p) })) };
}

/** Facts about a goxray run's output that show both sides did the same work. */
function sanityNote(c, result) {
  const g = result.goxray;
  if (g.warmup === undefined) return undefined;
  const notes = [];
  const warning = g.warmup.stderr.split("\n").find((line) => line.startsWith("goxray: warning"));
  if (warning !== undefined) notes.push(`goxray warned: ${warning.slice(0, 160)}`);
  if (c.command === "funcs --json" && g.error === undefined) {
    const rows = JSON.parse(readFileSync(g.warmup.stdoutPath, "utf8"));
    const withEntry = rows.filter((r) => r.entry !== null).length;
    const peerCount = result.peers[0]?.warmup?.stderr.match(/(\d+) subprograms/)?.[1];
    notes.push(`goxray listed ${rows.length} functions (${withEntry} with an entry, ${rows.filter((r) => r.params !== null).length} with DWARF params); dwarfwalk saw ${peerCount ?? "?"} DW_TAG_subprogram entries`);
  }
  if (c.command === "funcs" && g.error === undefined) {
    const lines = readFileSync(g.warmup.stdoutPath, "utf8").split("\n").filter((l) => l !== "").length;
    const peerCount = result.peers[0]?.warmup?.stderr.match(/(\d+) functions/)?.[1];
    notes.push(`goxray printed ${lines} lines; debug/gosym lists ${peerCount ?? "?"} functions`);
  }
  return notes.length === 0 ? undefined : `${c.command} on ${c.file.spec.name}: ${notes.join("; ")}`;
}

/** What goxray analyze --json says about a corpus file: Go version, ABI, DWARF version and compression. */
function describeFile(f) {
  const result = spawnSync(process.execPath, [goxrayBin, "analyze", "--json", f.path], { encoding: "utf8", maxBuffer: 64 << 20 });
  try {
    const a = JSON.parse(result.stdout);
    const dwarf = a.dwarf?.present ? `DWARF ${a.dwarf.version}, ${a.dwarf.compression ?? "uncompressed"}` : "no DWARF";
    return `${a.goVersion}, ${a.abi} ABI, ${dwarf}, ${a.functions} functions in pclntab`;
  } catch {
    return `goxray analyze --json failed: ${failure({ status: result.status, signal: result.signal ?? undefined, stderr: result.stderr ?? "" })}`;
  }
}

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const fmtMiB = (v) => (v === undefined ? "?" : v.toFixed(0));

function renderTable(rows) {
  const header = ["command", "peer", "file", "size MiB", "goxray ms", "peer ms", "ratio", "goxray RSS MiB", "RSS target MiB", "peer RSS MiB"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((h, i) => (i < 3 ? " --- " : " ---: ")).join("|")}|`];
  for (const r of rows) {
    const g = r.goxray;
    const p = r.peer;
    const gMs = g.skipped ?? (g.error !== undefined ? `error: ${g.error}` : fmtMs(g.ms));
    const pMs = p === undefined ? "–" : (p.skipped !== undefined ? `skipped: ${p.skipped}` : p.error !== undefined ? `error: ${p.error}` : fmtMs(p.ms));
    const ratio = g.ms !== undefined && p?.ms !== undefined ? (g.ms / p.ms).toFixed(2) : "–";
    const target = r.file.size / mib * 1.5 + 40;
    const gRss = g.rssMiB === undefined ? "–" : `${fmtMiB(g.rssMiB)}${g.rssMiB > target ? " (over)" : ""}`;
    const cells = [r.command, p?.name ?? "–", r.file.spec.name, (r.file.size / mib).toFixed(1), gMs, pMs, ratio, gRss, target.toFixed(0), p?.rssMiB === undefined ? "–" : fmtMiB(p.rssMiB)];
    lines.push(`| ${cells.map((c) => String(c).replaceAll("|", "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}

async function main() {
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  ensureGoxrayBuilt();
  const files = [];
  const skippedFiles = [];
  for (const spec of corpusSpecs) {
    const got = ensureCorpusFile(spec, { cacheRoot, repoRoot, log });
    if (got.path === undefined) {
      log(`corpus: skipping ${spec.name}: ${got.skipped}`);
      skippedFiles.push(`${spec.name}: ${got.skipped}`);
    } else {
      files.push({ spec, path: got.path, size: statSync(got.path).size });
    }
  }
  const peer = ensurePeer({ cacheRoot, benchRoot, log });
  if (peer.skipped !== undefined) log(`peer: ${peer.skipped}`);
  const fileFacts = files.map((f) => `- ${f.spec.name} (${(f.size / mib).toFixed(1)} MiB): ${describeFile(f)}`);
  const cases = planCases(files, peer);
  const rows = [];
  const notes = [];
  for (const c of cases) {
    if (c.skippedReason !== undefined) {
      rows.push({ command: c.command, file: c.file, goxray: { skipped: `skipped: ${c.skippedReason}` }, peer: undefined });
      continue;
    }
    const t0 = Date.now();
    const result = await runCase(c);
    for (const p of result.peers) rows.push({ command: c.command, file: c.file, goxray: result.goxray, peer: p });
    const note = sanityNote(c, result);
    if (note !== undefined) notes.push(note);
    if (c.func !== undefined) notes.push(`check on ${c.file.spec.name}: function ${c.func}`);
    const g = result.goxray;
    const parts = [`goxray ${g.ms === undefined ? (g.error ?? g.skipped) : `${fmtMs(g.ms)} ms`}`, ...result.peers.map((p) => `${p.name} ${p.ms === undefined ? (p.error ?? p.skipped) : `${fmtMs(p.ms)} ms`}`)];
    log(`${c.command} ${c.file.spec.name}: ${parts.join(", ")} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const m = machine();
  const report = [
    `# goxray bench`,
    ``,
    `- date: ${new Date().toISOString()}`,
    `- goxray: ${m.git}`,
    `- machine: nproc ${m.nproc}, CPU ${m.cpu}`,
    `- Node ${process.version}; peers built with ${goVersion(peerGo) ?? `Go ${peerGo} (missing)`}; bpftrace ${bpftrace === undefined ? "not installed" : (spawnSync(bpftrace, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "?")}`,
    `- each time is the median of ${runs} whole-process runs after one warm-up; peak RSS is the largest of those runs, from ${rssSource}`,
    `- ratio = goxray ms / peer ms (funcs --json targets ≤ 1.0, later ≤ 0.8); RSS target = 40 MiB + 1.5 × file size, "(over)" when goxray exceeds it`,
    ``,
    renderTable(rows),
    ``,
    `Files (${benchDir}):`,
    ...fileFacts,
    ...skippedFiles.map((s) => `- skipped ${s}`),
    ``,
    `Peers: dwarfwalk is bench/go (debug/elf, debug/dwarf, debug/gosym); "funcs" walks every entry and prints each subprogram's name, entry, params and results with type names as JSON; "check" goes pclntab → SeekPC → unit → one subprogram and resolves its parameter types; "gosym" lists every pclntab function with file:line.`,
    ``,
    `Notes:`,
    ...notes.map((n) => `- ${n}`),
    ``,
    `Whole bench: ${((Date.now() - started) / 1000).toFixed(0)} s; outputs of each warm-up run are in ${outDir}.`,
    ``,
  ].join("\n");
  writeFileSync(join(benchDir, "latest.md"), report);
  process.stdout.write(report);
  log(`wrote ${join(benchDir, "latest.md")}`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
