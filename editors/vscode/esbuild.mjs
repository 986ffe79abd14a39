// Bundles the extension into one CommonJS file (dist/extension.js) so the VSIX ships no
// node_modules, and the unit tests (test/unit/*.test.ts) into out/ for `node --test`.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const common = { bundle: true, platform: "node", format: "cjs", target: "node18", logLevel: "warning" };

await build({
  ...common,
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  external: ["vscode"],
  sourcemap: false,
  minify: process.argv.includes("--minify"),
});

const tests = readdirSync("test/unit").filter((f) => f.endsWith(".test.ts"));
await build({
  ...common,
  entryPoints: tests.map((f) => `test/unit/${f}`),
  outdir: "out/unit",
});
