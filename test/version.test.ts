import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { GOXRAY_VERSION } from "../src/cli/version.js";

it("the version goxray reports is package.json's", () => {
  expect(GOXRAY_VERSION).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
});
