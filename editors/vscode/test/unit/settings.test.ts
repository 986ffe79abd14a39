import assert from "node:assert/strict";
import { test } from "node:test";
import { initializationOptions, serverSettings } from "../../src/settings";

function reader(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test("settings are nested under the stablestack key", () => {
  const opts = initializationOptions(reader({ requests: 5, window: 10, severity: { RATE001: "error" }, rules: { RATE002: false } }));
  assert.deepEqual(opts, { stablestack: { requests: 5, window: 10, severity: { RATE001: "error" }, rules: { RATE002: false } } });
});

test("invalid values are left out so the server keeps its defaults", () => {
  const s = serverSettings(reader({ requests: 0, window: 1.5, severity: ["error"], rules: { RATE001: "no", RATE002: true } }));
  assert.deepEqual(s, { rules: { RATE002: true } });
});

test("path, args and trace never reach the server settings", () => {
  const s = serverSettings(reader({ path: "/x", args: ["a"], "trace.server": "verbose" }));
  assert.deepEqual(s, {});
});
