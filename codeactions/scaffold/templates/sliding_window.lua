-- stablestack sliding window counter, protocol version 1. The one canonical script:
-- every language's module embeds this file unchanged (docs/limiter.md).
--
-- KEYS[i]  policy keys of ONE identity: <prefix>:{<hash>}:<policy>, same hash tag.
-- ARGV[1]  cost (integer >= 0) charged to every policy if and only if all admit it.
-- ARGV[2]  "" in production (the clock is Redis TIME); a decimal millisecond
--          timestamp only in the golden-vector tests.
-- ARGV[1+2i], ARGV[2+2i]  limit and window in milliseconds of KEYS[i].
--
-- Each key is a hash {i = window index, c = count in window i, p = count in i-1}.
-- The first write in a window sets the whole hash and PEXPIREs the key to two
-- windows; later writes in that window only HINCRBY c.
-- The estimate at elapsed e (ms into window i) is p*(w-e)/w + c, compared in
-- integers: p*(w-e) + (c+cost)*w <= limit*w (exact while limit*w < 2^53).
--
-- Reply: {allowed (1/0), retry_after_ms, remaining_1, reset_ms_1, ...}.
-- retry_after_ms is 0 when allowed, otherwise the exact wait until this request
-- would be admitted by every policy; reset_ms is the wait until the policy's
-- estimate drops to zero (its quota is fully restored).

local cost = tonumber(ARGV[1])
local now
if ARGV[2] ~= nil and ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  -- Redis < 5 replicates scripts verbatim unless told to replicate effects,
  -- which a script reading TIME must do before it writes.
  if redis.replicate_commands then
    pcall(redis.replicate_commands)
  end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local n = #KEYS
local idx, elapsed, cur, prev, lim, win, fresh = {}, {}, {}, {}, {}, {}, {}
local allowed = 1
local retry = 0

for k = 1, n do
  local limit = tonumber(ARGV[1 + 2 * k])
  local w = tonumber(ARGV[2 + 2 * k])
  local i = math.floor(now / w)
  local e = now - i * w
  local s = redis.call('HMGET', KEYS[k], 'i', 'c', 'p')
  local si = tonumber(s[1])
  local c, p = 0, 0
  if si == i then
    c = tonumber(s[2]) or 0
    p = tonumber(s[3]) or 0
  elseif si == i - 1 then
    p = tonumber(s[2]) or 0
  end
  idx[k], elapsed[k], cur[k], prev[k], lim[k], win[k] = i, e, c, p, limit, w
  fresh[k] = si ~= i

  if p * (w - e) + (c + cost) * w > limit * w then
    allowed = 0
    local r
    if cost > limit then
      r = w -- can never pass; report one window
    elseif limit - c - cost >= 0 then
      -- Passes later in this window once the previous window's weight decays.
      r = w - math.floor((limit - c - cost) * w / p) - e
    else
      -- Needs the next window, where this window's count becomes the previous one.
      local e2 = w - math.floor((limit - cost) * w / c)
      if e2 < 0 then e2 = 0 end
      r = (w - e) + e2
    end
    if r > retry then retry = r end
  end
end

local out = {allowed, retry}
for k = 1, n do
  local w, e, p = win[k], elapsed[k], prev[k]
  local c = cur[k]
  if allowed == 1 then
    c = c + cost
    if cost > 0 then
      if fresh[k] then
        -- First write in this window: the key must outlive the next window,
        -- when this count is still read as the previous one; t + 2w does.
        redis.call('HSET', KEYS[k], 'i', idx[k], 'c', c, 'p', p)
        redis.call('PEXPIRE', KEYS[k], 2 * w)
      else
        redis.call('HINCRBY', KEYS[k], 'c', cost)
      end
    end
  end
  local rem = math.floor((lim[k] * w - p * (w - e) - c * w) / w)
  if rem < 0 then rem = 0 end
  local reset = 0
  if c > 0 then
    reset = 2 * w - e
  elseif p > 0 then
    reset = w - e
  end
  out[3 + 2 * (k - 1)] = rem
  out[4 + 2 * (k - 1)] = reset
end
return out
