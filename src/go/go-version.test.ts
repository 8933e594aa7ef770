import { describe, expect, it } from "vitest";
import { isAtLeast, parseGoVersion } from "./go-version.js";

describe("parseGoVersion", () => {
  it("parses the forms Go toolchains write into binaries", () => {
    expect(parseGoVersion("go1.22.12")).toEqual({ raw: "go1.22.12", major: 1, minor: 22, patch: 12, prerelease: undefined });
    expect(parseGoVersion("go1.21")).toMatchObject({ minor: 21, patch: 0, prerelease: undefined });
    expect(parseGoVersion("go1.21rc2")).toMatchObject({ minor: 21, prerelease: "rc2" });
    expect(parseGoVersion("go1.20 X:boringcrypto")).toMatchObject({ minor: 20, raw: "go1.20 X:boringcrypto" });
    expect(parseGoVersion("devel go1.24-abcdef0 Tue Jan 7 10:00:00 2025 +0000")).toMatchObject({ minor: 24, prerelease: "devel" });
    expect(parseGoVersion("gccgo")).toBeUndefined();
    expect(parseGoVersion("go1.22x")).toBeUndefined();
  });

  it("orders releases by major and minor", () => {
    const v = parseGoVersion("go1.17rc1");
    expect(v).toBeDefined();
    if (v === undefined) return;
    expect(isAtLeast(v, 1, 17)).toBe(true);
    expect(isAtLeast(v, 1, 18)).toBe(false);
    expect(isAtLeast(v, 1, 9)).toBe(true);
  });
});
