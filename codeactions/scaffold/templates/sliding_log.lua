-- stablestack exact sliding log, protocol version 2: the opt-in for small limits
-- (login, OTP) where the counter's estimate is not wanted. Same calling
-- convention and reply as sliding_window.lua (docs/limiter.md); the keys are
-- sorted sets and end in ":log", so they never meet the counter's hashes.
--
-- KEYS[i]  <prefix>:{<hash>}:<scope>:<limit>:<window_ms>:log, same hash tag.
-- ARGV[1]  cost; ARGV[2] "" in production (Redis TIME) or a test timestamp (ms);
-- ARGV[1+2i], ARGV[2+2i]  limit and window in milliseconds of KEYS[i].
--
-- A request at time s counts while now - s < window. Memory is one entry per
-- admitted unit, so keep limits small. Reply as the counter's: one status string
-- "allowed retry_after_ms remaining_1 reset_ms_1 ..." (decimal integers).

local cost = tonumber(ARGV[1])
local now
if ARGV[2] ~= nil and ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  if redis.replicate_commands then
    pcall(redis.replicate_commands)
  end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local n = #KEYS
local count, lim, win = {}, {}, {}
local allowed = 1
local retry = 0

for k = 1, n do
  local limit = tonumber(ARGV[1 + 2 * k])
  local w = tonumber(ARGV[2 + 2 * k])
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - w)
  local c = redis.call('ZCARD', KEYS[k])
  count[k], lim[k], win[k] = c, limit, w
  if c + cost > limit then
    allowed = 0
    local r = w -- a cost above the limit can never pass
    if cost <= limit then
      -- The (c+cost-limit)-th oldest entry must leave the window first.
      local e = redis.call('ZRANGE', KEYS[k], c + cost - limit - 1, c + cost - limit - 1, 'WITHSCORES')
      r = tonumber(e[2]) + w - now
    end
    if r > retry then retry = r end
  end
end

local out = {string.format('%d %d', allowed, retry)}
for k = 1, n do
  local c = count[k]
  if allowed == 1 and cost > 0 then
    for j = 0, cost - 1 do
      -- Unique per key: entries of this millisecond are never pruned, so the
      -- live count keeps growing while now stays the same.
      redis.call('ZADD', KEYS[k], now, now .. '-' .. (c + j))
    end
    c = c + cost
    redis.call('PEXPIRE', KEYS[k], win[k])
  end
  local reset = 0
  if c > 0 then
    local newest = redis.call('ZRANGE', KEYS[k], -1, -1, 'WITHSCORES')
    reset = tonumber(newest[2]) + win[k] - now
  end
  local rem = lim[k] - c
  if rem < 0 then rem = 0 end -- the limit was lowered while entries were live
  out[k + 1] = string.format('%d %d', rem, reset)
end
return redis.status_reply(table.concat(out, ' '))
