/**
 * The Lua script behind the Redis store: every algorithm of `src/algorithms/`, written again
 * for Redis so that one EVALSHA decides for all of a limiter's policies atomically, with the
 * time taken from the Redis server. Each function mirrors its TypeScript twin line by line;
 * the conformance suite and the property tests hold both to the same answers.
 *
 * KEYS[1]: the key's hash. ARGV: operation (c consume, p peek, r refund, b block, x reset),
 * amount (cost or block duration), policy count, then per policy: algorithm, limit, window,
 * burst, state slots; last, only in ARM's own parity tests, a time to use instead of the
 * server's. Hash fields: `b` blocked-until, `1`..`n` the policies' state.
 * Reply: { consumed, blockedMs, then per policy: allowed, remaining, resetMs, retryAfterMs }.
 */
export const RATE_LIMIT_SCRIPT = `
local function fmt(x) return string.format('%.17g', x) end
local function ceil(x) return math.ceil(x - 1e-9) end

local function fixed(p, s, now, cost)
  local start, count = now, 0
  if s[1] and now < s[1] + p.window then start, count = s[1], s[2] end
  local reset = math.max(0, ceil(start + p.window - now))
  local ok = count + cost <= p.limit
  local used = count
  if ok then used = count + cost end
  local retry = 0
  if not ok then retry = math.max(1, reset) end
  return { start, used }, ok, p.limit - used, reset, retry, start + p.window
end

local function sliding(p, s, now, cost)
  local w = p.window
  local start = math.floor(now / w) * w
  local cur, prev = 0, 0
  if s[1] == start then cur, prev = s[2], s[3] elseif s[1] == start - w then prev = s[2] end
  local elapsed = now - start
  local used = prev * (1 - elapsed / w) + cur
  local ok = used + cost <= p.limit + 1e-9
  local after, usedAfter = cur, used
  if ok then after, usedAfter = cur + cost, used + cost end
  local resetAt = now
  if after > 0 then resetAt = start + 2 * w elseif prev > 0 then resetAt = start + w end
  local reset = math.max(0, ceil(resetAt - now))
  local retry = 0
  if not ok then
    local room = p.limit - cost - cur
    if cost > p.limit then
      retry = reset
    elseif room >= 0 and prev > 0 then
      retry = w * (1 - room / prev) - elapsed
    else
      local nxt = 0
      if cur > p.limit - cost then nxt = w * (1 - (p.limit - cost) / cur) end
      retry = w - elapsed + nxt
    end
    retry = math.max(1, ceil(retry))
  end
  return { start, after, prev }, ok, math.max(0, math.floor(p.limit - usedAfter + 1e-9)), reset, retry, start + 2 * w
end

local function bucket(p, s, now, cost)
  local rate = p.limit / p.window
  local tokens = p.burst
  if s[1] then tokens = math.min(p.burst, s[1] + math.max(0, now - s[2]) * rate) end
  local ok = tokens + 1e-9 >= cost
  local left = tokens
  if ok then left = tokens - cost end
  local reset = math.max(0, ceil((p.burst - left) / rate))
  local retry = 0
  if not ok then retry = math.max(1, ceil((cost - tokens) / rate)) end
  return { left, now }, ok, math.max(0, math.floor(left + 1e-9)), reset, retry, now + reset
end

local function gcra(p, s, now, cost)
  local interval = p.window / p.limit
  local tolerance = p.burst * interval
  local ahead = 0
  if s[1] then ahead = math.max(0, s[1] - now + s[2]) end
  local nxt = ahead + cost * interval
  local ok = nxt <= tolerance * (1 + 1e-12)
  local kept = ahead
  if ok then kept = nxt end
  local retry = 0
  if not ok then retry = math.max(1, ceil(nxt - tolerance)) end
  return { now, kept }, ok, math.max(0, math.floor((tolerance - kept) / interval + 1e-9)),
    math.max(0, ceil(kept)), retry, now + kept
end

local function refund(p, s, now, amount)
  if not s[1] then return nil end
  if p.alg == 'fixed-window' then
    if now >= s[1] + p.window then return nil end
    return { s[1], math.max(0, s[2] - amount) }
  elseif p.alg == 'sliding-window' then
    local start = math.floor(now / p.window) * p.window
    local cur, prev = 0, 0
    if s[1] == start then cur, prev = s[2], s[3] elseif s[1] == start - p.window then prev = s[2] end
    if cur == 0 and prev == 0 then return nil end
    return { start, math.max(0, cur - amount), prev }
  elseif p.alg == 'token-bucket' then
    local rate = p.limit / p.window
    local tokens = math.min(p.burst, math.min(p.burst, s[1] + math.max(0, now - s[2]) * rate) + amount)
    if tokens >= p.burst then return nil end
    return { tokens, now }
  else
    local ahead = math.max(0, s[1] - now + s[2]) - amount * (p.window / p.limit)
    if ahead <= 0 then return nil end
    return { now, ahead }
  end
end

local steps = { ['fixed-window'] = fixed, ['sliding-window'] = sliding, ['token-bucket'] = bucket, gcra = gcra }

local key = KEYS[1]
local op = ARGV[1]
local amount = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local now = tonumber(ARGV[4 + n * 5])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

if op == 'x' then
  redis.call('DEL', key)
  return { 0, 0 }
end

local policies, fields, total = {}, { 'b' }, 0
for i = 1, n do
  local at = 3 + (i - 1) * 5
  local p = { alg = ARGV[at + 1], limit = tonumber(ARGV[at + 2]), window = tonumber(ARGV[at + 3]),
    burst = tonumber(ARGV[at + 4]), slots = tonumber(ARGV[at + 5]), offset = total }
  total = total + p.slots
  policies[i] = p
end
for j = 1, total do fields[j + 1] = tostring(j) end
local values = redis.call('HMGET', key, unpack(fields))
local blocked = tonumber(values[1]) or 0

local function state(p)
  local s = {}
  for j = 1, p.slots do s[j] = tonumber(values[p.offset + j + 1]) end
  return s
end

local function write(writes, p, s)
  for j = 1, p.slots do
    local v = ''
    if s then v = fmt(s[j]) end
    writes[#writes + 1] = tostring(p.offset + j)
    writes[#writes + 1] = v
  end
end

local function reply(consumed, cost, states)
  local out = { consumed, math.max(0, ceil(blocked - now)) }
  for i = 1, n do
    local p = policies[i]
    local _, ok, remaining, reset, retry = steps[p.alg](p, states[i], now, cost)
    out[#out + 1] = ok and 1 or 0
    out[#out + 1] = remaining
    out[#out + 1] = reset
    out[#out + 1] = retry
  end
  return out
end

local current = {}
for i = 1, n do current[i] = state(policies[i]) end

if op == 'c' or op == 'p' then
  local news, expires, all = {}, 0, blocked <= now
  for i = 1, n do
    local p = policies[i]
    local s, ok, _, _, _, e = steps[p.alg](p, current[i], now, amount)
    news[i] = s
    all = all and ok
    if e > expires then expires = e end
  end
  if op == 'p' or not all then return reply(0, amount, current) end
  local writes = { 'b', '0' }
  for i = 1, n do write(writes, policies[i], news[i]) end
  redis.call('HSET', key, unpack(writes))
  redis.call('PEXPIRE', key, math.max(1, ceil(expires - now)))
  blocked = 0
  return reply(1, amount, current)
end

if op == 'r' then
  local writes, expires = {}, blocked
  for i = 1, n do
    local p = policies[i]
    local s = refund(p, current[i], now, amount)
    write(writes, p, s)
    if s then
      local _, _, _, _, _, e = steps[p.alg](p, s, now, 0)
      if e > expires then expires = e end
      current[i] = s
    else
      current[i] = {}
    end
  end
  if expires > now then
    redis.call('HSET', key, unpack(writes))
    redis.call('PEXPIRE', key, math.max(1, ceil(expires - now)))
  else
    redis.call('DEL', key)
  end
  return reply(0, 1, current)
end

-- block
blocked = math.max(blocked, now + amount)
redis.call('HSET', key, 'b', fmt(blocked))
local ttl = redis.call('PTTL', key)
redis.call('PEXPIRE', key, math.max(ttl, ceil(blocked - now)))
return reply(0, 1, current)
`;
