-- KEYS: the entries hash, the sorted set of when timed entries end.
-- ARGV: now (ms).
-- Drops the entries that ended, then returns every entry's JSON.
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, key in ipairs(ended) do
  redis.call('HDEL', KEYS[1], key)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
return redis.call('HVALS', KEYS[1])
