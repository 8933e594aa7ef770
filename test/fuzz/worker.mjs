// Entry of the fuzz worker thread: installs the TypeScript hooks, then runs analyze-worker.ts.
import { register } from "node:module";

process.setSourceMapsEnabled(true);
register("./ts-hooks.mjs", import.meta.url);
await import("./analyze-worker.ts");
