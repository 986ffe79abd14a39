-- End-to-end test of editors/nvim against the real `stablestack lsp`, run headless by
-- editors/nvim/test/run.sh (Neovim 0.7+). Each case appends "ok - nvim: ..." or
-- "not ok - nvim: ...: reason" to $EDITORS_RESULTS. Everything runs inside xpcall and ends
-- with :cquit, because an uncaught Lua error leaves headless 0.7 waiting forever.
--
-- Env: STABLESTACK_BIN, EDITORS_RESULTS, NVIM_PLUGIN_DIR (editors/nvim),
--      WORKSPACE (a scratch copy of editors/test/fixtures/workspace).
local bin = assert(os.getenv('STABLESTACK_BIN'), 'STABLESTACK_BIN unset')
local results_path = assert(os.getenv('EDITORS_RESULTS'), 'EDITORS_RESULTS unset')
local plugin_dir = assert(os.getenv('NVIM_PLUGIN_DIR'), 'NVIM_PLUGIN_DIR unset')
local workspace = assert(os.getenv('WORKSPACE'), 'WORKSPACE unset')
local timeout_ms = tonumber(os.getenv('EDITOR_TIMEOUT_MS') or '') or 20000

local failures = 0
local version = vim.version()
local label = string.format('nvim %d.%d', version.major, version.minor)

local function report(ok, name, detail)
  local f = assert(io.open(results_path, 'a'))
  if ok then
    f:write(string.format('ok - %s: %s\n', label, name))
  else
    failures = failures + 1
    detail = tostring(detail or ''):gsub('\n', ' | ')
    f:write(string.format('not ok - %s: %s: %s\n', label, name, detail))
  end
  f:close()
end

--- Runs one case; a failing case is reported and the next one still runs.
local function case(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok and os.getenv('E2E_DEBUG') == nil then
    -- The first line names the failing assertion with its file:line; the traceback is
    -- only noise in the summary (set E2E_DEBUG=1 to keep it).
    err = tostring(err):match('^[^\n]*')
  end
  report(ok, name, err)
  return ok
end

local function wait_for(what, cond, ms)
  if not vim.wait(ms or timeout_ms, cond, 50) then
    error('timed out waiting for ' .. what, 2)
  end
end

local function read_file(path)
  local f = assert(io.open(path, 'rb'))
  local s = f:read('*a')
  f:close()
  return s
end

--- UTF-16 code units in a UTF-8 string: what an LSP `character` counts by default.
local function utf16_len(s)
  local n, i = 0, 1
  while i <= #s do
    local c = s:byte(i)
    local len = c < 0x80 and 1 or c < 0xE0 and 2 or c < 0xF0 and 3 or 4
    n = n + (len == 4 and 2 or 1)
    i = i + len
  end
  return n
end

-- The raw publishDiagnostics params per URI, to check the wire columns next to Neovim's.
local raw = {}
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result then
    raw[result.uri] = result.diagnostics
  end
  return publish(err, result, ctx, config)
end

local exits = {}
local stablestack

local function rate001(bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'RATE001' then
      return d
    end
  end
  return nil
end

local function raw_rate001(bufnr)
  for _, d in ipairs(raw[vim.uri_from_bufnr(bufnr)] or {}) do
    if d.code == 'RATE001' then
      return d
    end
  end
  return nil
end

local function open(name)
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/' .. name))
  local bufnr = vim.api.nvim_get_current_buf()
  wait_for('the server to attach to ' .. name, function()
    return #vim.lsp.buf_get_clients(bufnr) > 0
  end)
  return bufnr
end

--- Checks the flagged range sits on the route call, counted in UTF-16 on the wire.
local function check_diagnostic(bufnr, expect_line, expect_prefixes)
  wait_for('RATE001 on ' .. vim.api.nvim_buf_get_name(bufnr), function()
    return rate001(bufnr) ~= nil
  end)
  local d = rate001(bufnr)
  assert(d.source == 'stablestack', 'source is ' .. tostring(d.source))
  assert(d.message:find('POST /login has no rate limiting', 1, true), 'message: ' .. d.message)
  assert(d.lnum == expect_line, string.format('diagnostic on line %d, want %d', d.lnum, expect_line))
  local line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, true)[1]
  local covered = line:sub(d.col + 1, (d.end_lnum == d.lnum) and d.end_col or #line)
  local starts_ok = false
  for _, p in ipairs(expect_prefixes) do
    if covered:sub(1, #p) == p then
      starts_ok = true
    end
  end
  assert(starts_ok, string.format('range covers %q (byte col %d): not the route', covered, d.col))
  assert(#covered > 0, 'empty range')
  local w = raw_rate001(bufnr)
  assert(w, 'no raw RATE001 seen on the wire')
  local want = utf16_len(line:sub(1, d.col))
  assert(
    w.range.start.character == want,
    string.format('wire start character %d, want %d UTF-16 units', w.range.start.character, want)
  )
  return d, line
end

local function pick_quick_fix(bufnr, d, expect_text)
  local offered = {}
  local picked = false
  vim.ui.select = function(items, opts, on_choice)
    for i, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(offered, title)
      if not picked and title:find('^Add rate limit') then
        picked = true
        on_choice(item, i)
        return
      end
    end
    on_choice(nil, nil)
  end
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  vim.lsp.buf.code_action()
  local ok = vim.wait(timeout_ms, function()
    local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n')
    return text:find(expect_text, 1, true) ~= nil
  end, 50)
  if not ok then
    error(string.format(
      'no edit with %q applied; "Add rate limit" offered: %s; actions offered: [%s]',
      expect_text,
      tostring(picked),
      table.concat(offered, '; ')
    ))
  end
  vim.cmd('write')
  local path = vim.api.nvim_buf_get_name(bufnr)
  local disk = read_file(path)
  assert(disk:find(expect_text, 1, true), 'saved file lacks ' .. expect_text .. ':\n' .. disk)
  wait_for('RATE001 to clear after the fix', function()
    return rate001(bufnr) == nil
  end)
end

local function main()
  vim.cmd('filetype on')
  vim.opt.runtimepath:prepend(plugin_dir)
  vim.o.swapfile = false
  vim.o.shortmess = vim.o.shortmess .. 'A'

  case('lsp/stablestack.lua has the 0.11 config shape', function()
    local cfg = dofile(plugin_dir .. '/lsp/stablestack.lua')
    assert(cfg.cmd[1] == 'stablestack' and cfg.cmd[2] == 'lsp', 'cmd')
    for _, ft in ipairs({ 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact' }) do
      assert(vim.tbl_contains(cfg.filetypes, ft), 'filetype ' .. ft)
    end
    assert(vim.tbl_contains(cfg.root_markers, 'pyproject.toml'), 'root marker pyproject.toml')
    assert(vim.tbl_contains(cfg.root_markers, 'package.json'), 'root marker package.json')
    local params = {}
    cfg.before_init(params, { settings = { stablestack = { requests = 5 } } })
    assert(params.initializationOptions.stablestack.requests == 5, 'before_init copies settings')
  end)

  stablestack = require('stablestack')
  stablestack.setup({
    cmd = { bin, 'lsp' },
    on_exit = function(code, signal, client_id)
      table.insert(exits, { code = code, signal = signal, id = client_id })
    end,
  })

  local js, js_diag
  case('JS diagnostics at UTF-16 columns after é and 😀', function()
    js = open('server.js')
    js_diag = check_diagnostic(js, 3, { 'app.post', 'post', '"/login"' })
    local line = vim.api.nvim_buf_get_lines(js, 3, 4, true)[1]
    assert(line:sub(1, js_diag.col):find('😀', 1, true), 'the flagged code must follow the emoji')
  end)

  case('JS quick fix applies, file is written, diagnostic clears', function()
    assert(js_diag, 'no diagnostic to fix')
    pick_quick_fix(js, js_diag, 'rateLimit({ requests: 100, window: 60 })')
  end)

  local py, py_diag
  case('Python diagnostics', function()
    py = open('app.py')
    py_diag = check_diagnostic(py, 5, { '@app.post', 'app.post', 'post', '"/login"' })
  end)

  case('settings change reaches the server without restart', function()
    assert(py_diag, 'no diagnostic to watch')
    stablestack.update_settings({ severity = { RATE001 = 'error' } })
    wait_for('RATE001 to become an error', function()
      local d = rate001(py)
      return d ~= nil and d.severity == vim.diagnostic.severity.ERROR
    end)
    stablestack.update_settings({ severity = { RATE001 = 'hint' } })
    wait_for('RATE001 to become a hint', function()
      local d = rate001(py)
      return d ~= nil and d.severity == vim.diagnostic.severity.HINT
    end)
    stablestack.update_settings({})
  end)

  case('Python quick fix applies, file is written, diagnostic clears', function()
    assert(py_diag, 'no diagnostic to fix')
    py_diag = rate001(py) or py_diag
    pick_quick_fix(py, py_diag, '@rate_limit(requests=100, window=60)')
  end)

  case(':StableStackAddRateLimiter writes the Node module into the project', function()
    assert(js, 'no JS buffer')
    vim.api.nvim_set_current_buf(js)
    local module = workspace .. '/stablestack-rate-limiter.js'
    os.remove(module)
    vim.cmd('StableStackAddRateLimiter')
    wait_for(module .. ' on disk', function()
      return vim.loop.fs_stat(module) ~= nil
    end)
  end)

  case('one server per project root, and it exits 0', function()
    local clients = stablestack.clients()
    assert(#clients == 1, string.format('%d clients for one root', #clients))
    local id = clients[1].id
    vim.lsp.stop_client(id)
    wait_for('the server to exit within 10 s of shutdown + exit', function()
      return #exits > 0
    end, 10000)
    assert(exits[1].id == id, 'exit of another client')
    assert(exits[1].code == 0 and exits[1].signal == 0,
      string.format('exit code %s, signal %s', tostring(exits[1].code), tostring(exits[1].signal)))
  end)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  report(false, 'harness', err)
end
vim.cmd('cquit ' .. (failures > 0 and 1 or 0))
