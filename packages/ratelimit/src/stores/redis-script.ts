/**
 * The Lua script behind the Redis store: every algorithm of `src/algorithms/`, written again
 * for Redis so that one EVALSHA decides for all of a limiter's policies atomically, with the
 * time taken from the Redis server. Each function mirrors its TypeScript twin line by line;
 * the conformance suite and the property tests hold both to the same answers.
 *
 * KEYS[1]: the key. ARGV: operation (c consume, p peek, r refund, b block, x reset), amount
 * (cost or block duration), policy count, the record's `struct` format (`<` and one `d` per
 * number), then per policy: algorithm, limit, window, burst, state slots; last, only in ARM's
 * own parity tests, a time to use instead of the server's.
 *
 * The key holds one string: the record's numbers packed as doubles with Redis's `struct`
 * library, `blockedUntil` then each policy's state (NaN for a policy without state). Doubles
 * round-trip exactly, and packing creates no per-number strings. A decision runs TIME, GET
 * and, when it consumes, `SET ... PX`: three commands.
 *
 * Written for the cost of Redis's Lua: every function, table and string a call creates is
 * paid on every decision, on the one thread all clients share. So one function holds the
 * four algorithms as branches, state travels as multiple return values rather than tables,
 * and the decision's own pass makes the reply.
 * Reply: { consumed, blockedMs, then per policy: allowed, remaining, resetMs, retryAfterMs }.
 */
export const RATE_LIMIT_SCRIPT = `
local ceil, floor, max, min = math.ceil, math.floor, math.max, math.min

-- One algorithm step over a policy's state (s1, s2, s3; s1 nil for none). Returns the new
-- state (three values, the third nil for two-slot algorithms), allowed, remaining, resetMs,
-- retryAfterMs and when the new state expires. Mirrors src/algorithms/*.ts.
local function step(alg, limit, w, burst, s1, s2, s3, now, cost)
  if alg == 'gcra' then
    local interval = w / limit
    local tolerance = burst * interval
    local ahead = 0
    if s1 then ahead = max(0, s1 - now + s2) end
    local nxt = ahead + cost * interval
    local ok = nxt <= tolerance * (1 + 1e-12)
    local kept = ahead
    if ok then kept = nxt end
    local retry = 0
    if not ok then retry = max(1, ceil(nxt - tolerance - 1e-9)) end
    return now, kept, nil, ok, max(0, floor((tolerance - kept) / interval + 1e-9)),
      max(0, ceil(kept - 1e-9)), retry, now + kept
  elseif alg == 'fixed-window' then
    local start, count = now, 0
    if s1 and now < s1 + w then start, count = s1, s2 end
    local reset = max(0, ceil(start + w - now - 1e-9))
    local ok = count + cost <= limit
    local used = count
    if ok then used = count + cost end
    local retry = 0
    if not ok then retry = max(1, reset) end
    return start, used, nil, ok, limit - used, reset, retry, start + w
  elseif alg == 'sliding-window' then
    local start = floor(now / w) * w
    local cur, prev = 0, 0
    if s1 == start then cur, prev = s2, s3 elseif s1 == start - w then prev = s2 end
    local elapsed = now - start
    local used = prev * (1 - elapsed / w) + cur
    local ok = used + cost <= limit + 1e-9
    local after, usedAfter = cur, used
    if ok then after, usedAfter = cur + cost, used + cost end
    local resetAt = now
    if after > 0 then resetAt = start + 2 * w elseif prev > 0 then resetAt = start + w end
    local reset = max(0, ceil(resetAt - now - 1e-9))
    local retry = 0
    if not ok then
      local room = limit - cost - cur
      if cost > limit then
        retry = reset
      elseif room >= 0 and prev > 0 then
        retry = w * (1 - room / prev) - elapsed
      else
        local nxt = 0
        if cur > limit - cost then nxt = w * (1 - (limit - cost) / cur) end
        retry = w - elapsed + nxt
      end
      retry = max(1, ceil(retry - 1e-9))
    end
    return start, after, prev, ok, max(0, floor(limit - usedAfter + 1e-9)), reset, retry,
      start + 2 * w
  else
    local rate = limit / w
    local tokens = burst
    if s1 then tokens = min(burst, s1 + max(0, now - s2) * rate) end
    local ok = tokens + 1e-9 >= cost
    local left = tokens
    if ok then left = tokens - cost end
    local reset = max(0, ceil((burst - left) / rate - 1e-9))
    local retry = 0
    if not ok then retry = max(1, ceil((cost - tokens) / rate - 1e-9)) end
    return left, now, nil, ok, max(0, floor(left + 1e-9)), reset, retry, now + reset
  end
end

local key = KEYS[1]
local op = ARGV[1]
if op == 'x' then
  redis.call('DEL', key)
  return { 0, 0 }
end

local amount = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local format = ARGV[4]
local now = tonumber(ARGV[5 + n * 5])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

-- The record: blockedUntil, then each policy's slots; NaN where a policy has no state.
local total = #format - 2
local record = redis.call('GET', key)
if record and #record ~= 8 * (total + 1) then record = nil end

-- One policy, consume or peek: the common case, without the tables of the general path.
if n == 1 and (op == 'c' or op == 'p') then
  local blocked, s1, s2, s3 = 0, nil, nil, nil
  if record then
    -- For two slots s3 is struct.unpack's next position, which two-slot algorithms ignore.
    blocked, s1, s2, s3 = struct.unpack(format, record)
    if s1 ~= s1 then s1 = nil end
  end
  local n1, n2, n3, ok, remaining, reset, retry, e = step(ARGV[5], tonumber(ARGV[6]),
    tonumber(ARGV[7]), tonumber(ARGV[8]), s1, s2, s3, now, amount)
  if op == 'c' and ok and blocked <= now then
    if total == 3 then record = struct.pack(format, 0, n1, n2, n3)
    else record = struct.pack(format, 0, n1, n2) end
    redis.call('SET', key, record, 'PX', max(1, ceil(e - now - 1e-9)))
    return { 1, 0, 1, remaining, reset, retry }
  end
  return { 0, max(0, ceil(blocked - now - 1e-9)), ok and 1 or 0, remaining, reset, retry }
end

local values
if record then
  values = { struct.unpack(format, record) }
else
  values = { 0 }
  for j = 2, total + 1 do values[j] = 0 / 0 end
end
local blocked = values[1]

-- A policy's state from values, starting at index at: nil when it has none.
local function slot(at)
  local v = values[at]
  if v ~= v then return nil end
  return v
end

if op == 'c' or op == 'p' then
  -- One pass decides and answers: the reply is the step over the current state.
  local out = { 0, max(0, ceil(blocked - now - 1e-9)) }
  local news = { 0 }
  local all, expires, at = blocked <= now, 0, 2
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    local slots = tonumber(ARGV[a + 4])
    local n1, n2, n3, ok, remaining, reset, retry, e = step(ARGV[a], tonumber(ARGV[a + 1]),
      tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), slot(at), values[at + 1], values[at + 2],
      now, amount)
    news[at], news[at + 1] = n1, n2
    if slots == 3 then news[at + 2] = n3 end
    at = at + slots
    all = all and ok
    if e > expires then expires = e end
    out[#out + 1] = ok and 1 or 0
    out[#out + 1] = remaining
    out[#out + 1] = reset
    out[#out + 1] = retry
  end
  if op == 'p' or not all then return out end
  redis.call('SET', key, struct.pack(format, unpack(news)), 'PX', max(1, ceil(expires - now - 1e-9)))
  out[1], out[2] = 1, 0
  return out
end

-- The figures of every policy as the record stands, for refund and block.
local function reply()
  local out = { 0, max(0, ceil(blocked - now - 1e-9)) }
  local at = 2
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    local _, _, _, ok, remaining, reset, retry = step(ARGV[a], tonumber(ARGV[a + 1]),
      tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), slot(at), values[at + 1], values[at + 2],
      now, 1)
    at = at + tonumber(ARGV[a + 4])
    out[#out + 1] = ok and 1 or 0
    out[#out + 1] = remaining
    out[#out + 1] = reset
    out[#out + 1] = retry
  end
  return out
end

if op == 'r' then
  local expires, at = blocked, 2
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    local alg, limit, w, burst = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]),
      tonumber(ARGV[a + 3])
    local slots = tonumber(ARGV[a + 4])
    local s1, s2, s3 = slot(at), values[at + 1], values[at + 2]
    local n1, n2, n3
    if s1 then
      if alg == 'fixed-window' then
        if now < s1 + w then n1, n2 = s1, max(0, s2 - amount) end
      elseif alg == 'sliding-window' then
        local start = floor(now / w) * w
        local cur, prev = 0, 0
        if s1 == start then cur, prev = s2, s3 elseif s1 == start - w then prev = s2 end
        if cur ~= 0 or prev ~= 0 then n1, n2, n3 = start, max(0, cur - amount), prev end
      elseif alg == 'token-bucket' then
        local rate = limit / w
        local tokens = min(burst, min(burst, s1 + max(0, now - s2) * rate) + amount)
        if tokens < burst then n1, n2 = tokens, now end
      else
        local ahead = max(0, s1 - now + s2) - amount * (w / limit)
        if ahead > 0 then n1, n2 = now, ahead end
      end
    end
    if n1 then
      local _, _, _, _, _, _, _, e = step(alg, limit, w, burst, n1, n2, n3, now, 0)
      if e > expires then expires = e end
      values[at], values[at + 1] = n1, n2
      if slots == 3 then values[at + 2] = n3 end
    else
      for j = at, at + slots - 1 do values[j] = 0 / 0 end
    end
    at = at + slots
  end
  if expires > now then
    redis.call('SET', key, struct.pack(format, unpack(values, 1, total + 1)), 'PX',
      max(1, ceil(expires - now - 1e-9)))
  else
    redis.call('DEL', key)
  end
  return reply()
end

-- block
blocked = max(blocked, now + amount)
values[1] = blocked
local ttl = redis.call('PTTL', key)
redis.call('SET', key, struct.pack(format, unpack(values, 1, total + 1)), 'PX',
  max(ttl, ceil(blocked - now - 1e-9)))
return reply()
`;
