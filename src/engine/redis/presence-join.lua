-- KEYS: connections hash, users hash, node rooms set. ARGV: connectionId, userId, userJson, room.
-- Returns {first (1 when the user was not in the room), number of users}.
local first = 0
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then first = 1 end
  redis.call('SADD', KEYS[3], ARGV[4])
end
return { first, redis.call('HLEN', KEYS[2]) }
