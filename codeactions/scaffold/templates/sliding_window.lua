-- stablestack sliding window counter, protocol version 2. The one canonical script:
-- every language's module embeds this file unchanged (docs/limiter.md).
--
-- KEYS[i]  policy keys of ONE identity: <prefix>:{<hash>}:<policy>, same hash tag.
-- ARGV[1]  cost (integer >= 0) charged to every policy if and only if all admit it.
-- ARGV[2]  "" in production (the clock is Redis TIME); a decimal millisecond
--          timestamp only in the golden-vector tests.
-- ARGV[1+2i], ARGV[2+2i]  limit and window in milliseconds of KEYS[i].
--
-- Batch form (optional, standalone Redis only): a trailing ARGV m >= 1 after the n
-- policies checks m identities with the same policies and cost, in order, at one
-- TIME: KEYS[(j-1)*n+1 .. j*n] are the keys of check j. Each check is decided and
-- charged exactly as if it were its own call, so two checks of one identity in a
-- batch count twice. The reply is the m single replies joined by spaces.
--
-- Each key is a hash {i = window index, c = count in window i, p = count in i-1}.
-- The first write in a window sets the whole hash and PEXPIREs the key to two
-- windows; later writes in that window only HINCRBY c.
-- The estimate at elapsed e (ms into window i) is p*(w-e)/w + c, compared in
-- integers: p*(w-e) + (c+cost)*w <= limit*w (exact while limit*w < 2^53).
--
-- Reply: ONE status string of decimal integers separated by single spaces,
-- "allowed retry_after_ms remaining_1 reset_ms_1 ...", allowed being 1 or 0.
-- (Protocol 1 replied with an array of those integers; clients parse one string
-- faster than 2+2n integer replies. Keys, data and arguments are unchanged, so
-- protocol 1 and 2 modules share counters.) retry_after_ms is 0 when allowed, otherwise the exact wait until this request
-- would be admitted by every policy; reset_ms is the wait until the policy's
-- estimate drops to zero (its quota is fully restored).
--
-- Speed (docs/limiter.md, "Tests and benchmark"): Redis calls dominate the cost, so
-- a check makes one HMGET per policy and, when admitted, one HINCRBY (HSET and
-- PEXPIRE on a window's first write); TIME is read once per call. A single policy
-- (the common case) keeps its state in locals instead of tables.

local floor = math.floor
local cost = tonumber(ARGV[1])
local now
if ARGV[2] ~= nil and ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  -- Redis < 5 replicates scripts verbatim unless told to replicate effects,
  -- which a script reading TIME must do before it writes. Redis 7 (the first
  -- with REDIS_VERSION_NUM) only replicates effects; the call is skipped there.
  if redis.replicate_commands and not redis.REDIS_VERSION_NUM then
    pcall(redis.replicate_commands)
  end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + floor(tonumber(t[2]) / 1000)
end

-- n policies per check, m checks (1 unless the batch argument is there).
local n, m = #KEYS, 1
local nargs = #ARGV
if nargs ~= 2 + 2 * n then
  n = (nargs - 3) / 2
  m = tonumber(ARGV[nargs])
  if n < 1 or n % 1 ~= 0 or m == nil or n * m ~= #KEYS then
    return redis.error_reply('stablestack: ' .. #KEYS .. ' keys do not match ' .. nargs .. ' arguments')
  end
end

local out = {}
local o = 0

if n == 1 then
  -- One policy, the common case: the steps of the helpers below, inlined (closures
  -- and calls cost as much as a Redis call here). The vectors pin both paths.
  local limit = tonumber(ARGV[3])
  local w = tonumber(ARGV[4])
  local i = floor(now / w)
  local e = now - i * w
  for j = 1, m do
    local key = KEYS[j]
    local s = redis.call('HMGET', key, 'i', 'c', 'p')
    local si = tonumber(s[1])
    local c, p = 0, 0
    if si == i then
      c = tonumber(s[2]) or 0
      p = tonumber(s[3]) or 0
    elseif si == i - 1 then
      p = tonumber(s[2]) or 0
    end
    local allowed, retry = 1, 0
    if p * (w - e) + (c + cost) * w > limit * w then
      allowed = 0
      if cost > limit then
        retry = w
      elseif limit - c - cost >= 0 then
        retry = w - floor((limit - c - cost) * w / p) - e
      else
        local e2 = w - floor((limit - cost) * w / c)
        if e2 < 0 then e2 = 0 end
        retry = (w - e) + e2
      end
    elseif cost > 0 then
      c = c + cost
      if si ~= i then
        redis.call('HSET', key, 'i', i, 'c', c, 'p', p)
        redis.call('PEXPIRE', key, 2 * w)
      else
        redis.call('HINCRBY', key, 'c', cost)
      end
    end
    local rem = floor((limit * w - p * (w - e) - c * w) / w)
    if rem < 0 then rem = 0 end
    local reset = 0
    if c > 0 then
      reset = 2 * w - e
    elseif p > 0 then
      reset = w - e
    end
    -- %d: exact for any integer below 2^53 (tostring would switch to 1e+14 style).
    local r = string.format('%d %d %d %d', allowed, retry, rem, reset)
    if m == 1 then return redis.status_reply(r) end
    o = o + 1
    out[o] = r
  end
  return redis.status_reply(table.concat(out, ' '))
end

-- The counts (c, p) a key holds for window i, and whether window i has no write yet.
local function counts(key, i)
  local s = redis.call('HMGET', key, 'i', 'c', 'p')
  local si = tonumber(s[1])
  if si == i then
    return tonumber(s[2]) or 0, tonumber(s[3]) or 0, false
  elseif si == i - 1 then
    return 0, tonumber(s[2]) or 0, true
  end
  return 0, 0, true
end

-- The wait (ms) until the cost fits a policy that refuses it now.
local function wait(limit, w, e, c, p)
  if cost > limit then
    return w -- can never pass; report one window
  elseif limit - c - cost >= 0 then
    -- Passes later in this window once the previous window's weight decays.
    return w - floor((limit - c - cost) * w / p) - e
  end
  -- Needs the next window, where this window's count becomes the previous one.
  local e2 = w - floor((limit - cost) * w / c)
  if e2 < 0 then e2 = 0 end
  return (w - e) + e2
end

-- Charges an admitted cost (c already includes it).
local function charge(key, fresh, i, w, c, p)
  if fresh then
    -- First write in this window: the key must outlive the next window,
    -- when this count is still read as the previous one; t + 2w does.
    redis.call('HSET', key, 'i', i, 'c', c, 'p', p)
    redis.call('PEXPIRE', key, 2 * w)
  else
    redis.call('HINCRBY', key, 'c', cost)
  end
end

-- Remaining requests of cost 1 and the wait until the estimate is zero.
local function report(limit, w, e, c, p)
  local rem = floor((limit * w - p * (w - e) - c * w) / w)
  if rem < 0 then rem = 0 end
  local reset = 0
  if c > 0 then
    reset = 2 * w - e
  elseif p > 0 then
    reset = w - e
  end
  return rem, reset
end

local lim, win, idx, elapsed = {}, {}, {}, {}
for k = 1, n do
  lim[k] = tonumber(ARGV[1 + 2 * k])
  win[k] = tonumber(ARGV[2 + 2 * k])
  idx[k] = floor(now / win[k])
  elapsed[k] = now - idx[k] * win[k]
end
local cur, prev, fresh = {}, {}, {}
for j = 1, m do
  local base = (j - 1) * n
  local allowed, retry = 1, 0
  for k = 1, n do
    local limit, w, e = lim[k], win[k], elapsed[k]
    local c, p, f = counts(KEYS[base + k], idx[k])
    cur[k], prev[k], fresh[k] = c, p, f
    if p * (w - e) + (c + cost) * w > limit * w then
      allowed = 0
      local r = wait(limit, w, e, c, p)
      if r > retry then retry = r end
    end
  end
  o = o + 1
  out[o] = string.format('%d %d', allowed, retry)
  for k = 1, n do
    local c = cur[k]
    if allowed == 1 and cost > 0 then
      c = c + cost
      charge(KEYS[base + k], fresh[k], idx[k], win[k], c, prev[k])
    end
    o = o + 1
    out[o] = string.format('%d %d', report(lim[k], win[k], elapsed[k], c, prev[k]))
  end
end
return redis.status_reply(table.concat(out, ' '))
