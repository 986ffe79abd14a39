import assert from "node:assert/strict";
import { test } from "node:test";
import { bundledBinaryName, moduleLanguage, resolveServerCommand } from "../../src/serverCommand";

const bundled = "/ext/bin/stablestack";

test("an explicit stablestack.path wins over the bundled binary", () => {
  const cmd = resolveServerCommand({ configuredPath: "/opt/ss", extraArgs: [], bundledPath: bundled, bundledExists: true });
  assert.deepEqual(cmd, { command: "/opt/ss", args: ["lsp"], source: "setting" });
});

test("the bundled binary is used when no path is set", () => {
  const cmd = resolveServerCommand({ configuredPath: "  ", extraArgs: undefined, bundledPath: bundled, bundledExists: true });
  assert.deepEqual(cmd, { command: bundled, args: ["lsp"], source: "bundled" });
});

test("the universal VSIX falls back to PATH", () => {
  const cmd = resolveServerCommand({ configuredPath: "", extraArgs: [], bundledPath: bundled, bundledExists: false });
  assert.deepEqual(cmd, { command: "stablestack", args: ["lsp"], source: "PATH" });
});

test("extra args follow lsp and non-strings are dropped", () => {
  const cmd = resolveServerCommand({ configuredPath: "", extraArgs: ["--log", 3, "", "debug"], bundledPath: bundled, bundledExists: false });
  assert.deepEqual(cmd.args, ["lsp", "--log", "debug"]);
});

test("a leading ~ is expanded", () => {
  const home = process.env.HOME;
  process.env.HOME = "/home/u";
  try {
    const cmd = resolveServerCommand({ configuredPath: "~/bin/stablestack", extraArgs: [], bundledPath: bundled, bundledExists: true });
    assert.equal(cmd.command, "/home/u/bin/stablestack");
  } finally {
    process.env.HOME = home;
  }
});

test("windows binaries carry .exe", () => {
  assert.equal(bundledBinaryName("win32"), "stablestack.exe");
  assert.equal(bundledBinaryName("linux"), "stablestack");
});

test("documents map to the limiter module's language", () => {
  assert.equal(moduleLanguage("python"), "python");
  assert.equal(moduleLanguage("typescriptreact"), "node");
  assert.equal(moduleLanguage("javascript"), "node");
  assert.equal(moduleLanguage("go"), undefined);
});
