// Client-side commands. `stablestack.addRateLimiter` and `stablestack.instrumentWorkspace`
// are NOT registered here: the server announces them in executeCommandProvider and
// vscode-languageclient registers them while the server runs (registering them here too
// would make that registration fail with "command already exists").
import * as vscode from "vscode";

export interface CommandHooks {
  restart(): Promise<void>;
  showOutput(): void;
  isRunning(): boolean;
}

export function registerCommands(context: vscode.ExtensionContext, hooks: CommandHooks): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("stablestack.restartServer", async () => {
      await hooks.restart();
      if (hooks.isRunning()) {
        void vscode.window.setStatusBarMessage("StableStack: server restarted", 3000);
      }
    }),
    vscode.commands.registerCommand("stablestack.showOutput", () => hooks.showOutput()),
  );
}
