-- KEYS: connections hash, users hash. ARGV: connectionId, userId.
-- Returns {last (1 when the user has no socket left in the room), number of users}.
local last = 0
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
    redis.call('HDEL', KEYS[2], ARGV[2])
    last = 1
  end
end
return { last, redis.call('HLEN', KEYS[2]) }
