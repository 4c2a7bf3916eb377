-- An API key's token bucket, shared by every node. KEYS: the key's bucket hash (tokens, at).
-- ARGV: now (ms, the calling node's clock), rate per second, burst.
-- Returns 0 when a token was taken, else the ms until one is available.
local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if not tokens or not at then
  tokens, at = burst, now
end
-- A node whose clock is behind the last refill adds nothing and does not move the refill time back.
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
-- Gone once it would be full again: a missing hash is a full bucket.
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((burst - tokens) * 1000 / rate)))
return wait
