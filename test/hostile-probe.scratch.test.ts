import { readFileSync, writeFileSync, chmodSync } from "node:fs";
import { it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { readElfLayout } from "./fuzz/mutate.js";
import { renameInBinary } from "./support/hostile-names.js";
import { buildSample, installedToolchains } from "./support/samples.js";
const b = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
it("x", async () => {
  const t = installedToolchains().find((x) => x.version === "1.27")!;
  const path = buildSample("calls", t, "amd64", "nocompress");
  const bytes = new Uint8Array(readFileSync(path));
  const layout = readElfLayout(bytes)!;
  const fnSections = [".gopclntab", ".strtab", ".debug_info"];
  const r = renameInBinary(bytes, layout.sections, [
    { from: b("main.LongString"), to: b('main."\\\n}%s//*\xff'), sections: fnSections },
    { from: b("label"), to: b('"%s\n}'), sections: [".debug_info"], after: b("main.Sum") },
    { from: b("nums"), to: b("/*\\\xff"), sections: [".debug_info"], after: b("main.Sum") },
    { from: b("main.Point"), to: b('main.*/"%\xff'), sections: [".debug_info"] },
    { from: b("calls/main.go"), to: b('calls/m"\n%s}\xff'), sections: [".gopclntab", ".debug_line", ".debug_line_str", ".debug_str"] },
  ]);
  console.log(JSON.stringify(r.counts));
  writeFileSync("/tmp/hn/calls", r.bytes); chmodSync("/tmp/hn/calls", 0o755);
  for (const argv of [["funcs", "/tmp/hn/calls", "--main-only"], ["trace", "/tmp/hn/calls", "^main\\.\"", "main.Sum", "main.Midpoint", "--bpftrace-version", "0.23"], ["check", "/tmp/hn/calls", "main.Sum", "main.Midpoint"]]) {
    let out = "", err = "";
    const code = await runCli(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
    writeFileSync(`/tmp/hn/${argv[0]}.out`, out + "\n--stderr--\n" + err + "\n--code " + code);
  }
});
