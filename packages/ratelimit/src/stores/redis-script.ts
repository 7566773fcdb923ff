/**
 * The Lua script behind the Redis store: every algorithm of `src/algorithms/`, written again
 * for Redis so that one EVALSHA decides for all of a limiter's policies atomically, with the
 * time taken from the Redis server. Each function mirrors its TypeScript twin line by line;
 * the conformance suite and the property tests hold both to the same answers.
 *
 * KEYS[1]: the key. ARGV[1]: the operation's letter (c consume, p peek, r refund, b block,
 * x reset) followed by its amount (cost or block duration), which is left out when it is 1.
 * Then per policy: algorithm, limit, window, and for `token-bucket` and `gcra` the burst (a
 * window algorithm's burst is its limit); last, only in ARM's own parity tests, a time to use
 * instead of the server's (one argument left over, where a policy has at least three). The
 * script derives the rest: each policy's state slots from its algorithm, and the record's
 * `struct` format from the slots. Every argument Redis parses and hands to Lua as a string
 * costs on both sides, so there are as few as the decision needs; and they are short strings,
 * not one binary blob of the policies: ioredis writes a command with a Buffer argument
 * through a slower path, which costs the client more than the few string-to-number
 * conversions the blob would save the server.
 *
 * The key holds one string: the record's numbers packed as doubles with Redis's `struct`
 * library: `expiresAt` (when the key's TTL ends, a whole second), `blockedUntil`, then each
 * policy's state (NaN for a policy without state). Doubles round-trip exactly, and packing
 * creates no per-number strings. A decision runs TIME, GET and, when it consumes, one write.
 * The write keeps the key's TTL while `expiresAt` is late enough for the new state, and
 * otherwise sets it (`PX`) to the state's expiry rounded up to a whole second: the script
 * costs Redis about a sixth more when every write sets `PX`, and the rounding lets a busy key
 * set its TTL about once a second rather than on every request. Keeping the TTL is
 * `SET ... KEEPTTL` (Redis 6.0 or later), or, on the one-policy path, `SETRANGE key 0`, which
 * overwrites the record in place (same size) and answers with an integer where SET's status
 * reply becomes a Lua table.
 *
 * Written for the cost of Redis's Lua: every function, table and string a call creates is
 * paid on every decision, on the one thread all clients share. So one function holds the
 * four algorithms as branches, state travels as multiple return values rather than tables,
 * and the decision's own pass makes the reply.
 * Reply: { consumed, blockedMs, then per policy: allowed, remaining, resetMs, retryAfterMs },
 * or, for the most common answer, a one-policy consume that was allowed and counted, the
 * integer resetMs * (burst + 1) + remaining (remaining is at most the burst), or
 * { remaining, resetMs } where that integer would reach 2^53. An integer reply costs Redis
 * neither a table nor the seven lookups by which it tells a table's kind before sending it.
 */
export const RATE_LIMIT_SCRIPT = `
-- A global costs a table lookup each time it is read: math is read once, string only when
-- needed.
local math = math
local ceil, floor, max, min = math.ceil, math.floor, math.max, math.min

local key = KEYS[1]
local head = ARGV[1]
-- The operation's letter alone is the common case: no string.sub for it.
local op, amount = head, 1
if #head > 1 then
  -- Numbers arrive as strings; adding 0 converts one for about half the cost of tonumber (a
  -- call of a C function).
  local sub = string.sub
  op, amount = sub(head, 1, 1), sub(head, 2) + 0
end
if op == 'x' then
  redis.call('DEL', key)
  return { 0, 0 }
end

-- Count the policies: each takes three arguments, four for the bucket algorithms. One
-- argument left over is the parity tests' time.
local argc = #ARGV
local n, a = 0, 2
while a < argc do
  n = n + 1
  if ARGV[a] == 'gcra' or ARGV[a] == 'token-bucket' then a = a + 4 else a = a + 3 end
end
local now
if a == argc then
  now = ARGV[argc] + 0
else
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
end
local record = redis.call('GET', key)

-- One algorithm step over a policy's state (s1, s2, s3; s1 nil for none). Returns the new
-- state (three values, the third nil for two-slot algorithms), allowed, remaining, resetMs,
-- retryAfterMs and when the new state expires. Mirrors src/algorithms/*.ts.
local function step(alg, limit, w, burst, s1, s2, s3, now, cost)
  -- Its own locals, not the chunk's: a function with upvalues costs more to create, and an
  -- EVAL script creates its functions on every run.
  local ceil, floor, max, min = math.ceil, math.floor, math.max, math.min
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

-- One policy, consume or peek: the common case, without the tables of the general path.
-- The record's format is a constant per slot count: sliding window keeps three, the others
-- two.
if n == 1 and (op == 'c' or op == 'p') then
  local alg, limit, w = ARGV[2], ARGV[3] + 0, ARGV[4] + 0
  local burst = limit
  local expires, blocked, s1, s2, s3 = 0, 0, nil, nil, nil
  if alg == 'sliding-window' then
    if record and #record == 40 then
      expires, blocked, s1, s2, s3 = struct.unpack('<ddddd', record)
    end
  else
    if alg == 'gcra' or alg == 'token-bucket' then burst = ARGV[5] + 0 end
    if record and #record == 32 then expires, blocked, s1, s2 = struct.unpack('<dddd', record) end
  end
  if s1 ~= s1 then s1 = nil end
  local n1, n2, n3, ok, remaining, reset, retry, e =
    step(alg, limit, w, burst, s1, s2, s3, now, amount)
  if op == 'c' and ok and blocked <= now then
    if e <= expires then
      -- The record exists with this size and its TTL is late enough: overwrite it in place.
      -- SETRANGE answers with an integer, where SET's status reply becomes a Lua table.
      if n3 then record = struct.pack('<ddddd', expires, 0, n1, n2, n3)
      else record = struct.pack('<dddd', expires, 0, n1, n2) end
      redis.call('SETRANGE', key, '0', record)
    else
      expires = ceil(e / 1000) * 1000
      if n3 then record = struct.pack('<ddddd', expires, 0, n1, n2, n3)
      else record = struct.pack('<dddd', expires, 0, n1, n2) end
      redis.call('SET', key, record, 'PX', max(1, ceil(expires - now - 1e-9)))
    end
    -- remaining (at most burst) and resetMs in one integer, when it holds both exactly: a
    -- number reply skips the table and its conversion on both sides.
    local packed = reset * (burst + 1) + remaining
    if remaining <= burst and packed < 9007199254740992 then return packed end
    return { remaining, reset }
  end
  return { 0, max(0, ceil(blocked - now - 1e-9)), ok and 1 or 0, remaining, reset, retry }
end

-- The policy whose arguments start at ARGV[a]: algorithm, limit, window, burst, its state
-- slots, and where the next policy's arguments start.
local function policy(a)
  local alg, limit = ARGV[a], ARGV[a + 1] + 0
  if alg == 'gcra' or alg == 'token-bucket' then
    return alg, limit, ARGV[a + 2] + 0, ARGV[a + 3] + 0, 2, a + 4
  end
  if alg == 'sliding-window' then return alg, limit, ARGV[a + 2] + 0, limit, 3, a + 3 end
  return alg, limit, ARGV[a + 2] + 0, limit, 2, a + 3
end

-- The record: expiresAt, blockedUntil, then each policy's slots; NaN where a policy has no
-- state.
local total = 0
a = 2
for i = 1, n do
  local _, _, _, _, slots, nxt = policy(a)
  total, a = total + slots, nxt
end
local format = '<' .. string.rep('d', total + 2)
if record and #record ~= 8 * (total + 2) then record = nil end

local values
if record then
  values = { struct.unpack(format, record) }
else
  values = { 0, 0 }
  for j = 3, total + 2 do values[j] = 0 / 0 end
end
local blocked = values[2]

-- A policy's state from values, starting at index at: nil when it has none.
local function slot(at)
  local v = values[at]
  if v ~= v then return nil end
  return v
end

-- Writes values (whose first is the key's expiresAt) as the record, for a state that matters
-- until needed: the key keeps its TTL when that is late enough, else gets a later one.
local function write(values, needed)
  if needed <= values[1] then
    redis.call('SET', key, struct.pack(format, unpack(values, 1, total + 2)), 'KEEPTTL')
  else
    values[1] = ceil(needed / 1000) * 1000
    redis.call('SET', key, struct.pack(format, unpack(values, 1, total + 2)), 'PX',
      max(1, ceil(values[1] - now - 1e-9)))
  end
end

if op == 'c' or op == 'p' then
  -- One pass decides and answers: the reply is the step over the current state.
  local out = { 0, max(0, ceil(blocked - now - 1e-9)) }
  local news = { values[1], 0 }
  local all, needed, at = blocked <= now, 0, 3
  a = 2
  for i = 1, n do
    local alg, limit, w, burst, slots, nxt = policy(a)
    local n1, n2, n3, ok, remaining, reset, retry, e = step(alg, limit, w, burst, slot(at),
      values[at + 1], values[at + 2], now, amount)
    news[at], news[at + 1] = n1, n2
    if slots == 3 then news[at + 2] = n3 end
    at, a = at + slots, nxt
    all = all and ok
    if e > needed then needed = e end
    out[#out + 1] = ok and 1 or 0
    out[#out + 1] = remaining
    out[#out + 1] = reset
    out[#out + 1] = retry
  end
  if op == 'p' or not all then return out end
  write(news, needed)
  out[1], out[2] = 1, 0
  return out
end

-- The figures of every policy as the record stands, for refund and block.
local function reply()
  local out = { 0, max(0, ceil(blocked - now - 1e-9)) }
  local at = 3
  a = 2
  for i = 1, n do
    local alg, limit, w, burst, slots, nxt = policy(a)
    local _, _, _, ok, remaining, reset, retry = step(alg, limit, w, burst, slot(at),
      values[at + 1], values[at + 2], now, 1)
    at, a = at + slots, nxt
    out[#out + 1] = ok and 1 or 0
    out[#out + 1] = remaining
    out[#out + 1] = reset
    out[#out + 1] = retry
  end
  return out
end

if op == 'r' then
  local needed, at = blocked, 3
  a = 2
  for i = 1, n do
    local alg, limit, w, burst, slots, nxt = policy(a)
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
      if e > needed then needed = e end
      values[at], values[at + 1] = n1, n2
      if slots == 3 then values[at + 2] = n3 end
    else
      for j = at, at + slots - 1 do values[j] = 0 / 0 end
    end
    at, a = at + slots, nxt
  end
  if needed > now then write(values, needed) else redis.call('DEL', key) end
  return reply()
end

-- block: the key's TTL only ever grows, so a longer block or a later state is kept.
blocked = max(blocked, now + amount)
values[2] = blocked
write(values, blocked)
return reply()
`;
