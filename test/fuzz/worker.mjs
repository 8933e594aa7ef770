// Entry of the fuzz worker thread: installs the TypeScript hooks, then runs command-worker.ts.
import { register } from "node:module";

process.setSourceMapsEnabled(true);
register("./ts-hooks.mjs", import.meta.url);
await import("./command-worker.ts");
