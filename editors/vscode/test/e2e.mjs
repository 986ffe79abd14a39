// End-to-end test of the StableStack VS Code extension in a real VS Code: code-server
// 4.100.3 (VS Code 1.100) driven through Chromium by playwright-core. It installs the
// platform VSIX (which carries the server binary), opens the fixture workspace, waits for
// squiggles and the Problems entry, hovers, opens the quick-fix menu, applies "Add rate
// limit…", saves with Ctrl+S and reads the file back from disk.
//
// Each case appends "ok - vscode …: name" or "not ok - vscode …: name: reason" to
// $EDITORS_RESULTS. A case that fails leaves a screenshot in the run's screenshot folder.
//
// Env: CODE_SERVER (launcher), STABLESTACK_VSIX, WORKSPACE (scratch copy of the fixtures),
//      EDITORS_RESULTS, SCREENSHOT_DIR (per-run folder), CHROMIUM (default /usr/bin/chromium),
//      UPDATE_SCREENSHOTS=1 to refresh the PNGs the README shows.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} unset`);
  return v;
};
const codeServer = env("CODE_SERVER");
const vsix = env("STABLESTACK_VSIX");
const workspace = env("WORKSPACE");
const results = env("EDITORS_RESULTS");
const shotDir = env("SCREENSHOT_DIR");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const readmeShots = process.env.UPDATE_SCREENSHOTS === "1" ? path.join(here, "screenshots") : shotDir;
const TIMEOUT = Number(process.env.EDITOR_TIMEOUT_MS || 60000);

const label = "vscode 1.100 (code-server 4.100.3)";
let failures = 0;
mkdirSync(shotDir, { recursive: true });

function report(ok, name, detail) {
  if (ok) {
    appendFileSync(results, `ok - ${label}: ${name}\n`);
  } else {
    failures++;
    appendFileSync(results, `not ok - ${label}: ${name}: ${String(detail).replace(/\n/g, " | ")}\n`);
  }
}

let page;
async function testCase(name, fn) {
  try {
    await fn();
    report(true, name);
    return true;
  } catch (err) {
    report(false, name, err && err.stack ? err.stack.split("\n").slice(0, 3).join(" ") : err);
    if (page) {
      const file = path.join(shotDir, `fail-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
      await page.screenshot({ path: file }).catch(() => {});
    }
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what, cond, ms = TIMEOUT) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await cond();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (${last.message})` : ""}`);
}

/** Text of the active editor as Monaco renders it (non-breaking spaces normalised). */
async function editorText() {
  const text = await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().innerText();
  return text.replace(/\u00a0/g, " ");
}

async function runCommand(title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 10000 });
  await input.press("Enter");
}

async function openFile(name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(name);
  // Click the row whose file name is exactly `name`: Enter would take whatever ranks first
  // (stablestack_rate_limiter.py also matches "app.py" fuzzily once it exists).
  const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const row = page
    .locator(".quick-input-widget .monaco-list-row")
    .filter({ has: page.locator(".label-name", { hasText: exact }) })
    .first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).waitFor({ timeout: 10000 });
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().waitFor();
}

/**
 * Squiggles of the active editor; cls is e.g. "squiggly-error". Without cls: warnings,
 * errors and infos, not hints, because TypeScript marks `require` in JS files with a hint.
 */
function squiggles(cls) {
  const sel = cls ? `.${cls}` : ".squiggly-warning, .squiggly-error, .squiggly-info";
  const editor = ".editor-group-container.active .monaco-editor .view-overlays";
  return page.locator(sel.split(", ").map((c) => `${editor} ${c}`).join(", "));
}

async function problemsText() {
  await runCommand("View: Focus Problems (Errors, Warnings, Infos)");
  const panel = page.locator(".markers-panel");
  await panel.waitFor({ state: "visible", timeout: 10000 });
  return (await panel.innerText()).replace(/\u00a0/g, " ");
}

/**
 * Waits for the squiggle and the Problems entry of `file`. `where` is the position the
 * Problems panel shows ("Ln 4, Col 26"): VS Code counts columns in UTF-16 code units, so
 * on the JS line with é and 😀 it proves the server's columns are UTF-16 too.
 */
async function waitForDiagnostic(file, where) {
  await waitFor(`a squiggle in ${file}`, async () => (await squiggles().count()) > 0);
  const text = await waitFor("the Problems entry", async () => {
    const t = await problemsText();
    return t.includes("POST /login has no rate limiting") ? t : false;
  }, 20000);
  if (!/stablestack/.test(text) || !/RATE001/.test(text)) {
    throw new Error(`Problems entry lacks source/code: ${text.slice(0, 300)}`);
  }
  if (!text.includes(`[${where}]`)) {
    throw new Error(`Problems entry not at [${where}]: ${text.replace(/\n/g, " ").slice(0, 300)}`);
  }
}

/** Places the cursor on the squiggle, opens the lightbulb menu and applies the fix. */
async function applyQuickFix(file, expect, screenshot) {
  const squiggle = squiggles().first();
  const box = await squiggle.boundingBox();
  if (!box) throw new Error("squiggle has no box");
  if (file.endsWith(".js")) {
    // VS Code asks every code action provider and drops the whole answer when one of them
    // is cancelled; TypeScript's is while tsserver is still loading the project (seconds
    // on this machine). Its hint on `require` (a `squiggly-hint`) says it has finished.
    await waitFor("tsserver to analyse the file", async () => (await squiggles("squiggly-hint").count()) > 0, 60000).catch(
      () => console.error("tsserver never marked the file; trying the quick fix anyway"),
    );
  }
  const menu = page.locator(".action-widget");
  for (let attempt = 1; ; attempt++) {
    await page.mouse.click(box.x + Math.min(8, box.width / 2), box.y + box.height / 2);
    await page.keyboard.press("Control+.");
    try {
      await menu.waitFor({ state: "visible", timeout: 5000 });
      break;
    } catch (err) {
      const note = await page.locator(".monaco-editor-overlaymessage").allInnerTexts();
      console.error(`${new Date().toISOString()} quick fix attempt ${attempt} in ${file}: no menu; editor says ${JSON.stringify(note)}`);
      if (attempt === 3) throw err;
      await page.keyboard.press("Escape");
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const item = menu.locator(".monaco-list-row", { hasText: /Add rate limit/ }).first();
  try {
    await item.waitFor({ state: "visible", timeout: 15000 });
  } catch {
    throw new Error(`no "Add rate limit" in the quick-fix menu: ${(await menu.innerText()).replace(/\n/g, "; ")}`);
  }
  if (screenshot) {
    await page.screenshot({ path: path.join(readmeShots, screenshot) });
  }
  // Keyboard, as a user would: the menu opens with its first action focused.
  const actions = await menu.locator(".monaco-list-row.action").allInnerTexts();
  const index = actions.findIndex((t) => /Add rate limit/.test(t));
  if (index < 0) throw new Error(`no "Add rate limit" action row: ${actions.join("; ")}`);
  for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await waitFor(`the editor to contain ${expect}`, async () => (await editorText()).includes(expect), 20000);
  await page.keyboard.press("Control+S");
  const onDisk = path.join(workspace, file);
  await waitFor(`${file} saved with ${expect}`, () => readFileSync(onDisk, "utf8").includes(expect), 15000);
  await waitFor(`the squiggle in ${file} to go`, async () => (await squiggles().count()) === 0, 20000);
  const problems = await problemsText();
  if (problems.includes("POST /login has no rate limiting")) {
    throw new Error(`Problems still lists the route: ${problems.slice(0, 300)}`);
  }
}

function setUserSettings(userData, extra) {
  const base = {
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoUpdate": false,
    "extensions.autoCheckUpdates": false,
    "update.mode": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "window.restoreWindows": "none",
    "git.enabled": false,
    "editor.hover.delay": 200,
    "editor.minimap.enabled": false,
    "chat.commandCenter.enabled": false,
    "workbench.colorTheme": "Default Light Modern",
    ...(process.env.STABLESTACK_TRACE ? { "stablestack.trace.server": process.env.STABLESTACK_TRACE } : {}),
  };
  mkdirSync(path.join(userData, "User"), { recursive: true });
  writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify({ ...base, ...extra }, null, 2));
}

/**
 * Stops code-server and everything it started (extension host, the StableStack server):
 * they share the process group we created with `detached: true`.
 */
async function stopGroup(child) {
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", resolve);
  });
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
  // Children that outlive the launcher by a moment still hold files in the scratch dir.
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  signal("SIGKILL");
}

/** How often the extension logged "starting …" (its log file under the user data dir). */
function countStarts(userData) {
  let n = 0;
  const logs = path.join(userData, "logs");
  for (const session of existsSync(logs) ? readdirSync(logs) : []) {
    const file = path.join(logs, session, "exthost1", "stablestack.stablestack", "StableStack.log");
    if (existsSync(file)) n += (readFileSync(file, "utf8").match(/\] starting /g) || []).length;
  }
  return n;
}

/** Workspace settings: the editor watches the workspace folder, so edits land at once. */
function setWorkspaceSettings(settings) {
  mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  writeFileSync(path.join(workspace, ".vscode", "settings.json"), JSON.stringify(settings, null, 2));
}

/**
 * Starts code-server on `folder` and opens it in Chromium. Untrusted sessions keep
 * Workspace Trust on, so the folder opens in Restricted Mode.
 */
async function openSession({ scratch, common, folder, trusted, logName }) {
  writeFileSync(path.join(scratch, "config.yaml"), "auth: none\n");
  const port = await freePort();
  const log = createWriteStream(path.join(shotDir, logName));
  const server = spawn(
    codeServer,
    [
      ...common,
      "--config", path.join(scratch, "config.yaml"),
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      ...(trusted ? ["--disable-workspace-trust"] : []),
      "--disable-getting-started-override",
      folder,
    ],
    { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HOME: scratch } },
  );
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let context;
  const close = async () => {
    if (context) await context.close().catch(() => {});
    if (server.pid) await stopGroup(server);
  };
  try {
    await waitFor("code-server to listen", async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return res && res.ok;
    }, 60000);
    context = await chromium.launchPersistentContext(path.join(scratch, `chromium-profile-${port}`), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 800 },
    });
    const p = context.pages()[0] || (await context.newPage());
    await p.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
    await p.locator(".monaco-workbench").waitFor({ timeout: 60000 });
    await p.locator(".explorer-folders-view, .explorer-viewlet").first().waitFor({ timeout: 60000 });
    return { page: p, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function main() {
  const scratch = mkdtempSync(path.join(tmpdir(), "stablestack-vscode-"));
  const userData = path.join(scratch, "user-data");
  const extDir = path.join(scratch, "extensions");
  const common = ["--user-data-dir", userData, "--extensions-dir", extDir];
  let session;
  try {
    const installed = await testCase("VSIX installs with code-server --install-extension", async () => {
      const r = spawnSync(codeServer, [...common, "--install-extension", vsix, "--force"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr || r.stdout}`);
      const list = spawnSync(codeServer, [...common, "--list-extensions", "--show-versions"], { encoding: "utf8" });
      if (!/stablestack\.stablestack@/.test(list.stdout)) throw new Error(`not listed: ${list.stdout}`);
    });
    if (!installed) return;

    setUserSettings(userData, {});
    session = await openSession({ scratch, common, folder: workspace, trusted: true, logName: "code-server.log" });
    page = session.page;

    let pyDiag = false;
    let jsDiag = false;
    pyDiag = await testCase("Python: squiggle, Problems entry and hover", async () => {
      await openFile("app.py");
      await waitForDiagnostic("app.py", "Ln 6, Col 1");
      const box = await squiggles().first().boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = page.locator(".monaco-hover", { hasText: "no rate limiting" }).first();
      await hover.waitFor({ state: "visible", timeout: 15000 });
      await page.screenshot({ path: path.join(readmeShots, "squiggle-hover.png") });
      await page.mouse.move(5, 5);
    });

    await testCase("output channel shows the bundled server (StableStack: Show Output)", async () => {
      await runCommand("StableStack: Show Output");
      await waitFor("the StableStack log", async () => {
        // Only rendered lines are in the DOM and the server start line is the
        // first one, so scroll the output view to its top before reading.
        const view = page.locator(".panel .monaco-editor .view-lines").first();
        if (await view.count()) {
          await view.click({ timeout: 2000 }).catch(() => {});
          await page.keyboard.press("Control+Home");
        }
        const texts = await page.locator(".panel .monaco-editor .view-lines").allInnerTexts();
        return texts.some((t) => /\(from bundled\)/.test(t.replace(/\s+/g, " ")));
      }, 15000);
    });

    await testCase("StableStack: Restart Server starts a new server and diagnostics come back", async () => {
      await openFile("app.py");
      await runCommand("StableStack: Restart Server");
      await waitFor("a second server start in the extension log", () => countStarts(userData) >= 2, 20000);
      await waitFor("the squiggle after the restart", async () => (await squiggles().count()) > 0, 30000);
    });

    await testCase("settings change reaches the server without restart", async () => {
      if (!pyDiag) throw new Error("no diagnostic to watch");
      await openFile("app.py");
      setWorkspaceSettings({ "stablestack.severity": { RATE001: "error" } });
      await waitFor("the squiggle to turn into an error", async () => (await squiggles("squiggly-error").count()) > 0, 30000);
      setWorkspaceSettings({});
      await waitFor("the error squiggle to go back", async () => (await squiggles("squiggly-error").count()) === 0, 30000);
      await waitFor("a squiggle again", async () => (await squiggles().count()) > 0, 30000);
    });

    await testCase("Python: quick fix from the lightbulb menu, saved to disk", async () => {
      if (!pyDiag) throw new Error("no diagnostic to fix");
      await openFile("app.py");
      await applyQuickFix("app.py", "@rate_limit(requests=100, window=60)", "quick-fix-menu.png");
    });

    jsDiag = await testCase("JS: squiggle and Problems entry after é and 😀", async () => {
      await openFile("server.js");
      await waitForDiagnostic("server.js", "Ln 4, Col 26");
    });

    await testCase("JS: quick fix from the lightbulb menu, saved to disk", async () => {
      if (!jsDiag) throw new Error("no diagnostic to fix");
      await openFile("server.js");
      await applyQuickFix("server.js", "rateLimit({ requests: 100, window: 60 })", null);
    });

    await testCase("command palette: Add Rate Limiter Module to Project writes the module", async () => {
      await openFile("app.py");
      const module = path.join(workspace, "stablestack_rate_limiter.py");
      rmSync(module, { force: true });
      await runCommand("StableStack: Add Rate Limiter Module to Project");
      await waitFor("stablestack_rate_limiter.py on disk", () => existsSync(module), 20000);
      if (!/def rate_limit/.test(readFileSync(module, "utf8"))) throw new Error("module lacks def rate_limit");
    });

    await testCase("command palette: Add Rate Limiters to All Routes edits unopened files", async () => {
      const admin = path.join(workspace, "admin.py");
      await runCommand("StableStack: Add Rate Limiters to All Routes in Workspace");
      await new Promise((r) => setTimeout(r, 1000));
      await runCommand("File: Save All");
      await waitFor("admin.py saved with two limits", () => {
        const text = readFileSync(admin, "utf8");
        return (text.match(/@rate_limit\(requests=100, window=60\)/g) || []).length === 2;
      }, 20000);
    });
    console.error(`workspace after the run: ${readdirSync(workspace).sort().join(" ")}`);
    await session.close();
    session = undefined;

    await testCase("untrusted workspace: its stablestack.path is ignored, the bundled server runs", async () => {
      // A cloned repository must not be able to make the editor run a program of its
      // choosing: stablestack.path is a restricted configuration.
      const untrusted = path.join(scratch, "untrusted-workspace");
      cpSync(path.join(here, "..", "..", "test", "fixtures", "workspace"), untrusted, { recursive: true });
      const evil = path.join(scratch, "evil-was-run");
      const evilBin = path.join(scratch, "evil.sh");
      writeFileSync(evilBin, `#!/bin/sh\ntouch ${evil}\nexit 1\n`, { mode: 0o755 });
      mkdirSync(path.join(untrusted, ".vscode"), { recursive: true });
      writeFileSync(path.join(untrusted, ".vscode", "settings.json"), JSON.stringify({ "stablestack.path": evilBin }));
      setUserSettings(userData, { "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never" });
      session = await openSession({ scratch, common, folder: untrusted, trusted: false, logName: "code-server-untrusted.log" });
      page = session.page;
      await page.locator(".statusbar-item", { hasText: "Restricted Mode" }).first().waitFor({ timeout: 30000 });
      await openFile("app.py");
      await waitFor("a squiggle from the bundled server", async () => (await squiggles().count()) > 0);
      if (existsSync(evil)) throw new Error("the workspace's stablestack.path was executed");
      await page.screenshot({ path: path.join(shotDir, "untrusted.png") });
    });
  } finally {
    if (session) await session.close();
    if (process.env.KEEP_SCRATCH === "1") {
      console.error(`kept ${scratch}`);
    } else {
      try {
        rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch (err) {
        console.error(`could not remove ${scratch}: ${err.message}`);
      }
    }
  }
}

try {
  await main();
} catch (err) {
  report(false, "harness", err && err.stack ? err.stack : err);
}
process.exit(failures > 0 ? 1 : 0);
