-- StableStack language server client for Neovim 0.7-0.10 (0.11+ can use lsp/stablestack.lua
-- with vim.lsp.enable instead; this module works there too).
--
--   require('stablestack').setup({
--     cmd = { 'stablestack', 'lsp' },            -- optional
--     settings = { stablestack = { requests = 100, window = 60 } },
--     on_attach = function(client, bufnr) end,  -- optional
--   })
--
-- 0.8+ starts servers with vim.lsp.start, which reuses a client per (name, root_dir).
-- 0.7 has no vim.lsp.start, so this module keeps one client per root itself and attaches
-- buffers with vim.lsp.buf_attach_client. Settings go to the server both as
-- initializationOptions and, once initialized, as workspace/didChangeConfiguration, because
-- 0.7 does not send the latter on its own (see :h vim.lsp.start_client).
local M = {}

M.name = 'stablestack'

M.default_config = {
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
  settings = { stablestack = {} },
}

-- The merged config from the last setup() call.
M.config = nil

-- 0.7 only: root_dir -> client id, so two buffers of one project share a server.
local clients_by_root = {}

local uv = vim.loop

-- 0.11 turned client.notify/request/stop into methods and deprecated the dot calls.
local has_methods = vim.fn.has('nvim-0.11') == 1

local function client_call(client, fn, ...)
  if has_methods then
    return client[fn](client, ...)
  end
  return client[fn](...)
end

--- vim.lsp.get_active_clients and buf_get_clients are deprecated from 0.10 on.
local function lsp_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
  end
  local out = {}
  local all = bufnr and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_active_clients()
  for _, client in pairs(all) do
    if client.name == M.name then
      table.insert(out, client)
    end
  end
  return out
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ':h')
end

--- Walks up from `path` to the first directory holding one of `markers`. vim.fs.root is
--- 0.10+ and vim.fs.find 0.8+, so this is done by hand for 0.7.
function M.find_root(path, markers)
  local dir = dirname(path)
  while dir and dir ~= '' do
    for _, marker in ipairs(markers) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

local function server_settings(config)
  return (config.settings and config.settings.stablestack) or {}
end

--- The table handed to vim.lsp.start / vim.lsp.start_client for one root.
local function client_config(config, root_dir)
  local settings = config.settings or { stablestack = {} }
  return {
    name = M.name,
    cmd = config.cmd,
    root_dir = root_dir,
    workspace_folders = {
      { uri = vim.uri_from_fname(root_dir), name = vim.fn.fnamemodify(root_dir, ':t') },
    },
    settings = settings,
    init_options = { stablestack = server_settings(config) },
    capabilities = config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = config.on_attach,
    on_exit = function(code, signal, client_id)
      for root, id in pairs(clients_by_root) do
        if id == client_id then
          clients_by_root[root] = nil
        end
      end
      if config.on_exit then
        config.on_exit(code, signal, client_id)
      end
    end,
    on_init = function(client)
      client_call(client, 'notify', 'workspace/didChangeConfiguration', { settings = client.config.settings })
      if config.on_init then
        config.on_init(client)
      end
    end,
  }
end

local function is_file_buffer(bufnr)
  return vim.api.nvim_buf_get_option(bufnr, 'buftype') == '' and vim.api.nvim_buf_get_name(bufnr) ~= ''
end

--- Starts (or reuses) the server for the buffer's project and attaches the buffer.
function M.attach(bufnr)
  local config = M.config or M.default_config
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not is_file_buffer(bufnr) then
    return nil
  end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(fname, config.root_markers) or dirname(fname)
  if vim.lsp.start then
    return vim.lsp.start(client_config(config, root), { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config(config, root))
    if not id then
      vim.notify('stablestack: could not start ' .. table.concat(config.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Running StableStack clients.
function M.clients()
  return lsp_clients(nil)
end

--- Replaces the server settings and pushes them to running servers without a restart.
function M.update_settings(stablestack_settings)
  local config = M.config or M.default_config
  config.settings = { stablestack = stablestack_settings or {} }
  for _, client in ipairs(M.clients()) do
    client.config.settings = config.settings
    client_call(client, 'notify', 'workspace/didChangeConfiguration', { settings = config.settings })
  end
end

--- Runs a server command (workspace/executeCommand) on the current buffer's server.
function M.execute(command, arguments)
  local bufnr = vim.api.nvim_get_current_buf()
  for _, client in ipairs(lsp_clients(bufnr)) do
    client_call(client, 'request', 'workspace/executeCommand', { command = command, arguments = arguments }, nil, bufnr)
    return true
  end
  vim.notify('stablestack: no server attached to this buffer', vim.log.levels.WARN)
  return false
end

--- Argument of stablestack.addRateLimiter: the limiter module's language and the project
--- directory to write it into ({ lang = 'python'|'node', dir = root }).
local function module_arguments()
  local bufnr = vim.api.nvim_get_current_buf()
  local ft = vim.bo[bufnr].filetype
  local lang = ft == 'python' and 'python' or (vim.tbl_contains(M.default_config.filetypes, ft) and 'node' or nil)
  local config = M.config or M.default_config
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if not lang or fname == '' then
    return {}
  end
  return { { lang = lang, dir = M.find_root(fname, config.root_markers) or dirname(fname) } }
end

local function create_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd('StableStackAddRateLimiter', function()
    M.execute('stablestack.addRateLimiter', module_arguments())
  end, { desc = 'Write the rate limiter module into this project' })
  cmd('StableStackInstrumentWorkspace', function()
    M.execute('stablestack.instrumentWorkspace', {})
  end, { desc = 'Add rate limiters to every unprotected route in the workspace' })
  cmd('StableStackRestart', function()
    local bufs = {}
    for _, client in ipairs(M.clients()) do
      for b in pairs(client.attached_buffers or {}) do
        bufs[b] = true
      end
      client_call(client, 'stop')
    end
    clients_by_root = {}
    vim.defer_fn(function()
      for b in pairs(bufs) do
        if vim.api.nvim_buf_is_valid(b) then
          M.attach(b)
        end
      end
    end, 500)
  end, { desc = 'Restart the StableStack language server' })
end

--- Configures the client and attaches it to every buffer of a supported filetype, now and
--- when one is opened later.
function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.default_config), opts or {})
  -- Lists are replaced, not merged index by index.
  if opts and opts.cmd then
    M.config.cmd = opts.cmd
  end
  if opts and opts.filetypes then
    M.config.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    M.config.root_markers = opts.root_markers
  end

  local group = vim.api.nvim_create_augroup('stablestack', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  create_commands()

  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
