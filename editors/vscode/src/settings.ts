// The settings the server reads. The server accepts them in initializationOptions and in
// workspace/didChangeConfiguration, both under the key `stablestack`; this module builds the
// object once so the two paths cannot drift apart.

/** Keys of the `stablestack` section that the server understands. */
export const SERVER_SETTING_KEYS = ["requests", "window", "severity", "rules"] as const;

/** Keys that change the process itself: a change restarts the server instead of notifying it. */
export const RESTART_SETTING_KEYS = ["path", "args"] as const;

export interface ServerSettings {
  requests?: number;
  window?: number;
  severity?: Record<string, string>;
  rules?: Record<string, boolean>;
}

/** Minimal view of vscode.WorkspaceConfiguration, so this stays testable without VS Code. */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

/** Builds `{ requests, window, severity, rules }` from the `stablestack` configuration section. */
export function serverSettings(config: SettingsReader): ServerSettings {
  const out: ServerSettings = {};
  const requests = config.get<number>("requests");
  if (typeof requests === "number" && Number.isInteger(requests) && requests > 0) {
    out.requests = requests;
  }
  const window = config.get<number>("window");
  if (typeof window === "number" && Number.isInteger(window) && window > 0) {
    out.window = window;
  }
  const severity = config.get<Record<string, unknown>>("severity");
  if (isPlainObject(severity)) {
    out.severity = pick(severity, (v): v is string => typeof v === "string");
  }
  const rules = config.get<Record<string, unknown>>("rules");
  if (isPlainObject(rules)) {
    out.rules = pick(rules, (v): v is boolean => typeof v === "boolean");
  }
  return out;
}

/** The initializationOptions payload: the settings under the `stablestack` key. */
export function initializationOptions(config: SettingsReader): { stablestack: ServerSettings } {
  return { stablestack: serverSettings(config) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pick<T>(obj: Record<string, unknown>, keep: (v: unknown) => v is T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (keep(v)) {
      out[k] = v;
    }
  }
  return out;
}
