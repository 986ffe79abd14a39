// Which program the extension starts. Kept free of the vscode API so it can be unit tested
// with plain node: the caller passes in what it read from settings and the file system.

/** Where the server binary came from, shown in the output channel and error messages. */
export type ServerSource = "setting" | "bundled" | "PATH";

export interface ServerCommand {
  command: string;
  args: string[];
  source: ServerSource;
}

export interface ServerCommandInputs {
  /** `stablestack.path` as VS Code resolved it (workspace values are dropped when untrusted). */
  configuredPath: string | undefined;
  /** `stablestack.args`: extra arguments after `lsp`. */
  extraArgs: readonly unknown[] | undefined;
  /** Absolute path of the binary a platform-specific VSIX carries in `bin/`. */
  bundledPath: string;
  /** Whether `bundledPath` exists and is a file (the universal VSIX has none). */
  bundledExists: boolean;
}

/**
 * Resolves the command line: an explicit setting wins, then the binary shipped in a
 * platform-specific VSIX, then `stablestack` from PATH (universal VSIX, or a user who
 * installed the CLI with `go install`).
 */
export function resolveServerCommand(inputs: ServerCommandInputs): ServerCommand {
  const args = ["lsp", ...stringArgs(inputs.extraArgs)];
  const configured = (inputs.configuredPath ?? "").trim();
  if (configured !== "") {
    return { command: expandHome(configured), args, source: "setting" };
  }
  if (inputs.bundledExists) {
    return { command: inputs.bundledPath, args, source: "bundled" };
  }
  return { command: "stablestack", args, source: "PATH" };
}

/** Drops anything that is not a string: settings.json is hand-edited and may hold numbers. */
function stringArgs(extra: readonly unknown[] | undefined): string[] {
  if (!Array.isArray(extra)) {
    return [];
  }
  return extra.filter((a): a is string => typeof a === "string" && a !== "");
}

/** `~/bin/stablestack` is what people type into settings; spawn does not expand it. */
function expandHome(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  if (home && (p === "~" || p.startsWith("~/"))) {
    return home + p.slice(1);
  }
  return p;
}

/** The file name of the bundled binary for the running platform. */
export function bundledBinaryName(platform: string): string {
  return platform === "win32" ? "stablestack.exe" : "stablestack";
}

/**
 * The limiter module flavour for a VS Code language id: `stablestack.addRateLimiter`
 * writes `stablestack_rate_limiter.py` for "python" and `stablestack-rate-limiter.js` for
 * "node".
 */
export function moduleLanguage(languageId: string): "python" | "node" | undefined {
  if (languageId === "python") {
    return "python";
  }
  if (["javascript", "javascriptreact", "typescript", "typescriptreact"].includes(languageId)) {
    return "node";
  }
  return undefined;
}
