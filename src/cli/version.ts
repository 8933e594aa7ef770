/** goxray's version, as package.json gives it (test/version.test.ts keeps the two equal). */
export const GOXRAY_VERSION = "0.1.0";
