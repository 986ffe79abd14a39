-- StableStack language server config for Neovim 0.11+:
--
--   vim.lsp.enable('stablestack')
--
-- Override any field with vim.lsp.config('stablestack', { ... }), e.g. settings:
--
--   vim.lsp.config('stablestack', {
--     settings = { stablestack = { requests = 50, window = 60, severity = { RATE001 = 'error' } } },
--   })
--
-- The server reads the same settings object at start (initializationOptions) and on change
-- (workspace/didChangeConfiguration); before_init copies `settings.stablestack` into the
-- former so users only write it once. For Neovim 0.7-0.10 use require('stablestack').setup().
return {
  cmd = { 'stablestack', 'lsp' },
  filetypes = { 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact' },
  root_markers = {
    'pyproject.toml',
    'setup.py',
    'setup.cfg',
    'requirements.txt',
    'manage.py',
    'package.json',
    'tsconfig.json',
    'jsconfig.json',
    '.git',
  },
  settings = { stablestack = vim.empty_dict() },
  before_init = function(params, config)
    local settings = config.settings and config.settings.stablestack or vim.empty_dict()
    params.initializationOptions = { stablestack = settings }
  end,
}
