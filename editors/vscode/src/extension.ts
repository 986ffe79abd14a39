// Entry point of the StableStack extension: starts `stablestack lsp` over stdio with
// vscode-languageclient and wires the commands and settings. All rule knowledge lives in the
// server; this file only decides which process to run and how to talk to it.
import * as fs from "node:fs";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { registerCommands } from "./commands";
import { bundledBinaryName, resolveServerCommand, ServerCommand } from "./serverCommand";
import { moduleLanguage } from "./serverCommand";
import { initializationOptions, RESTART_SETTING_KEYS, serverSettings } from "./settings";

/** Languages the server analyses; also the activation events in package.json. */
export const LANGUAGES = ["python", "javascript", "javascriptreact", "typescript", "typescriptreact"];

/**
 * Owns the one language client. Restarts replace the client object rather than calling
 * client.restart(), so a changed `stablestack.path` takes effect.
 */
class StableStack {
  private client: LanguageClient | undefined;
  /** Serialises start/stop so a restart racing a settings change never leaves two servers. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {}

  get current(): LanguageClient | undefined {
    return this.client;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  /** Sends the sanitized settings; the server re-analyses open documents on receipt. */
  async pushSettings(): Promise<void> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      return;
    }
    const settings = serverSettings(vscode.workspace.getConfiguration("stablestack"));
    this.output.info(`settings changed: ${JSON.stringify(settings)}`);
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { stablestack: settings },
    });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(step, step);
    return this.pending;
  }

  private serverCommand(): ServerCommand {
    const config = vscode.workspace.getConfiguration("stablestack");
    const bundledPath = this.context.asAbsolutePath(`bin/${bundledBinaryName(process.platform)}`);
    return resolveServerCommand({
      configuredPath: config.get<string>("path"),
      extraArgs: config.get<unknown[]>("args"),
      bundledPath,
      bundledExists: isFile(bundledPath),
    });
  }

  private async doStart(): Promise<void> {
    const cmd = this.serverCommand();
    this.output.info(`starting ${cmd.command} ${cmd.args.join(" ")} (from ${cmd.source})`);
    const serverOptions: ServerOptions = {
      command: cmd.command,
      args: cmd.args,
      transport: TransportKind.stdio,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.flatMap((language) => [
        { scheme: "file", language },
        { scheme: "untitled", language },
      ]),
      initializationOptions: () => initializationOptions(vscode.workspace.getConfiguration("stablestack")),
      outputChannel: this.output,
      traceOutputChannel: this.output,
      middleware: {
        executeCommand: async (command, args, next) => next(command, commandArguments(command, args)),
      },
    };
    // The id "stablestack" makes the client read `stablestack.trace.server` by itself.
    const client = new LanguageClient("stablestack", "StableStack", serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      const message = err instanceof Error ? err.message : String(err);
      this.output.error(`could not start ${cmd.command}: ${message}`);
      const openSettings = "Open Settings";
      const showOutput = "Show Output";
      void vscode.window
        .showErrorMessage(
          `StableStack: could not start the language server (${cmd.command}, from ${cmd.source}). ` +
            "Install the stablestack binary or set stablestack.path.",
          openSettings,
          showOutput,
        )
        .then((choice) => {
          if (choice === openSettings) {
            void vscode.commands.executeCommand("workbench.action.openSettings", "stablestack.path");
          } else if (choice === showOutput) {
            this.output.show();
          }
        });
      try {
        await client.dispose();
      } catch {
        // The process never came up; nothing to clean.
      }
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.dispose(5000);
      } catch (err) {
        this.output.warn(`stopping the server: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/**
 * Server commands invoked from the command palette arrive without arguments. The server
 * then writes the limiter module into its first workspace folder and guesses the language;
 * with an editor open we can say which folder and language are meant.
 */
function commandArguments(command: string, args: unknown[]): unknown[] {
  if (args.length > 0 || command !== "stablestack.addRateLimiter") {
    return args;
  }
  const target = addRateLimiterTarget(vscode.window.activeTextEditor?.document);
  return target ? [target] : args;
}

/** `{ lang, dir }` for stablestack.addRateLimiter, from the active document. */
function addRateLimiterTarget(doc: vscode.TextDocument | undefined): { lang: string; dir: string } | undefined {
  if (!doc) {
    return undefined;
  }
  const lang = moduleLanguage(doc.languageId);
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  if (!lang || !folder || folder.uri.scheme !== "file") {
    return undefined;
  }
  return { lang, dir: folder.uri.fsPath };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

let instance: StableStack | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("StableStack", { log: true });
  context.subscriptions.push(output);
  const stablestack = new StableStack(context, output);
  instance = stablestack;

  registerCommands(context, {
    restart: () => stablestack.restart(),
    showOutput: () => output.show(),
    isRunning: () => stablestack.current?.isRunning() ?? false,
  });

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (RESTART_SETTING_KEYS.some((k) => e.affectsConfiguration(`stablestack.${k}`))) {
        output.info("stablestack.path or stablestack.args changed: restarting the server");
        void stablestack.restart();
      } else if (e.affectsConfiguration("stablestack")) {
        void stablestack.pushSettings();
      }
    }),
    // A workspace that becomes trusted may now use its own stablestack.path.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void stablestack.restart()),
  );

  await stablestack.start();
}

export async function deactivate(): Promise<void> {
  await instance?.stop();
  instance = undefined;
}
