// STYLE.md "Import rule", "No dead code" and "Conventions", checked over the source text of src/.
// The scanner below blanks comments, strings, template text and regex literals (keeping every
// offset and newline) so that the rules look at code only and report real line numbers.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";

/** A rule broken at one place. */
interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

/** One source file, with views that hide what the rules must not see. */
interface SourceFile {
  readonly path: string; // "src/elf/header.ts", always posix
  readonly text: string;
  /** Comments, strings, template text and regex bodies replaced by spaces; delimiters kept. */
  readonly code: string;
  /** Only comment text; everything else replaced by spaces. */
  readonly comments: string;
  readonly isTest: boolean;
  readonly lineStarts: readonly number[];
}

/** One `import`/`export … from`/`import("…")` in a file. */
interface ModuleReference {
  readonly specifier: string;
  readonly index: number;
  readonly kind: "import" | "export-from" | "dynamic";
  /** Names taken from the target: "default", named imports (source-side names), or "*" for all. */
  readonly names: readonly string[];
  /** Local binding of `import * as ns` / `export * as ns`, to find `ns.name` uses. */
  readonly namespace: string | undefined;
  readonly isTypeOnly: boolean;
}

/** Layers, lowest first (STYLE.md "Import rule"); folders with the same rank are siblings. */
const LAYER_RANK: Readonly<Record<string, number>> = {
  bytes: 0,
  elf: 1,
  dwarf: 2,
  go: 2,
  model: 3,
  code: 4,
  abi: 4,
  hazards: 5,
  bpftrace: 6,
  run: 7,
  report: 8,
  cli: 9,
};

/** "abi, hazards and bpftrace see only model types, never an entry or a section." */
const PURE_FOLDERS = new Set(["abi", "hazards", "bpftrace"]);
const PURE_FORBIDDEN = new Set(["bytes", "elf", "dwarf"]);
/** "file access lives in bytes/ (the ByteSource) and run/ (spawning bpftrace, the tracing filesystem)". */
const FILE_ACCESS_FOLDERS = new Set(["bytes", "run"]);
const FILE_ACCESS_MODULES = new Set(["fs", "fs/promises", "child_process"]);

// ---------------------------------------------------------------------------------------------
// Scanner

const REGEX_AFTER_WORDS = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await"]);
const REGEX_AFTER_PUNCTUATION = new Set([..."(,=:[!&|?{};+-*%<>~^"]);

/** Splits TypeScript text into a code-only view and a comments-only view of the same length. */
function scanSource(text: string): { code: string; comments: string } {
  const n = text.length;
  const code = text.split("");
  const comments: string[] = text.split("").map((c) => (c === "\n" ? "\n" : " "));
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < n; k++) if (code[k] !== "\n" && code[k] !== "\r") code[k] = " ";
  };
  const keepComment = (from: number, to: number): void => {
    for (let k = from; k < to && k < n; k++) comments[k] = text[k] ?? " ";
    blank(from, to);
  };
  // Brace depths at which a template literal's `${` was opened, innermost last.
  const templateDepths: number[] = [];
  let depth = 0;

  /** Scans template text from `start`; returns the index after the closing backtick or after `${`. */
  const scanTemplate = (start: number): number => {
    let j = start;
    while (j < n) {
      const c = text[j];
      if (c === "\\") {
        j += 2;
        continue;
      }
      if (c === "`") {
        blank(start, j);
        return j + 1;
      }
      if (c === "$" && text[j + 1] === "{") {
        blank(start, j);
        depth++;
        templateDepths.push(depth);
        return j + 2;
      }
      j++;
    }
    blank(start, n);
    return n;
  };

  const isRegexStart = (at: number): boolean => {
    let k = at - 1;
    while (k >= 0 && /\s/.test(code[k] ?? "")) k--;
    if (k < 0) return true;
    const prev = code[k] ?? "";
    if (REGEX_AFTER_PUNCTUATION.has(prev)) return true;
    if (prev === "}") return true;
    if (/[\w$]/.test(prev)) {
      let s = k;
      while (s > 0 && /[\w$]/.test(code[s - 1] ?? "")) s--;
      return REGEX_AFTER_WORDS.has(code.slice(s, k + 1).join(""));
    }
    return false;
  };

  let i = 0;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      let end = text.indexOf("\n", i);
      if (end < 0) end = n;
      keepComment(i, end);
      i = end;
    } else if (c === "/" && next === "*") {
      let end = text.indexOf("*/", i + 2);
      end = end < 0 ? n : end + 2;
      keepComment(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else if (c === "`") {
      i = scanTemplate(i + 1);
    } else if (c === "{") {
      depth++;
      i++;
    } else if (c === "}") {
      if (templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth) {
        templateDepths.pop();
        depth--;
        i = scanTemplate(i + 1);
      } else {
        depth--;
        i++;
      }
    } else if (c === "/" && isRegexStart(i)) {
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== "\n") {
        const r = text[j];
        if (r === "\\") {
          j += 2;
          continue;
        }
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        j++;
      }
      blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return { code: code.join(""), comments: comments.join("") };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

function lineAt(file: SourceFile, index: number): number {
  let lo = 0;
  let hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((file.lineStarts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Builds a SourceFile from a path and its text (also used on synthetic sources in the self-tests). */
function sourceFile(path: string, text: string): SourceFile {
  const { code, comments } = scanSource(text);
  return { path, text, code, comments, isTest: /\.test\.ts$/.test(path), lineStarts: lineStartsOf(text) };
}

function listTsFiles(dir: string): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    const p = posix.join(dir, e.name);
    if (e.isDirectory()) found.push(...listTsFiles(p));
    else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) found.push(p);
  }
  return found.sort();
}

// ---------------------------------------------------------------------------------------------
// Module references and exports

/** Reads the string literal whose opening quote is at `quoteAt`. */
function stringLiteralAt(text: string, quoteAt: number): { value: string; end: number } {
  const quote = text[quoteAt];
  let j = quoteAt + 1;
  let value = "";
  while (j < text.length && text[j] !== quote && text[j] !== "\n") {
    value += text[j];
    j++;
  }
  return { value, end: j + 1 };
}

/** Names a clause such as `X, { a, b as c, type d }` or `* as ns` takes from the module. */
function clauseNames(clause: string, kind: "import" | "export-from"): { names: string[]; namespace: string | undefined } {
  const names: string[] = [];
  let namespace: string | undefined;
  let rest = clause.trim().replace(/^type\s+(?=[{*\w$])/, "");
  const star = /^\*\s*(?:as\s+([\w$]+))?/.exec(rest);
  if (star !== null) {
    names.push("*");
    namespace = star[1];
    return { names, namespace };
  }
  const braces = /\{([^}]*)\}/.exec(rest);
  if (braces !== null) {
    for (const part of (braces[1] ?? "").split(",")) {
      const m = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+[\w$]+)?\s*$/.exec(part);
      if (m?.[1] !== undefined) names.push(m[1]);
    }
    rest = rest.replace(braces[0], "");
  }
  if (kind === "import") {
    const nsAfterDefault = /\*\s*as\s+([\w$]+)/.exec(rest);
    if (nsAfterDefault !== null) {
      names.push("*");
      namespace = nsAfterDefault[1];
      rest = rest.replace(nsAfterDefault[0], "");
    }
    if (/^[\w$]+/.test(rest.replace(/^[\s,]+/, ""))) names.push("default");
  }
  return { names, namespace };
}

/** Every module reference in a file: static imports, `export … from`, side-effect and dynamic imports. */
function moduleReferences(file: SourceFile): ModuleReference[] {
  const refs: ModuleReference[] = [];
  const statement = /(?<![.\w$])(import|export)(\s+type\b)?([\w$*{},\s]*?)\bfrom\s*(["'])/g;
  for (const m of file.code.matchAll(statement)) {
    const kind = m[1] === "import" ? "import" : "export-from";
    const quoteAt = (m.index ?? 0) + m[0].length - 1;
    const { value } = stringLiteralAt(file.text, quoteAt);
    const { names, namespace } = clauseNames(m[3] ?? "", kind);
    refs.push({ specifier: value, index: m.index ?? 0, kind, names, namespace, isTypeOnly: m[2] !== undefined });
  }
  for (const m of file.code.matchAll(/(?<![.\w$])import\s*(["'])/g)) {
    const quoteAt = (m.index ?? 0) + m[0].length - 1;
    refs.push({ specifier: stringLiteralAt(file.text, quoteAt).value, index: m.index ?? 0, kind: "import", names: [], namespace: undefined, isTypeOnly: false });
  }
  for (const m of file.code.matchAll(/(?<![.\w$])import\s*\(\s*(["'])/g)) {
    const quoteAt = (m.index ?? 0) + m[0].length - 1;
    const { value, end } = stringLiteralAt(file.text, quoteAt);
    const member = /^\s*\)\s*\.\s*([\w$]+)/.exec(file.code.slice(end));
    refs.push({ specifier: value, index: m.index ?? 0, kind: "dynamic", names: member?.[1] === undefined ? ["*"] : [member[1]], namespace: undefined, isTypeOnly: false });
  }
  return refs.sort((a, b) => a.index - b.index);
}

/** A top-level export: its exported name and where it is declared. */
interface ExportDeclaration {
  readonly name: string;
  readonly index: number;
}

/** Names a file exports itself (declarations and `export { … }` lists; not re-exports). */
function localExports(file: SourceFile): ExportDeclaration[] {
  const found: ExportDeclaration[] = [];
  const declaration =
    /(?<![.\w$])export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\s*\*?|class|const\s+enum|const|let|var|interface|type|enum|namespace)\s+([\w$]+)/g;
  for (const m of file.code.matchAll(declaration)) found.push({ name: m[1] ?? "", index: m.index ?? 0 });
  const destructured = /(?<![.\w$])export\s+(?:const|let|var)\s+[{[]([^}\]]*)[}\]]/g;
  for (const m of file.code.matchAll(destructured)) {
    for (const part of (m[1] ?? "").split(",")) {
      const name = /([\w$]+)\s*(?:=.*)?$/.exec(part.split(":").pop() ?? "")?.[1];
      if (name !== undefined) found.push({ name, index: m.index ?? 0 });
    }
  }
  const list = /(?<![.\w$])export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from\b)/g;
  for (const m of file.code.matchAll(list)) {
    for (const part of (m[1] ?? "").split(",")) {
      const p = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (p?.[1] !== undefined) found.push({ name: p[2] ?? p[1], index: m.index ?? 0 });
    }
  }
  const defaults = /(?<![.\w$])export\s+default\b/g;
  for (const m of file.code.matchAll(defaults)) found.push({ name: "default", index: m.index ?? 0 });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** `src/elf/header.ts` → "elf"; a file directly in src/ → its base name ("errors.ts", "index.ts"). */
function folderOf(srcPath: string): string {
  const rel = srcPath.slice("src/".length);
  const slash = rel.indexOf("/");
  return slash < 0 ? rel : rel.slice(0, slash);
}

/** The .ts file a relative specifier names, as a posix path from the project root. */
function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string {
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  if (joined.endsWith(".js")) return joined.slice(0, -3) + ".ts";
  for (const candidate of [joined, joined + ".ts", posix.join(joined, "index.ts")]) if (known.has(candidate)) return candidate;
  return joined.endsWith(".ts") ? joined : joined + ".ts";
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

const SPEC_CONSTANT = /^(DW|DW_AT|SHT|SHF|SHN|PT|PF|PN|ET|EM|STT|NT|ELFCLASS|ELFDATA|ELFCOMPRESS)_?[A-Za-z0-9_]+$/;

/** Checks every rule over the given src/ files; `allFiles` also holds test/ files for dead-export notes. */
function checkArchitecture(
  srcFiles: readonly SourceFile[],
  outsideFiles: readonly SourceFile[],
  dependencies: ReadonlySet<string>,
  devDependencies: ReadonlySet<string>,
): Violation[] {
  const violations: Violation[] = [];
  const report = (file: SourceFile, index: number, rule: string, message: string): void => {
    violations.push({ file: file.path, line: lineAt(file, index), rule, message });
  };
  const known = new Set([...srcFiles, ...outsideFiles].map((f) => f.path));
  const refsOf = new Map<string, ModuleReference[]>();
  for (const f of [...srcFiles, ...outsideFiles]) refsOf.set(f.path, moduleReferences(f));

  for (const file of srcFiles) {
    const folder = folderOf(file.path);
    const isIndex = file.path === "src/index.ts";
    const isErrors = file.path === "src/errors.ts";
    const rank = LAYER_RANK[folder];
    if (!isIndex && !isErrors && rank === undefined) {
      report(file, 0, "layer", `${folder === file.path.slice(4) ? "file directly in src/" : `folder src/${folder}/`} is not in STYLE.md's layer list`);
    }

    // Imports: .js endings, layers, barrels, packages.
    for (const ref of refsOf.get(file.path) ?? []) {
      const spec = ref.specifier;
      if (spec.startsWith(".")) {
        if (!spec.endsWith(".js")) report(file, ref.index, "import-extension", `relative import "${spec}" does not end in ".js"`);
        const target = resolveRelative(file.path, spec, known);
        if (ref.kind === "export-from" && !isIndex) report(file, ref.index, "no-barrel", `re-exports from "${spec}": no barrels besides src/index.ts`);
        if (!target.startsWith("src/")) {
          if (!file.isTest) report(file, ref.index, "layer", `imports "${spec}" from outside src/`);
          continue;
        }
        if (isIndex || target === "src/errors.ts" || target === file.path) continue;
        if (isErrors) {
          report(file, ref.index, "layer", `src/errors.ts sits below every layer but imports "${spec}"`);
          continue;
        }
        if (target === "src/index.ts") {
          report(file, ref.index, "layer", `imports src/index.ts: only code outside src/ uses the public barrel`);
          continue;
        }
        const targetFolder = folderOf(target);
        const targetRank = LAYER_RANK[targetFolder];
        if (targetFolder === folder) continue;
        if (rank === undefined) continue; // already reported: the file's own folder has no layer
        if (targetRank === undefined) {
          report(file, ref.index, "layer", `imports "${spec}" (${target}), which is in no layer`);
        } else if (targetRank === rank) {
          report(file, ref.index, "layer", `${folder}/ imports its sibling ${targetFolder}/ ("${spec}"); siblings never import each other`);
        } else if (targetRank > rank) {
          report(file, ref.index, "layer", `${folder}/ imports the higher layer ${targetFolder}/ ("${spec}")`);
        } else if (PURE_FOLDERS.has(folder) && PURE_FORBIDDEN.has(targetFolder)) {
          report(file, ref.index, "layer", `${folder}/ sees only model types, but imports ${targetFolder}/ ("${spec}")`);
        }
      } else {
        const isBuiltin = BUILTINS.has(spec) || BUILTINS.has(packageName(spec));
        if (isBuiltin) {
          const bare = spec.replace(/^node:/, "");
          if (FILE_ACCESS_MODULES.has(bare) && !FILE_ACCESS_FOLDERS.has(folder) && !file.isTest && !ref.isTypeOnly) {
            report(file, ref.index, "file-access", `imports "${spec}": file access lives in bytes/ and run/ only`);
          }
          continue;
        }
        const pkg = packageName(spec);
        if (!dependencies.has(pkg) && !(file.isTest && devDependencies.has(pkg))) {
          report(file, ref.index, "dependency", `imports "${spec}", which is not a runtime dependency in package.json${devDependencies.has(pkg) ? " (only a devDependency)" : ""}`);
        }
      }
    }

    // Default exports.
    for (const m of file.code.matchAll(/(?<![.\w$])export\s+default\b|(?<![.\w$])export\s*=(?!=)/g)) {
      report(file, m.index ?? 0, "no-default-export", "default export");
    }
    for (const m of file.code.matchAll(/(?<![.\w$])export\s+(?:type\s+)?\{[^}]*\bas\s+default\b[^}]*\}/g)) {
      report(file, m.index ?? 0, "no-default-export", "exports a binding `as default`");
    }

    // console, process.argv, process.exit, process.exitCode: only cli/.
    if (folder !== "cli") {
      const processAliases = ["process"];
      for (const ref of refsOf.get(file.path) ?? []) {
        if (ref.specifier !== "process" && ref.specifier !== "node:process") continue;
        const clause = /(?:import)(?:\s+type)?([^]*?)\bfrom\b/.exec(file.code.slice(ref.index))?.[1] ?? "";
        const alias = /^\s*(?:\*\s*as\s+)?([\w$]+)/.exec(clause)?.[1];
        if (alias !== undefined) processAliases.push(alias);
        for (const name of ref.names) {
          if (name === "argv" || name === "exit" || name === "exitCode") report(file, ref.index, "cli-only", `imports ${name} from "${ref.specifier}": only src/cli/ may`);
        }
      }
      for (const m of file.code.matchAll(/(?<![.\w$])console\b/g)) report(file, m.index ?? 0, "cli-only", "uses console: only src/cli/ may");
      const aliases = processAliases.map((a) => a.replace(/\$/g, "\\$")).join("|");
      const member = new RegExp(`(?<![.\\w$])(?:globalThis\\s*\\.\\s*)?(?:${aliases})\\s*(?:\\?\\.|\\.)\\s*(argv|exit|exitCode)\\b|(?<![.\\w$])(?:${aliases})\\s*\\[\\s*["'\`]`, "g");
      for (const m of file.code.matchAll(member)) {
        const name = m[1] ?? "a computed member";
        report(file, m.index ?? 0, "cli-only", `uses process.${name === "a computed member" ? "[…]" : name}: only src/cli/ may`);
      }
      const destructure = new RegExp(`\\{([^}]*)\\}\\s*=\\s*(?:${aliases})\\b(?!\\s*\\.)`, "g");
      for (const m of file.code.matchAll(destructure)) {
        if (/\b(argv|exit|exitCode)\b/.test(m[1] ?? "")) report(file, m.index ?? 0, "cli-only", "destructures argv/exit/exitCode from process: only src/cli/ may");
      }
    }

    if (!file.isTest) {
      // No `any`, `@ts-ignore`, or `!` outside tests.
      const anyType = /(?:[:<,|&(]\s*|(?<![.\w$])as\s+|=>\s*|(?<![.\w$])(?:extends|keyof|readonly)\s+)any(?![\w$])|(?<![.\w$])any\s*\[\s*\]/g;
      for (const m of file.code.matchAll(anyType)) report(file, m.index ?? 0, "no-any", `\`any\` type: "${m[0].trim()}"`);
      for (const m of file.comments.matchAll(/@ts-(ignore|nocheck)\b/g)) report(file, m.index ?? 0, "no-ts-ignore", `@ts-${m[1] ?? ""}`);
      // A `!` right after an operand is a non-null (or definite-assignment) assertion; `!=`/`!==` are not.
      for (const m of file.code.matchAll(/[\w$\])]!(?!=)/g)) {
        const lineText = file.text.slice(file.lineStarts[lineAt(file, m.index ?? 0) - 1] ?? 0).split("\n")[0] ?? "";
        report(file, (m.index ?? 0) + 1, "no-non-null", `non-null assertion \`!\`: ${lineText.trim()}`);
      }
      // Uint8Array.prototype.slice copies; approximated as .slice( on a name that says bytes/buf/u8.
      for (const m of file.code.matchAll(/([A-Za-z_$][\w$]*)\s*(?:\?\.|\.)\s*slice\s*\(/g)) {
        if (/bytes|buf|u8/i.test(m[1] ?? "")) report(file, m.index ?? 0, "no-byte-slice", `${m[1] ?? ""}.slice( copies bytes: use .subarray(`);
      }
    }
  }

  // Dead exports: every export of src/ (but src/index.ts) needs an importer in src/ (tests aside)
  // or a re-export from src/index.ts.
  const production = srcFiles.filter((f) => !f.isTest);
  const usedNames = new Map<string, Set<string>>();
  const testUsedNames = new Map<string, Set<string>>();
  const use = (into: Map<string, Set<string>>, target: string, name: string): void => {
    let names = into.get(target);
    if (names === undefined) into.set(target, (names = new Set()));
    names.add(name);
  };
  for (const [importers, into] of [
    [production, usedNames],
    [[...srcFiles.filter((f) => f.isTest), ...outsideFiles], testUsedNames],
  ] as const) {
    for (const importer of importers) {
      for (const ref of refsOf.get(importer.path) ?? []) {
        if (!ref.specifier.startsWith(".")) continue;
        const target = resolveRelative(importer.path, ref.specifier, known);
        if (target === importer.path) continue;
        for (const name of ref.names) {
          if (name !== "*" || (ref.kind === "export-from" && ref.namespace === undefined) || ref.kind === "dynamic") {
            use(into, target, name);
          } else if (ref.namespace !== undefined) {
            const escaped = ref.namespace.replace(/\$/g, "\\$");
            const members = [...importer.code.matchAll(new RegExp(`(?<![.\\w$])${escaped}\\s*\\.\\s*([\\w$]+)`, "g"))];
            for (const mm of members) use(into, target, mm[1] ?? "");
            // `export * as ns` or a namespace passed around whole: every export is reachable.
            if (ref.kind === "export-from" || new RegExp(`(?<![.\\w$])${escaped}(?!\\s*\\.)(?![\\w$])`).test(importer.code.slice(ref.index + 1).replace(new RegExp(`\\*\\s*as\\s+${escaped}`), ""))) {
              use(into, target, "*");
            }
          }
        }
      }
    }
  }
  for (const file of production) {
    if (file.path === "src/index.ts") continue;
    const used = usedNames.get(file.path);
    if (used?.has("*") === true) continue;
    for (const exp of localExports(file)) {
      if (used?.has(exp.name) === true) continue;
      const byTests = testUsedNames.get(file.path);
      const isTested = byTests?.has(exp.name) === true || byTests?.has("*") === true;
      // Spec constants (DW_TAG_*, SHT_*, EM_*…) are tables of the spec, and how tests spell the
      // bytes they build (STYLE.md "Tests"): not dead code.
      if (SPEC_CONSTANT.test(exp.name)) continue;
      const escaped = exp.name.replace(/\$/g, "\\$");
      const usesInFile = [...file.code.matchAll(new RegExp(`(?<![.\\w$])${escaped}(?![\\w$])`, "g"))].length - 1;
      const notes = [...(isTested ? ["only tests import it"] : []), usesInFile > 0 ? "used inside its own file: drop `export`" : "used nowhere in src/: delete it"];
      report(file, exp.index, "dead-export", `export ${exp.name} has no importer in src/ and is not re-exported by src/index.ts (${notes.join("; ")})`);
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
}

function render(v: Violation): string {
  return `${v.file}:${v.line}: [${v.rule}] ${v.message}`;
}

// ---------------------------------------------------------------------------------------------
// The checks on this repository

const RULES = [
  "layer",
  "no-barrel",
  "import-extension",
  "dependency",
  "file-access",
  "cli-only",
  "no-default-export",
  "no-any",
  "no-ts-ignore",
  "no-non-null",
  "no-byte-slice",
  "dead-export",
] as const;

function readRepository(): Violation[] {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const load = (p: string): SourceFile => sourceFile(p, readFileSync(p, "utf8"));
  const srcFiles = listTsFiles("src").map(load);
  const outside = [...listTsFiles("test"), ...listTsFiles("bench"), ...listTsFiles("scripts")].map(load);
  return checkArchitecture(srcFiles, outside, new Set(Object.keys(pkg.dependencies ?? {})), new Set(Object.keys(pkg.devDependencies ?? {})));
}

describe("architecture (STYLE.md) of src/", () => {
  const violations = readRepository();
  if (violations.length > 0) {
    process.stdout.write(`\narchitecture: ${violations.length} violation(s)\n${violations.map(render).join("\n")}\n\n`);
  }
  it("knows every rule it reports", () => {
    expect(violations.filter((v) => !(RULES as readonly string[]).includes(v.rule)).map(render)).toEqual([]);
  });
  it.each(RULES.map((r) => [r]))("%s", (rule) => {
    expect(violations.filter((v) => v.rule === rule).map(render)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The checker checked: each rule fires on a small source that breaks it, and stays quiet on one
// that only looks like it does.

function checkSynthetic(files: Record<string, string>): string[] {
  const src = Object.entries(files).map(([p, t]) => sourceFile(p, t));
  return checkArchitecture(src, [], new Set(["commander"]), new Set(["vitest"])).map((v) => `${v.file}:${v.line}: ${v.rule}`);
}

describe("architecture checker", () => {
  it("blanks strings, templates, regexes and comments but keeps offsets", () => {
    const text = 'const a = "x!." + `t ${b!.c} u` + /re!;"/g.source; // c!.d\n/* @ts-ignore */ e';
    const { code, comments } = scanSource(text);
    expect(code.length).toBe(text.length);
    expect(code).toContain("b!.c");
    expect(code).not.toContain("x!.");
    expect(code).not.toContain("re!;");
    expect(code).not.toContain("c!.d");
    expect(comments).toContain("@ts-ignore");
    expect(code.split("\n").length).toBe(2);
  });

  it("reads import, export-from, type-only and dynamic imports", () => {
    const f = sourceFile(
      "src/model/m.ts",
      'import D, { a, b as c, type T } from "../go/x.js";\nimport type {\n  U,\n} from "./y.js";\nexport { v } from "./z.js";\nimport * as ns from "./w.js";\ntype Q = import("../dwarf/q.js").Q;\nimport "./side.js";\n',
    );
    expect(moduleReferences(f).map((r) => `${r.kind} ${r.specifier} ${r.names.join(",")}${r.isTypeOnly ? " type" : ""}`)).toEqual([
      "import ../go/x.js a,b,T,default",
      "import ./y.js U type",
      "export-from ./z.js v",
      "import ./w.js *",
      "dynamic ../dwarf/q.js Q",
      "import ./side.js ",
    ]);
  });

  it("reads every form of local export", () => {
    const f = sourceFile(
      "src/elf/e.ts",
      "export const A = 1;\nexport async function b() {}\nexport interface C {}\nexport type D = number;\nexport abstract class E {}\nexport const enum F { x }\nconst g = 1; export { g as G, type H };\n",
    );
    expect(localExports(f).map((e) => e.name)).toEqual(["A", "b", "C", "D", "E", "F", "G", "H"]);
  });

  it("flags layer breaks, siblings, index imports and relative imports without .js", () => {
    const out = checkSynthetic({
      "src/index.ts": 'export { f } from "./elf/f.js";\nexport { g } from "./go/g.js";\nexport { h } from "./dwarf/h.js";\n',
      "src/elf/f.ts": 'import { g } from "../go/g.js";\nimport { e } from "../errors.js";\nexport function f() { return g() + e; }\n',
      "src/go/g.ts": 'import { h } from "../dwarf/h.js";\nimport { k } from "./k";\nexport function g() { return h() + k; }\n',
      "src/dwarf/h.ts": 'import { f } from "../index.js";\nexport function h() { return f(); }\n',
      "src/go/k.ts": "export const k = 1;\n",
      "src/errors.ts": 'import { f } from "./elf/f.js";\nexport const e = f;\n',
    });
    expect(out).toEqual([
      "src/dwarf/h.ts:1: layer",
      "src/elf/f.ts:1: layer",
      "src/errors.ts:1: layer",
      "src/go/g.ts:1: layer",
      "src/go/g.ts:2: import-extension",
    ]);
  });

  it("flags console and process outside cli/, default exports, any, ts-ignore, ! and byte slices", () => {
    const out = checkSynthetic({
      "src/index.ts": 'export { a, b, c } from "./elf/x.js";\nexport { r } from "./cli/r.js";\n',
      "src/elf/x.ts": [
        "export const a = (v: any) => v;", // 1 any
        "// @ts-ignore", // 2
        "export const b = (m: Map<string, number>) => m.get('k')!.toFixed();", // 3 non-null
        "export const c = (u8: Uint8Array) => u8.slice(1);", // 4 byte slice
        "export default 1;", // 5 default export
        "if (a !== b && a != c && !a) console.log(process.argv, process.exitCode);", // 6 console, argv, exitCode
        'const s = "console.log(x!.y)"; const t = [1]; t.slice(0); export const u = s !== "" ? 1 : 2;', // 7 dead export u only
        "process.exit(1);", // 8
      ].join("\n"),
      "src/cli/r.ts": "export const r = () => { console.log(process.argv); process.exitCode = 1; };\n",
    });
    expect(out).toEqual([
      "src/elf/x.ts:1: no-any",
      "src/elf/x.ts:2: no-ts-ignore",
      "src/elf/x.ts:3: no-non-null",
      "src/elf/x.ts:4: no-byte-slice",
      "src/elf/x.ts:5: dead-export",
      "src/elf/x.ts:5: no-default-export",
      "src/elf/x.ts:6: cli-only",
      "src/elf/x.ts:6: cli-only",
      "src/elf/x.ts:6: cli-only",
      "src/elf/x.ts:7: dead-export",
      "src/elf/x.ts:8: cli-only",
    ]);
  });

  it("counts importers in src/ and index.ts re-exports, but not tests, as callers", () => {
    const out = checkSynthetic({
      "src/index.ts": 'export { used } from "./bytes/a.js";\n',
      "src/bytes/a.ts": "export const used = 1;\nexport const internal = 2;\nexport const testOnly = 3;\nexport type Dead = number;\n",
      "src/bytes/b.ts": 'import { internal } from "./a.js";\nimport * as ns from "./c.js";\nexport const b = internal + ns.one;\n',
      "src/bytes/c.ts": "export const one = 1;\nexport const two = 2;\n",
      "src/bytes/a.test.ts": 'import { testOnly } from "./a.js";\nconst x = testOnly!;\n',
    });
    expect(out).toEqual(["src/bytes/a.ts:3: dead-export", "src/bytes/a.ts:4: dead-export", "src/bytes/b.ts:3: dead-export", "src/bytes/c.ts:2: dead-export"]);
  });
});
