import { describe, expect, it } from "vitest";
import { abiInForce } from "./features.js";
import { parseGoVersion, type GoVersion } from "./go-version.js";

function go(raw: string): GoVersion {
  const v = parseGoVersion(raw);
  if (v === undefined) throw new Error(raw);
  return v;
}

describe("abiInForce", () => {
  // Register ABI starts: go1.17 release notes (amd64), go1.18 release notes (arm64).
  it("switches amd64 to registers at Go 1.17 and arm64 at Go 1.18", () => {
    expect(abiInForce(go("go1.16.15"), "amd64", undefined).abi).toBe("stack");
    expect(abiInForce(go("go1.17"), "amd64", undefined).abi).toBe("register");
    expect(abiInForce(go("go1.17.13"), "arm64", undefined).abi).toBe("stack");
    expect(abiInForce(go("go1.18"), "arm64", undefined).abi).toBe("register");
  });

  it("keeps 386 and arm on the stack in every release", () => {
    expect(abiInForce(go("go1.27.3"), "386", undefined).abi).toBe("stack");
    expect(abiInForce(go("go1.27.3"), "arm", undefined).abi).toBe("stack");
  });

  it("honours a GOEXPERIMENT that turned register arguments off", () => {
    const a = abiInForce(go("go1.17.5"), "amd64", "noregabiargs");
    expect(a.abi).toBe("stack");
    expect(a.reason).toContain("GOEXPERIMENT=noregabiargs");
  });

  it("says why in one sentence", () => {
    expect(abiInForce(go("go1.15.15"), "amd64", undefined).reason).toBe("Go 1.15 predates the register ABI on amd64 (from Go 1.17): arguments and results are on the stack");
  });
});
